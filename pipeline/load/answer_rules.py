"""What an answer says, whatever file it came in: the values accepted, the centers known, the checks
of one section's items. Shared by the YAML reader (``answer_yaml``) and the table reader (``answer_table``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from ..model import Answer, Center, Criteria, PhysicalItem, QualityItem
from .centers import suggest
from .clean import clean_text
from .tabular import WORKBOOK_SUFFIXES
from .yamlfile import DATE, TEXT

YAML_SUFFIXES = frozenset({".yaml", ".yml"})
SUFFIXES = YAML_SUFFIXES | {".csv"} | WORKBOOK_SUFFIXES
SECTIONS = ("physical", "quality")

# Values, after clean-up and lower-casing: what the paper form says (มี/ไม่มี), what
# Excel writes (TRUE/FALSE, 1/0) and the ticks of the workbook's drop-downs (✓/✗).
# Every column is one section's, so each value means one thing wherever it stands.
PHYSICAL_VALUES = {
    "มี": True,
    "ไม่มี": False,
    "✓": True,
    "✔": True,
    "✗": False,
    "✘": False,
    "1": True,
    "0": False,
    "true": True,
    "false": False,
}
QUALITY_VALUES = dict(PHYSICAL_VALUES)
ALLOWED = {"physical": PHYSICAL_VALUES, "quality": QUALITY_VALUES}
SHOWN_VALUES = {"physical": "มี, ไม่มี, ✓, ✗, 1, 0, TRUE, FALSE", "quality": "true, false, มี, ไม่มี, ✓, ✗, 1, 0"}
HOW_TO_ANSWER = {"physical": "มี หรือ ไม่มี", "quality": "true หรือ false; จะใส่ มี หรือ ไม่มี ก็ได้"}
# A workbook's sheet of this name holds the answers; otherwise its first visible sheet does.
SHEET_NAMES = ("คำตอบ", "answers")

# The CSV: these columns, then p<id> for each physical item and q<id> for each quality item.
CSV_FIELDS = ["province", "center", "assessed_on", "assessor_name", "assessor_position"]
CSV_PREFIX = {"physical": "p", "quality": "q"}

# The YAML keys other than the item sections; the sections are checked by
# section_answers, so validate() only sees them as optional placeholders (spec None is
# never evaluated: the keys are taken out of the data it checks).
FIELDS: dict[str, Any] = {
    "province": TEXT,
    "center": TEXT,
    "assessed_on": DATE,
    "assessor": {"name": TEXT, "position": TEXT},
}
ITEM_KEYS = ("physical", "quality", "notes")

FIRST_YEAR = 2000  # no GECC assessment predates this; an earlier year is a Buddhist/Christian era mix-up


@dataclass
class Draft:
    """What one file or CSV row said, before duplicates across files are known."""

    display: str
    where: str  # where the center is named, for duplicate messages
    key: tuple[str, str] | None  # (province, center) when it names a known center
    answer: Answer | None
    ok: bool


class CenterIndex:
    """The centers of inputs/centers.csv, for naming the right one when an answer names a wrong one."""

    def __init__(self, centers: Sequence[Center], display: str):
        self.display = display
        self.pairs = {(c.province, c.name) for c in centers}
        self.by_province: dict[str, list[str]] = {}
        self.by_name: dict[str, list[str]] = {}
        for c in centers:
            self.by_province.setdefault(c.province, []).append(c.name)
            self.by_name.setdefault(c.name, []).append(c.province)

    def check(self, province: str, name: str, report: Callable[[str, str], None]) -> tuple[str, str] | None:
        """(province, name) if it is a center of the list; otherwise one problem on the field at fault."""
        if (province, name) in self.pairs:
            return province, name
        if province not in self.by_province:
            homes = self.by_name.get(name, [])
            hint = (
                f" หรือหมายถึง “{homes[0]}”? (ศูนย์ “{name}” อยู่ในจังหวัด{homes[0]})"
                if len(homes) == 1
                else suggest(province, list(self.by_province))
            )
            report(f"ไม่มีจังหวัด “{province}” ในรายชื่อศูนย์ ({self.display}){hint}", "province")
            return None
        homes = self.by_name.get(name, [])
        if homes:
            report(f"ศูนย์ “{name}” อยู่ในจังหวัด{thai_or(homes)} ไม่ใช่จังหวัด{province} (ตาม {self.display})", "center")
            return None
        names = self.by_province[province]
        hint = suggest(name, names) or (f" (ศูนย์ของจังหวัดนี้: {', '.join(names)})" if len(names) <= 3 else "")
        report(f"ไม่มีศูนย์ “{name}” ของจังหวัด{province} ในรายชื่อศูนย์ ({self.display}){hint}", "center")
        return None


def thai_or(names: list[str]) -> str:
    return " หรือ ".join(names)


def check_date(value: date, raw: object, report: Callable[[str], None]) -> None:
    """A date that parses but cannot be an assessment date: mostly Buddhist and Christian years mixed up."""
    last = date.today().year + 1
    if FIRST_YEAR <= value.year <= last:
        return
    if FIRST_YEAR <= value.year - 543 <= last:
        report(
            f"ปี {value.year} ในวันที่ “{raw}” น่าจะเป็นปี พ.ศ.: วันที่แบบ ปปปป-ดด-วว ต้องใช้ปี ค.ศ. "
            f"(เช่น 2021-02-15) หรือเขียนแบบไทย เช่น ๑๕ กุมภาพันธ์ ๒๕๖๔"
        )
    elif FIRST_YEAR <= value.year + 543 <= last:
        report(
            f"ปีในวันที่ “{raw}” น่าจะเป็นปี ค.ศ.: วันที่แบบไทยต้องใช้ปี พ.ศ. (เช่น ๑๕ กุมภาพันธ์ ๒๕๖๔) "
            f"หรือเขียนแบบ ปปปป-ดด-วว ด้วยปี ค.ศ. (เช่น 2021-02-15)"
        )
    else:
        report(f"วันที่ “{raw}” อยู่นอกช่วงที่เป็นไปได้ (ปี ค.ศ. {FIRST_YEAR}–{last})")


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not clean_text(value))


@dataclass(frozen=True)
class Entry:
    """One item's answer as written: the id it means, the value, and where it stands."""

    id: str
    label: str  # as the clerk wrote it: "1.1" in YAML, "q1.1" in CSV
    value: object
    where: str | None
    field: str


@dataclass(frozen=True)
class Reading:
    """How a section is read. ``complete``: whether an id left out is a problem (a YAML file must
    list every id; a CSV always has every column, read_table sees to that). ``per_item``: unanswered
    and missing items reported one by one on their own field ("physical.3"), not as one list."""

    complete: bool
    per_item: bool = False


def section_answers(
    section: str,
    entries: list[Entry],
    criteria: Criteria,
    report: Callable[..., None],
    where: str | None,
    how: Reading,
) -> dict[str, bool]:
    """The answers of one section by id; every problem reported (``how``: see Reading)."""
    complete, per_item = how.complete, how.per_item
    ids = [i.id for i in section_items(criteria, section)]
    other = "quality" if section == "physical" else "physical"
    other_ids = {i.id for i in section_items(criteria, other)}
    allowed = ALLOWED[section]
    answers: dict[str, bool] = {}
    seen: dict[str, str | None] = {}
    blank: list[str] = []
    for entry in entries:
        if entry.id not in ids:
            if entry.id in other_ids:
                report(f"ข้อ {entry.label} เป็นข้อของ {other} ไม่ใช่ {section}", entry.where, entry.field)
            else:
                report(
                    f"ไม่รู้จักข้อ “{entry.label}” ใน {section} (ข้อที่มี: {ids[0]}–{ids[-1]} ตาม criteria.yaml)",
                    entry.where,
                    entry.field,
                )
            continue
        if entry.id in seen:
            report(f"ข้อ {entry.id} ซ้ำ (ตอบไว้แล้วที่{seen[entry.id] or 'ก่อนหน้า'})", entry.where, entry.field)
            continue
        seen[entry.id] = entry.where
        if is_blank(entry.value):
            blank.append(entry.label)
            continue
        answer = _value(entry.value, allowed)
        if answer is None:
            report(f"คำตอบ “{shown(entry.value)}” ใช้ไม่ได้ (ใช้ได้: {SHOWN_VALUES[section]})", entry.where, entry.field)
        else:
            answers[entry.id] = answer
    missing = [i for i in ids if i not in seen] if complete else []
    if per_item:
        for label in blank + missing:
            report(f"ยังไม่ได้ตอบข้อ {label} (ใส่ {HOW_TO_ANSWER[section]})", where, f"{section}.{label}")
        return answers
    if blank:
        report(f"ยังไม่ได้ตอบข้อ {', '.join(blank)} (ใส่ {HOW_TO_ANSWER[section]})", where, section)
    if missing:
        report(f"ขาดข้อ {', '.join(missing)} (ต้องตอบครบทุกข้อ {ids[0]}–{ids[-1]})", where, section)
    return answers


def section_items(criteria: Criteria, section: str) -> Sequence[PhysicalItem | QualityItem]:
    return criteria.physical if section == "physical" else criteria.quality


def _value(value: object, allowed: dict[str, bool]) -> bool | None:
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, int) and value in (0, 1):  # YAML's unquoted 1 and 0
        text = str(value)
    elif isinstance(value, str):
        text = clean_text(value).lower()
    else:
        return None
    return allowed.get(text)


def shown(value: object) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)
