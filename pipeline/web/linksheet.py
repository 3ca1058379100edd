"""The printable sheet of the centers' links (the links page): each link of links.csv with its QR code.

links.csv itself is the core's (pipeline/links.py); what is the web's here is what only the web
knows and shows: whether a link still opens (its token is in the web's database, which keeps
only the hash) and the QR code drawn into the page as SVG.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..links import read_links
from ..model import Center


def link_sheet(
    outputs: Path, center_of_token: Callable[[str], Center | None], province: str = ""
) -> list[dict[str, Any]]:
    """The links of links.csv with a QR code each, for printing; a link re-issued since is marked
    stale rather than shown as working."""
    import segno  # here: only the links page pays for it

    sheet = []
    for link in read_links(outputs):
        if province and link.province != province:
            continue
        token = token_of(link.url)
        center = center_of_token(token) if token else None
        current = center is not None and (center.province, center.name) == (link.province, link.center)
        qr = segno.make(link.url, error="m").svg_inline(scale=4, border=2) if current else ""
        sheet.append({"province": link.province, "center": link.center, "url": link.url, "current": current, "qr": qr})
    return sheet


def token_of(url: str) -> str:
    """The token of a center's link ``…/c/<token>`` (Site.link); "" for any other text."""
    return url.rsplit("/c/", 1)[-1] if "/c/" in url else ""
