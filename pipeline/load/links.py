"""outputs/links.csv (written by ``gecc links``, pipeline/links.py): each center's personal web link, optional.

The web app keeps its tokens only hashed, so this file is the one place the
links exist in clear; with it, the blank forms carry each center's link as a
QR code. Without it, no links and nothing wrong.
"""

from __future__ import annotations

from pathlib import Path

from ..exports import csv_text
from ..links import COLUMNS
from ..model import Center
from ..problems import Problem
from .tabular import read_table

SCHEMES = ("https://", "http://")
MAX_URL = 500  # a link to print and scan, not a document


def load_links(
    path: Path, display: str, centers: tuple[Center, ...], problems: list[Problem]
) -> dict[tuple[str, str], str]:
    """(province, center) → url for every row of ``path``; a missing file: no links.

    A center appears once, with an http(s) link: a hand-edited file is reported
    rather than printing a doubtful link on a form. A row of a center no longer on
    the list (the list changed after the links were issued) is left out, so a new
    centers list never stops the campaign; a center without a row gets no link.
    """
    if not path.is_file():
        return {}
    table = read_table(path, display, list(COLUMNS), problems)
    if table is None:
        return {}
    known = {(c.province, c.name) for c in centers}
    links: dict[tuple[str, str], str] = {}
    seen: dict[tuple[str, str], int] = {}
    for number, values in table.rows:
        key, url = (csv_text(values["province"]), csv_text(values["center"])), values["url"]
        if key not in known:
            continue  # a center taken off the list since the links were issued: its link is simply unused
        if key in seen:
            problems.append(
                Problem(display, f"ศูนย์ “{key[1]}” ซ้ำกับแถวที่ {seen[key]}", table.where(number, "center"), "center")
            )
        elif not url.startswith(SCHEMES) or len(url) > MAX_URL or any(c.isspace() for c in url):
            problems.append(
                Problem(
                    display,
                    f"ลิงก์ “{url[:80]}” ไม่ถูกต้อง (ต้องขึ้นต้นด้วย https:// หรือ http:// ไม่มีช่องว่าง ยาวไม่เกิน {MAX_URL} ตัวอักษร)",
                    table.where(number, "url"),
                    "url",
                )
            )
        else:
            seen[key] = number
            links[key] = url
    return links
