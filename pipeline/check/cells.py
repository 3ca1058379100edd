"""The text of ruled table cells, line by line, as LibreOffice laid it out.

A cell is the space between the drawn rules (0.5 pt stroked lines in LibreOffice's PDF): each
character belongs to the cell whose vertical rules enclose it left and right and whose horizontal
rules enclose it above and below. PyMuPDF's ``find_tables`` would find the same cells, but it
tears Thai marks from their consonants and takes about a second a page (PRODUCT.md), so the cells
are read here from the rules and the page's characters, which the checks extract once anyway.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field

import fitz  # PyMuPDF

from .text import derived, page_rawdict, same

RULE_TOLERANCE = 1.0  # pt: a rule counts as straight when its ends differ by less
LINE_TOLERANCE = 2.0  # pt: characters this close to one baseline are one visual line


@dataclass(frozen=True)
class Rule:
    at: float  # x of a vertical rule, y of a horizontal one
    start: float
    end: float


Box = tuple[float, float, float, float]  # x0, y0, x1, y1 of a character (plain tuples: a page has thousands)


@dataclass
class CellLine:
    """One visual line of a cell: its characters (text order) and their boxes."""

    baseline: float
    chars: list[str] = field(default_factory=list)
    boxes: list[Box] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(self.chars)

    @property
    def right(self) -> float:
        """Where the ink of the line ends (trailing spaces left out)."""
        inked = [b[2] for c, b in zip(self.chars, self.boxes, strict=True) if not c.isspace()]
        return max(inked, default=0.0)


@dataclass
class Cell:
    box: fitz.Rect  # between the rules
    lines: list[CellLine] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(line.text for line in self.lines)


def rules(page: fitz.Page) -> tuple[list[Rule], list[Rule]]:
    """The page's straight stroked lines: vertical ones, horizontal ones."""
    vertical, horizontal = [], []
    for drawing in page.get_drawings():
        if drawing.get("type") not in ("s", "fs"):
            continue
        for item in drawing["items"]:
            if item[0] != "l":
                continue
            a, b = item[1], item[2]
            if abs(a.x - b.x) < RULE_TOLERANCE and abs(a.y - b.y) > RULE_TOLERANCE:
                vertical.append(Rule((a.x + b.x) / 2, min(a.y, b.y), max(a.y, b.y)))
            elif abs(a.y - b.y) < RULE_TOLERANCE and abs(a.x - b.x) > RULE_TOLERANCE:
                horizontal.append(Rule((a.y + b.y) / 2, min(a.x, b.x), max(a.x, b.x)))
    return vertical, horizontal


def _enclosing(found: list[Rule], point: float, across: float) -> tuple[float, float] | None:
    """The nearest rules before and after ``point`` among those that reach ``across``."""
    before = [r.at for r in found if r.at <= point and r.start - RULE_TOLERANCE <= across <= r.end + RULE_TOLERANCE]
    after = [r.at for r in found if r.at > point and r.start - RULE_TOLERANCE <= across <= r.end + RULE_TOLERANCE]
    if not before or not after:
        return None
    return max(before), min(after)


def _compose_sara_am(chars: list[str], boxes: list[Box]) -> None:
    """NIKHAHIT + SARA AA (how some PDFs carry สระอำ) back to SARA AM, in place."""
    i = 0
    while i < len(chars) - 1:
        if chars[i] == "\u0e4d" and chars[i + 1] == "\u0e32":
            (a0, a1, a2, a3), (b0, b1, b2, b3) = boxes[i], boxes[i + 1]
            chars[i : i + 2] = ["\u0e33"]
            boxes[i : i + 2] = [(min(a0, b0), min(a1, b1), max(a2, b2), max(a3, b3))]
        i += 1


def table_cells(page: fitz.Page) -> list[Cell]:
    """Every ruled cell of the page that holds text, its lines top to bottom (once per page content
    while checking: the cells are only read).

    A span (one run of text on one line) lies in one cell: its place is found once, from its middle.
    """
    cells: list[Cell] = derived(page, "cells", _table_cells, _swap_cells)
    return cells


def _swap_cells(cells: list[Cell], glyph_at: Mapping[int, str]) -> list[Cell]:
    """The cells of a page that differs only in the glyphs of its boxes (their bboxes are the same tuples)."""
    return [
        Cell(
            cell.box,
            [
                CellLine(
                    line.baseline,
                    [glyph_at.get(id(b), c) for c, b in zip(line.chars, line.boxes, strict=True)],
                    line.boxes,
                )
                if any(id(b) in glyph_at for b in line.boxes)
                else line
                for line in cell.lines
            ],
        )
        for cell in cells
    ]


def _table_cells(page: fitz.Page) -> list[Cell]:
    vertical, horizontal = derived(page, "rules", rules, same)
    if not vertical or not horizontal:
        return []
    # per cell: (baseline, x of the span, order in the span, character, box)
    pieces: dict[tuple[int, int, int, int], list[tuple[float, float, int, str, Box]]] = {}
    boxes: dict[tuple[int, int, int, int], fitz.Rect] = {}
    for block in page_rawdict(page)["blocks"]:
        for line in block.get("lines", []):
            if abs(line["dir"][1]) > 1e-3:
                continue  # vertical text is no table line
            for span in line["spans"]:
                if not span["chars"]:
                    continue
                baseline, (x0, _, x1, _) = span["origin"][1], span["bbox"]
                x, y = (x0 + x1) / 2, baseline - 0.3 * span["size"]
                columns = _enclosing(vertical, x, y)
                rows = _enclosing(horizontal, y, x)
                if columns is None or rows is None:
                    continue
                key = (round(columns[0]), round(rows[0]), round(columns[1]), round(rows[1]))
                boxes.setdefault(key, fitz.Rect(columns[0], rows[0], columns[1], rows[1]))
                found = pieces.setdefault(key, [])
                found.extend((baseline, x0, order, c["c"], c["bbox"]) for order, c in enumerate(span["chars"]))
    cells = []
    for key, found in pieces.items():
        cell = Cell(boxes[key])
        found.sort(key=lambda p: p[0])
        groups: list[list[tuple[float, float, int, str, Box]]] = []
        for piece in found:
            if groups and piece[0] - groups[-1][0][0] <= LINE_TOLERANCE:
                groups[-1].append(piece)
            else:
                groups.append([piece])
        for group in groups:
            group.sort(key=lambda p: (p[1], p[2]))
            cell_line = CellLine(
                group[0][0], [unicodedata.normalize("NFC", p[3]) for p in group], [p[4] for p in group]
            )
            _compose_sara_am(cell_line.chars, cell_line.boxes)
            cell.lines.append(cell_line)
        if cell.text.strip():
            cells.append(cell)
    return cells
