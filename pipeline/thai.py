"""Thai numerals and Buddhist-Era dates: the small Thai-specific pieces.

Babel supplies the Thai month names (CLDR); it has no Buddhist-Era calendar
and no Thai digits, so those two are done here. Everything is exposed as Jinja
filters so templates and input texts say ``{{ date|thai_date }}``.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timedelta

from babel.dates import get_month_names

BE_OFFSET = 543  # Buddhist Era = Common Era + 543

_ARABIC = "0123456789"
_THAI = "๐๑๒๓๔๕๖๗๘๙"
_TO_THAI = str.maketrans(_ARABIC, _THAI)
_TO_ARABIC = str.maketrans(_THAI, _ARABIC)

MONTHS: tuple[str, ...] = tuple(get_month_names("wide", locale="th")[m] for m in range(1, 13))
SHORT_MONTHS: tuple[str, ...] = tuple(get_month_names("abbreviated", locale="th")[m] for m in range(1, 13))

_DIGITS = re.compile(r"[0-9]+")
# The typed-text rule (README, "Digits in typed text"): a phrase is what stands between Thai letters
# (U+0E01-U+0E4F; Thai digits are not letters), brackets and quotes. A phrase with a Latin letter
# is Latin script and keeps its digits as typed ("5G", "Wi-Fi 6", "24/7 Call Center",
# "(New Normal 2021)"); every other digit becomes a Thai digit ("ภายใน ๒๔ ชั่วโมง", "พ.ศ. ๒๕๖๔ (").
# A line break is not a boundary, so where a line wraps never changes what the rule says.
_PHRASE = re.compile('[^\u0e01-\u0e4f()\\[\\]{}"“”]+')
_LATIN = re.compile("[A-Za-z\u00c0-\u024f]")


def thai_digits(value: object) -> str:
    """Every Arabic digit in ``value`` as a Thai digit."""
    return str(value).translate(_TO_THAI)


def arabic_digits(value: object) -> str:
    return str(value).translate(_TO_ARABIC)


def thai_digit_runs(text: str) -> list[tuple[int, int]]:
    """Where the Arabic digit runs are that the rule writes as Thai digits (start, end)."""
    runs = []
    for phrase in _PHRASE.finditer(text):
        if _LATIN.search(phrase.group()):
            continue  # a Latin-script phrase keeps its digits
        runs += [(phrase.start() + d.start(), phrase.start() + d.end()) for d in _DIGITS.finditer(phrase.group())]
    return runs


def arabic_digit_runs_in_thai(text: str) -> list[str]:
    """The Arabic digit runs ``thai_text`` would have written as Thai digits (what the PDF check rejects)."""
    return [text[start:end] for start, end in thai_digit_runs(text)]


def thai_text(value: object) -> str:
    """Typed or input text as a document prints it: Thai digits in Thai text; Latin-script phrases keep theirs.

    The one rule for everything a person types (notes, names, positions, the
    circular's fields); the PDF check rejects exactly the digits this would
    have changed (``arabic_digit_runs_in_thai``), so what a clerk typed can
    never fail a check.
    """
    text = str(value)
    out, at = [], 0
    for start, end in thai_digit_runs(text):
        out += [text[at:start], text[start:end].translate(_TO_THAI)]
        at = end
    return "".join(out) + text[at:]


def thai_year(d: date) -> str:
    return thai_digits(d.year + BE_OFFSET)


def thai_date(d: date) -> str:
    """“๒๐ มกราคม ๒๕๖๓”: day, full Thai month, Buddhist-Era year."""
    return f"{thai_digits(d.day)} {MONTHS[d.month - 1]} {thai_year(d)}"


def thai_short_date(d: date) -> str:
    """“๕ ธ.ค. ๒๕๖๙”: day, abbreviated Thai month, Buddhist-Era year (pages, tables)."""
    return f"{thai_digits(d.day)} {SHORT_MONTHS[d.month - 1]} {thai_year(d)}"


def thai_datetime(moment: datetime) -> str:
    """“๕ ธ.ค. ๒๕๖๙ ๑๗:๑๔”: a moment as a page shows it."""
    return f"{thai_short_date(moment)} {thai_digits(moment.strftime('%H:%M'))}"


def thai_month_year(d: date) -> str:
    return f"{MONTHS[d.month - 1]} {thai_year(d)}"


# Month names as clerks write them, compared without dots and spaces ("ก.พ." = "กพ" = "ก. พ."):
# the full name and the abbreviation from CLDR (Babel), and the spoken short form ("กุมภา").
_SPOKEN = ("มกรา", "กุมภา", "มีนา", "เมษา", "พฤษภา", "มิถุนา", "กรกฎา", "สิงหา", "กันยา", "ตุลา", "พฤศจิกา", "ธันวา")


def _month_key(name: str) -> str:
    return re.sub(r"[.\s]", "", name)


_MONTH_NUMBERS: dict[str, int] = {
    _month_key(name): number
    for names in (MONTHS, tuple(get_month_names("abbreviated", locale="th")[m] for m in range(1, 13)), _SPOKEN)
    for number, name in enumerate(names, start=1)
}

# After Thai digits became Arabic: "15 ก.พ. 2564", "15 กุมภาพันธ์ พ.ศ. 2564", "15 ก.พ.64".
_THAI_DATE = re.compile(
    r"^([0-9]{1,2})\s*([\u0E01-\u0E4F.][\u0E01-\u0E4F.\s]*?)\s*(?:(?:พ\.\s*ศ\.|ค\.\s*ศ\.)\s*)?([0-9]{4}|[0-9]{2})$"
)
_NUMERIC_DATE = re.compile(r"^([0-9]{1,2})\s*([/.\-])\s*([0-9]{1,2})\s*\2\s*([0-9]+)$")  # d/m/yyyy, d-m-yyyy, d.m.yyyy
_TIME = re.compile(r"(?<=[0-9])(?:\s+|T)[0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?$")  # "24/2/2564 0:00"
_EXCEL_EPOCH = date(1899, 12, 30)  # serial 1 is 1900-01-01 (Excel counts a 29 February 1900 that never was)
_SERIALS = range(36526, 73051)  # 2000-01-01 … 2099-12-31: a bare number outside is not a date
FORMS = "ปปปป-ดด-วว เช่น 2021-02-15, วัน/เดือน/ปี เช่น 15/2/2564, ๑๕ กุมภาพันธ์ ๒๕๖๔ หรือ ๑๕ ก.พ. ๖๔"


def _year(text: str) -> int:
    """The Christian year: a year above 2400 is Buddhist, a two-digit one is Buddhist 25xx, others Christian."""
    year = int(text)
    if len(text) == 2:
        year += 2500
    return year - BE_OFFSET if year > 2400 else year


def parse_date(value: object) -> date:
    """A date as Thai clerks write it, in a CSV, a YAML file or a workbook cell.

    A ``date`` (or ``datetime``, as openpyxl gives date cells); ISO with the
    Christian year ("2021-02-15"); day/month/year as Excel on a Thai Windows
    shows it ("15/2/2564", a year above 2400 being Buddhist, "15/2/2021" also
    read); the day and a Thai month, full, abbreviated or spoken, with a
    Buddhist year ("๑๕ กุมภาพันธ์ ๒๕๖๔", "๑๕ ก.พ. ๖๔": a two-digit year is
    25xx, as abbreviated Thai dates are written); an Excel date serial
    (44242) when a cell lost its date format. Thai or Arabic digits.

    Raises ValueError (message in Thai) for anything else, including days
    that do not exist.
    """
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value == int(value):
        value = str(int(value))
    shown = unicodedata.normalize("NFC", str(value)).replace("\u00a0", " ").strip()
    text = _TIME.sub("", arabic_digits(shown))  # a time of day saved with the date says nothing about the day
    try:
        if text.isdigit() and int(text) in _SERIALS:
            return _EXCEL_EPOCH + timedelta(days=int(text))
        match = _THAI_DATE.match(text)
        if match:
            day, month_name, year = match.groups()
            month = _MONTH_NUMBERS.get(_month_key(month_name))
            if month is None:
                raise ValueError(f"ไม่รู้จักชื่อเดือน “{month_name.strip()}” (ต้องเป็นชื่อเดือนเต็ม เช่น กุมภาพันธ์ หรือชื่อย่อ เช่น ก.พ.)")
            return date(_year(year), month, int(day))
        numeric = _NUMERIC_DATE.match(text)
        if numeric:
            day, _, number, year = numeric.groups()
            if len(year) != 4:
                raise ValueError(f"ปีในวันที่ “{shown}” ต้องมี ๔ หลัก เช่น 15/2/2564")
            return date(_year(year), int(number), int(day))
        return date.fromisoformat(text)
    except ValueError as error:
        if "เดือน" in str(error) or "๔ หลัก" in str(error):
            raise
        raise ValueError(f"วันที่ “{shown}” ไม่ถูกต้องหรือไม่มีอยู่จริง (ต้องเป็น {FORMS})") from None


def thai_number(value: float, decimals: int = 0) -> str:
    """A number with grouping and Thai digits: ๑,๒๓๔ or ๘๕.๗๑."""
    return thai_digits(f"{value:,.{decimals}f}")


def thai_percent(part: int, whole: int, decimals: int = 2) -> str:
    """“ร้อยละ ๘๕.๗๑”; an empty whole gives ร้อยละ ๐."""
    share = 100 * part / whole if whole else 0.0
    return "ร้อยละ " + thai_number(share, decimals)


FILTERS = {
    "thai": thai_text,
    "thai_digits": thai_digits,
    "thai_date": thai_date,
    "thai_short_date": thai_short_date,
    "thai_datetime": thai_datetime,
    "thai_month_year": thai_month_year,
    "thai_year": thai_year,
    "thai_number": thai_number,
}


def thai_list(items: list[str] | tuple[str, ...]) -> str:
    """“ก”, "ก และ ข", "ก ข และ ค": how a Thai letter lists names."""
    items = [str(i) for i in items]
    if len(items) <= 1:
        return "".join(items)
    return " ".join(items[:-1]) + " และ " + items[-1]


FILTERS["thai_list"] = thai_list
