"""outputs/links.csv: the centers' personal web links, the one place they exist in clear.

Both doors write it through here: ``gecc links`` and the web's "issue every link" write the
whole file, re-issuing one center's link replaces that center's row (only when the file
exists: without it the new link is shown once and kept nowhere). The web's printable sheet
reads it back with ``read_links``; the build reads it with load/links.py, which names a
hand-edited file's wrong rows. The file is for Excel: UTF-8 with a byte-order mark, every
cell through exports.py (no center's name becomes a formula), written atomically
(files.py: an interrupted write leaves the old file).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .exports import csv_bytes, csv_text
from .files import write_bytes

FILE = "links.csv"  # in outputs/
COLUMNS = ("province", "center", "url")


@dataclass(frozen=True)
class Link:
    """One row of links.csv: a center (its province and name) and its link."""

    province: str
    center: str
    url: str


def links_path(outputs: Path) -> Path:
    return outputs / FILE


def write_links(outputs: Path, links: Iterable[Link]) -> Path:
    """links.csv with these rows, in this order, in place of any earlier file."""
    target = links_path(outputs)
    write_bytes(target, csv_bytes(COLUMNS, ((link.province, link.center, link.url) for link in links)))
    return target


def replace_link(outputs: Path, link: Link) -> bool:
    """The row of ``link``'s center, if links.csv exists, now carries its url (True when written), so
    that the form printed next carries the new link; every other row is kept as it was."""
    if not links_path(outputs).is_file():
        return False
    kept = [row for row in read_links(outputs) if (row.province, row.center) != (link.province, link.center)]
    write_links(outputs, [*kept, link])
    return True


def read_links(outputs: Path) -> list[Link]:
    """The rows of links.csv as they were written (exports' formula guard undone); none without the file.

    Read by the columns' names, a missing cell as empty: a hand-edited file is still read whole
    (what it may say for the forms is load/links.py's to judge).
    """
    path = links_path(outputs)
    if not path.is_file():
        return []
    rows = csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig")))
    return [Link(*(csv_text(row.get(column) or "") for column in COLUMNS)) for row in rows]
