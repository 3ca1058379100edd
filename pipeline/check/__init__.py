"""Verification stage: every PDF is checked before anyone prints it.

``check_pdf`` runs the rules on one file, ``check_all`` on a batch;
``summary_table`` and ``write_json`` report. The rooms:

- ``model``: what a check is asked (``Expectation``) and answers (``Finding``);
- ``text``: the PDF's text as the rules read it (spans, visual lines, ``normalise``);
- ``rules``: the generic rules, every PDF; ``kinds``: the rules of one kind of document;
- ``cells`` and ``wordbreak``: the lines of ruled table cells, and no line ending inside a word;
- ``run``: running the rules on one PDF or a batch;
- ``report``: the table, the JSON file, the totals.
"""

from __future__ import annotations

from .model import Expectation, Finding, Rule
from .report import summary_table, totals, update_json, write_json
from .rules import (
    A4,
    CM,
    MARGINS_CM,
    RULES,
    SYMBOL_GLYPHS,
    a4_portrait,
    clean_text,
    expected_text,
    fonts_embedded,
    margins,
    page_numbers,
    pages,
    pdfa,
    thai_digits,
    thai_font,
)
from .run import MAX_LISTED, check_all, check_pdf
from .text import normalise, page_rawdict
from .wordbreak import names_of, table_word_breaks

__all__ = [
    "A4",
    "CM",
    "MARGINS_CM",
    "MAX_LISTED",
    "RULES",
    "SYMBOL_GLYPHS",
    "Expectation",
    "Finding",
    "Rule",
    "a4_portrait",
    "check_all",
    "check_pdf",
    "clean_text",
    "expected_text",
    "fonts_embedded",
    "margins",
    "names_of",
    "normalise",
    "page_numbers",
    "page_rawdict",
    "pages",
    "pdfa",
    "summary_table",
    "table_word_breaks",
    "thai_digits",
    "thai_font",
    "totals",
    "update_json",
    "write_json",
]
