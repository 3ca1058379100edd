"""No line inside a table cell ends inside a Thai word, a place name or a date.

Thai is written without spaces between words; LibreOffice finds line breaks with ICU's
dictionary, and a cell too narrow for a word breaks it wherever it must. A district's name is
several dictionary words ("พระ", "สมุทร", "เจดีย์") that a clerk reads as one, so the names of
the campaign (its districts, every province) are kept whole as well, and so is a date
("๑๕ กุมภาพันธ์ ๒๕๖๔" on one line).

A cell's line break is judged only where the line was full: when the next line's first word
would have fitted after it, the break was the end of a paragraph or a break we put there. A
break is fine where the cell's text, cut into words by PyThaiNLP's dictionary (newmm), has a
word boundary, or where a dictionary word ends and another begins.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache

import fitz  # PyMuPDF

from ..load.centers import provinces
from ..model import Center
from ..thai import MONTHS
from .cells import Cell, CellLine, table_cells
from .model import Expectation
from .text import page_verdict, quote

FIT_TOLERANCE = 1.0  # pt: a word narrower than the room left (less this) would have fitted
CELL_PADDING = 3.4  # pt: LibreOffice's left/right cell padding in our templates (0.12 cm)
LONGEST_WORD = 24  # characters: no dictionary word is longer
_THAI = re.compile("[\u0e01-\u0e4e]")
_DATE = re.compile(
    "[๐-๙0-9]{1,2}\\s*(?:" + "|".join(map(re.escape, MONTHS)) + "|[ก-ฮ]{1,2}\\.[ก-ฮ]{1,2}\\.)\\s*[๐-๙0-9]{4}"
)


def names_of(centers: Iterable[Center]) -> tuple[str, ...]:
    """The campaign's names a line must not break: each center's district."""
    return tuple(sorted({c.district for c in centers if _THAI.search(c.district)}))


@lru_cache(maxsize=1)
def _dictionary() -> frozenset[str]:
    from pythainlp.corpus import thai_words

    return frozenset(thai_words())


def prepare() -> None:
    """Load the dictionary now: forked checking workers then share it instead of each loading it."""
    _dictionary()
    _tokens("ศูนย์ดำรงธรรม")


@lru_cache(maxsize=4096)
def _tokens(text: str) -> tuple[str, ...]:
    from pythainlp.tokenize import word_tokenize

    return tuple(word_tokenize(text, engine="newmm", keep_whitespace=True))


def _boundaries(text: str) -> set[int]:
    tokens = _tokens(text)
    ends, at = {0}, 0
    for token in tokens:
        at += len(token)
        ends.add(at)
    return ends


def _between_words(text: str, at: int) -> bool:
    """A dictionary word ends at ``at`` and another starts there."""
    words = _dictionary()
    ends = any(text[max(0, at - k) : at] in words for k in range(2, min(at, LONGEST_WORD) + 1))
    starts = any(text[at : at + k] in words for k in range(2, min(len(text) - at, LONGEST_WORD) + 1))
    return ends and starts


def _dates(text: str) -> list[tuple[int, int, str]]:
    """Spans of ``text`` no break may fall inside, ever: dates (a column too narrow must be widened)."""
    return [(m.start(), m.end(), m.group()) for m in _DATE.finditer(text)]


def _names(text: str, names: Sequence[str]) -> list[tuple[int, int, str]]:
    """Spans of ``text`` no break may fall inside if they fit a line: the campaign's names, the provinces;
    every occurrence of each, name after name in their order, each name's from the left.

    Looked up by each place's first two characters: searching the text once per name made every
    cell cost as much as the campaign has districts (878 at national scale: 25 ms a report). Each text
    once per process: the forms and reports repeat their cells' texts."""
    return _names_in(text, tuple(names))


@lru_cache(maxsize=4096)
def _names_in(text: str, names: tuple[str, ...]) -> list[tuple[int, int, str]]:
    index = _name_index(names)
    found = []
    for start in range(len(text)):
        for key in {text[start : start + 2], text[start]}:
            for order, name in index.get(key, ()):
                if text.startswith(name, start):
                    found.append((order, start, name))
    found.sort()
    return [(start, start + len(name), name) for _, start, name in found]


@lru_cache(maxsize=4)
def _name_index(names: tuple[str, ...]) -> dict[str, list[tuple[int, str]]]:
    """The names (then the provinces) by their first two characters, each with its place in that order."""
    index: dict[str, list[tuple[int, str]]] = {}
    for order, name in enumerate((*names, *_provinces())):
        if name:
            index.setdefault(name[:2], []).append((order, name))
    return index


@lru_cache(maxsize=1)
def _provinces() -> tuple[str, ...]:
    return tuple(provinces())


def _first_word_width(line: CellLine, word: str) -> float:
    """The width the next line's first word takes (its characters' boxes)."""
    lead = len(line.text) - len(line.text.lstrip())
    boxes = line.boxes[lead : lead + max(1, len(word))] or line.boxes
    return float(max(b[2] for b in boxes) - min(b[0] for b in boxes))


def _joined(cell: Cell) -> tuple[str, list[float], list[int]]:
    """The cell's text as one string (a break at a space kept as one space), the width of each
    character, and where each line after the first starts in it."""
    text, widths, starts = "", list[float](), list[int]()
    for i, line in enumerate(cell.lines):
        chars, boxes = line.chars, line.boxes
        if i and (text[-1:].isspace() or line.text[:1].isspace()):
            while text[-1:].isspace():
                text, widths = text[:-1], widths[:-1]
            lead = len(line.text) - len(line.text.lstrip())
            chars, boxes = chars[lead:], boxes[lead:]
            starts.append(len(text))
            text, widths = text + " ", [*widths, 0.0]
        elif i:
            starts.append(len(text))
        text += "".join(chars)
        widths += [b[2] - b[0] for b in boxes]
    return text, widths, starts


def cell_breaks(cell: Cell, names: Sequence[str] = ()) -> list[str]:
    """What is wrong with the line breaks of one cell."""
    problems = []
    joined, widths, starts = _joined(cell)
    room_inside = cell.box.width - 2 * CELL_PADDING
    spans: list[tuple[int, int, str]] | None = None  # the names in the cell: found once, at its first wrap
    for at, line, following in zip(starts, cell.lines[:-1], cell.lines[1:], strict=True):
        before, after = joined[:at].rstrip(), joined[at:].lstrip()
        if not before or not after:
            continue
        word = _next_word(joined, at)
        if _first_word_width(following, word) < cell.box.x1 - CELL_PADDING - line.right - FIT_TOLERANCE:
            continue  # not a wrap: a paragraph ends here
        where = f"“…{before[-12:]}” / “{after[:12]}…”"
        spans = _names(joined, names) if spans is None else spans
        inside = [date for start, end, date in _dates(joined) if start < at < end] + [
            name
            for start, end, name in spans
            if start < at < end and sum(widths[start:end]) <= room_inside  # a longer name must wrap somewhere
        ]
        if inside:
            problems.append(f"{where} breaks {quote(inside[0])}")
            continue
        if joined[at - 1 : at].isspace() or joined[at : at + 1].isspace():
            continue
        if not (_THAI.match(before[-1]) and _THAI.match(after[0])):
            continue
        if at in _boundaries(joined) or _between_words(joined, at):
            continue
        problems.append(f"{where} breaks the word {quote(_word_at(joined, at))}")
    return problems


def _next_word(text: str, at: int) -> str:
    """The first word after ``at`` (the dictionary's cut), without leading spaces."""
    rest = text[at:].lstrip()
    if not rest:
        return ""
    if not _THAI.match(rest[0]):
        return rest.split(" ", 1)[0]
    return _tokens(rest[:60])[0]


def _word_at(text: str, at: int) -> str:
    """The dictionary's word that the break at ``at`` falls inside."""
    start = 0
    for token in _tokens(text):
        if start < at < start + len(token):
            return token
        start += len(token)
    return text[max(0, at - 6) : at + 6]


def table_word_breaks(doc: fitz.Document, exp: Expectation) -> list[str]:
    """No line in a table cell ends inside a Thai word, a district or province name, or a date."""
    names = tuple(exp.names)
    return [
        problem
        for page in doc
        for problem in page_verdict(page, ("table_word_breaks", names), lambda page: _page_breaks(page, names))
    ]


def _page_breaks(page: fitz.Page, names: tuple[str, ...]) -> list[str]:
    problems = []
    for cell in table_cells(page):
        if len(cell.lines) < 2:
            continue
        for problem in cell_breaks(cell, names):
            problems.append(f"page {page.number + 1}, cell at x={cell.box.x0:.0f}, y={cell.box.y0:.0f} pt: {problem}")
    return problems
