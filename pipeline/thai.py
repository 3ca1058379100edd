"""Thai numerals and Buddhist-Era dates: the small Thai-specific pieces.

Babel supplies the Thai month names (CLDR); it has no Buddhist-Era calendar
and no Thai digits, so those two are done here. Everything is exposed as Jinja
filters so templates and input texts say ``{{ date|thai_date }}``.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from babel.dates import get_month_names

BE_OFFSET = 543  # Buddhist Era = Common Era + 543

_ARABIC = "0123456789"
_THAI = "๐๑๒๓๔๕๖๗๘๙"
_TO_THAI = str.maketrans(_ARABIC, _THAI)
_TO_ARABIC = str.maketrans(_THAI, _ARABIC)

MONTHS: tuple[str, ...] = tuple(get_month_names("wide", locale="th")[m] for m in range(1, 13))

_DIGITS = re.compile(r"[0-9]+")
_LATIN = re.compile(r"[A-Za-z]")
_THAI_LETTER = re.compile(r"[\u0E01-\u0E4F]")


def thai_digits(value: object) -> str:
    """Every Arabic digit in ``value`` as a Thai digit."""
    return str(value).translate(_TO_THAI)


def arabic_digits(value: object) -> str:
    return str(value).translate(_TO_ARABIC)


def _latin_context(text: str, start: int, end: int) -> bool:
    """Whether the digit run text[start:end] belongs to a Latin-script phrase.

    The nearest letters on either side, within the same bracketed phrase,
    decide: "(10 Flagships ... New Normal 2021)" keeps its Arabic digits (allowed
    by the cabinet resolution); "พ.ศ. 2564 (" and "ภายใน 24 ชั่วโมง" do not.
    """
    before = _nearest_letter(reversed(text[:start]))
    after = _nearest_letter(text[end:])
    return "latin" in (before, after) and "thai" not in (before, after)


_PHRASE_BOUNDARY = set("()[]{}\"“”\n")


def _nearest_letter(chars) -> str | None:
    for c in chars:
        if c in _PHRASE_BOUNDARY:
            return None
        if _LATIN.match(c):
            return "latin"
        if _THAI_LETTER.match(c) and c.isalpha():
            return "thai"
    return None


def arabic_digit_runs_in_thai(text: str) -> list[str]:
    """Arabic digit runs that stand in Thai text (what the PDF check rejects)."""
    return [m.group() for m in _DIGITS.finditer(text) if not _latin_context(text, m.start(), m.end())]


def thai_text(value: object) -> str:
    """Thai digits throughout Thai text; Latin-script phrases keep theirs."""
    text = str(value)
    return _DIGITS.sub(
        lambda m: m.group() if _latin_context(text, m.start(), m.end()) else m.group().translate(_TO_THAI),
        text,
    )


def thai_year(d: date) -> str:
    return thai_digits(d.year + BE_OFFSET)


def thai_date(d: date) -> str:
    """"๒๐ มกราคม ๒๕๖๓": day, full Thai month, Buddhist-Era year."""
    return f"{thai_digits(d.day)} {MONTHS[d.month - 1]} {thai_year(d)}"


def thai_month_year(d: date) -> str:
    return f"{MONTHS[d.month - 1]} {thai_year(d)}"


_THAI_DATE = re.compile(r"^\s*([0-9๐-๙]{1,2})\s+(\S+)\s+(?:พ\.ศ\.\s*)?([0-9๐-๙]{4})\s*$")


def parse_date(value: object) -> date:
    """An ISO date, a ``date``, or a Thai date such as "๑๕ กุมภาพันธ์ ๒๕๖๔".

    Raises ValueError (message in Thai) for anything else, including days
    that do not exist.
    """
    if isinstance(value, date):
        return value
    text = unicodedata.normalize("NFC", str(value)).strip()
    match = _THAI_DATE.match(text)
    try:
        if match:
            day, month_name, year = match.groups()
            if month_name not in MONTHS:
                raise ValueError(f"ไม่รู้จักชื่อเดือน “{month_name}” (ต้องเป็นชื่อเดือนเต็ม เช่น มกราคม)")
            return date(int(arabic_digits(year)) - BE_OFFSET, MONTHS.index(month_name) + 1, int(arabic_digits(day)))
        return date.fromisoformat(arabic_digits(text))
    except ValueError as error:
        if "เดือน" in str(error):
            raise
        raise ValueError(
            f"วันที่ “{text}” ไม่ถูกต้องหรือไม่มีอยู่จริง (ต้องเป็น ปปปป-ดด-วว เช่น 2021-02-15 หรือ ๑๕ กุมภาพันธ์ ๒๕๖๔)"
        ) from None


def thai_number(value: float, decimals: int = 0) -> str:
    """A number with grouping and Thai digits: ๑,๒๓๔ or ๘๕.๗๑."""
    return thai_digits(f"{value:,.{decimals}f}")


def thai_percent(part: int, whole: int, decimals: int = 2) -> str:
    """"ร้อยละ ๘๕.๗๑"; an empty whole gives ร้อยละ ๐."""
    share = 100 * part / whole if whole else 0.0
    return "ร้อยละ " + thai_number(share, decimals)


FILTERS = {
    "thai": thai_text,
    "thai_digits": thai_digits,
    "thai_date": thai_date,
    "thai_month_year": thai_month_year,
    "thai_year": thai_year,
    "thai_number": thai_number,
}


def thai_list(items: list[str] | tuple[str, ...]) -> str:
    """"ก", "ก และ ข", "ก ข และ ค": how a Thai letter lists names."""
    items = [str(i) for i in items]
    if len(items) <= 1:
        return "".join(items)
    return " ".join(items[:-1]) + " และ " + items[-1]


FILTERS["thai_list"] = thai_list
