"""outputs/links.csv, the only place the centers' links exist in clear, and its printable sheet."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..exports import csv_bytes, csv_text
from ..files import write_bytes
from ..model import Center

HEADER = ["province", "center", "url"]


def write_links(outputs: Path, rows: list[list[str]]) -> Path:
    """links.csv with these rows (UTF-8 with BOM for Excel; no name can become a formula: exports)."""
    target = outputs / "links.csv"
    write_bytes(target, csv_bytes(HEADER, rows))
    return target


def replace_link(outputs: Path, center: Center, url: str) -> bool:
    """One center's row of links.csv, if the file exists, now carries ``url`` (True when written)."""
    target = outputs / "links.csv"
    if not target.is_file():
        return False
    rows = [row for row in _rows(target) if (row[0], row[1]) != (center.province, center.name)]
    write_links(outputs, rows + [[center.province, center.name, url]])
    return True


def link_sheet(
    outputs: Path, center_of_token: Callable[[str], Center | None], province: str = ""
) -> list[dict[str, Any]]:
    """The links of links.csv with a QR code each, for printing; a link re-issued since is marked
    stale rather than shown as working."""
    import segno

    path = outputs / "links.csv"
    if not path.is_file():
        return []
    sheet = []
    for row in csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))):
        row = {k: csv_text(v or "") for k, v in row.items() if k is not None}
        if province and row.get("province") != province:
            continue
        url = row.get("url") or ""
        token = url.rsplit("/c/", 1)[-1] if "/c/" in url else ""
        center = center_of_token(token) if token else None
        current = center is not None and (center.province, center.name) == (row.get("province"), row.get("center"))
        qr = segno.make(url, error="m").svg_inline(scale=4, border=2) if current else ""
        sheet.append(
            {
                "province": row.get("province", ""),
                "center": row.get("center", ""),
                "url": url,
                "current": current,
                "qr": qr,
            }
        )
    return sheet


def _rows(path: Path) -> list[list[str]]:
    """The rows of links.csv below its header."""
    return [[csv_text(v) for v in row] for row in csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig")))][1:]
