"""inputs/answers/: each center's self-assessment against the GECC criteria.

One YAML file per center (what ``python -m pipeline`` writes blank for the
clerk to fill in), or one CSV or .xlsx workbook for many centers (what a
spreadsheet saves; ``init-answers --xlsx`` writes the workbook to send out).
Every file is checked completely and every problem of every file comes back
at once; a file (or CSV row) with any problem gives no answer, the others do.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from ..model import Answer, Center, Criteria, PhysicalItem, QualityItem
from ..problems import Problem, line
from ..thai import arabic_digits, parse_date
from .centers import centers_path, suggest
from .clean import clean_text
from .display import display_path
from .tabular import OTHER_SPREADSHEETS, WORKBOOK_SUFFIXES, read_any
from .yamlfile import DATE, TEXT, YamlFile, optional, read_yaml, validate

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
# _items, so validate() only sees them as optional placeholders (spec None is
# never evaluated: the keys are taken out of the data it checks).
FIELDS: dict[str, Any] = {
    "province": TEXT,
    "center": TEXT,
    "assessed_on": DATE,
    "assessor": {"name": TEXT, "position": TEXT},
}
ITEM_KEYS = ("physical", "quality", "notes")

FIRST_YEAR = 2000  # no GECC assessment predates this; an earlier year is a Buddhist/Christian era mix-up


def answer_files(folder: Path) -> list[Path]:
    """Every entry of the answers folder a clerk put there, in name order (hidden and README files left out)."""
    if not folder.is_dir():
        return []
    return sorted((p for p in folder.iterdir() if not _ignored(p)), key=lambda p: p.name)


def _ignored(path: Path) -> bool:
    name = path.name
    lower = name.lower()
    # dot files include the loader's own temporary files (".x.yaml.part-…"); "~$x.xlsx" is Excel's lock file
    return name.startswith((".", "~$")) or lower.startswith("readme") or lower in {"thumbs.db", "desktop.ini"}


def load_answers(
    folder: Path, inputs: Path, centers: Sequence[Center], criteria: Criteria
) -> tuple[list[Answer], list[Problem]]:
    """The valid answers, and every problem of every answer file.

    A missing folder means no answers yet: no answers and no problem.
    """

    problems: list[Problem] = []
    index = _CenterIndex(centers, display_path(centers_path(inputs), inputs))
    drafts: list[_Draft] = []
    for path in answer_files(folder):
        display = display_path(path, inputs)
        suffix = path.suffix.lower()
        if path.is_dir():
            problems.append(Problem(display, "โฟลเดอร์ย่อยจะไม่ถูกอ่าน: วางไฟล์คำตอบไว้ในโฟลเดอร์ answers โดยตรง"))
        elif suffix in YAML_SUFFIXES:
            drafts.append(_YamlAnswer(path, display, index, criteria, problems).load())
        elif suffix == ".csv" or suffix in WORKBOOK_SUFFIXES:
            drafts.extend(_csv_answers(path, display, index, criteria, problems))
        elif suffix in OTHER_SPREADSHEETS:
            problems.append(
                Problem(
                    display,
                    "อ่านไฟล์ชนิดนี้โดยตรงไม่ได้: ให้บันทึกเป็น Excel Workbook (.xlsx) หรือ CSV (Save As) ไว้ในโฟลเดอร์เดียวกัน",
                )
            )
        else:
            problems.append(Problem(display, "ไม่รู้จักไฟล์ชนิดนี้ (ไฟล์คำตอบต้องลงท้ายด้วย .yaml, .yml, .csv หรือ .xlsx)"))
    _report_duplicates(drafts, problems)
    answers = [d.answer for d in drafts if d.ok and d.answer is not None]
    return answers, problems


# --- shared pieces ------------------------------------------------------------


@dataclass
class _Draft:
    """What one file or CSV row said, before duplicates across files are known."""

    display: str
    where: str  # where the center is named, for duplicate messages
    key: tuple[str, str] | None  # (province, center) when it names a known center
    answer: Answer | None
    ok: bool


class _CenterIndex:
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


def _check_date(value: date, raw: object, report: Callable[[str], None]) -> None:
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


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not clean_text(value))


@dataclass(frozen=True)
class _Entry:
    """One item's answer as written: the id it means, the value, and where it stands."""

    id: str
    label: str  # as the clerk wrote it: "1.1" in YAML, "q1.1" in CSV
    value: object
    where: str | None
    field: str


def _items(
    section: str,
    entries: list[_Entry],
    criteria: Criteria,
    report: Callable[..., None],
    where: str | None,
    complete: bool,
    per_item: bool = False,
) -> dict[str, bool]:
    """The answers of one section by id; every problem reported.

    ``complete``: whether an id left out is a problem here (a YAML file must
    list every id; a CSV always has every column, read_table sees to that).
    ``per_item``: unanswered and missing items reported one by one on their own
    field ("physical.3"), not as one list on the section.
    """
    ids = [i.id for i in _section_items(criteria, section)]
    other = "quality" if section == "physical" else "physical"
    other_ids = {i.id for i in _section_items(criteria, other)}
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
        if _blank(entry.value):
            blank.append(entry.label)
            continue
        answer = _value(entry.value, allowed)
        if answer is None:
            report(f"คำตอบ “{_shown(entry.value)}” ใช้ไม่ได้ (ใช้ได้: {SHOWN_VALUES[section]})", entry.where, entry.field)
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


def _section_items(criteria: Criteria, section: str) -> Sequence[PhysicalItem | QualityItem]:
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


def _shown(value: object) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


# --- YAML: one center per file -------------------------------------------------


def item_id(key: object, ids: Sequence[str]) -> str | None:
    """The criteria id a YAML key stands for; None when an unquoted number could be two ids.

    Quoted keys arrive as text ("1.1"; Thai digits "๑.๑" are read as Arabic).
    Unquoted ones arrive as numbers: 1 as the int 1, 1.1 as the float 1.1. A
    number is matched against the ids by value, so 1.1 is "1.1". Written
    unquoted, 1.10 is the same float as 1.1: were there ever an id "1.10"
    beside "1.1", the number could not say which one it meant (None; the
    caller asks for quotes). The criteria have no such pair today (no topic
    has ten items), so every unquoted key is unambiguous for now.
    """
    if isinstance(key, bool) or not isinstance(key, (int, float)):
        return arabic_digits(clean_text(str(key)))
    matches = _number_matches(key, ids)
    if len(matches) > 1:
        return None
    return matches[0] if matches else str(key)


def _number_matches(key: float, ids: Sequence[str]) -> list[str]:
    return [i for i in ids if _number(i) == key]


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


class _YamlAnswer:
    """One answer file: read, checked, and turned into an Answer if nothing is wrong."""

    def __init__(
        self,
        path: Path,
        display: str,
        index: _CenterIndex,
        criteria: Criteria,
        problems: list[Problem],
        *,
        per_item: bool = False,
    ):
        self.path, self.display, self.index, self.criteria = path, display, index, criteria
        self.problems = problems
        self.per_item = per_item  # every unanswered item its own problem (a form shows each beside its field)
        self.file: YamlFile | None = None

    def report(self, message: str, where: str | None = None, field: str | None = None) -> None:
        self.problems.append(Problem(self.display, message, where, field))

    def load(self) -> _Draft:
        """Read the file at ``path``, then check it."""
        file = read_yaml(self.path, self.display, self.problems)
        return _Draft(self.display, "", None, None, False) if file is None else self.check(file)

    def check(self, file: YamlFile) -> _Draft:
        """Check what a file (or a form) said; an Answer when nothing is wrong."""
        found = len(self.problems)
        failed = _Draft(self.display, "", None, None, False)
        self.file = file
        data = self.file.data
        if not isinstance(data, dict):
            validate(self.file, FIELDS, self.problems)  # "ต้องเป็นชุดคีย์ … แต่พบ …"
            return failed
        fields = self._fields(data)
        key = None
        where = file.where
        if fields["province"] and fields["center"]:
            key = self.index.check(
                fields["province"], fields["center"], lambda message, name: self.report(message, where((name,)), name)
            )
        physical = self._section("physical", data)
        quality = self._section("quality", data)
        notes = self._notes(data.get("notes"))
        ok = len(self.problems) == found
        answer = (
            Answer(
                fields["province"],
                fields["center"],
                fields["assessed_on"],
                fields["assessor"]["name"],
                fields["assessor"]["position"],
                physical,
                quality,
                notes,
                self.path,
            )
            if ok
            else None
        )
        return _Draft(self.display, self.file.where(("center",)) or "", key, answer, ok)

    def _fields(self, data: dict[str, Any]) -> dict[str, Any]:
        """province, center, assessed_on and assessor, checked by validate (blanks said to be blank)."""
        assert self.file is not None
        spec: dict[str, Any] = {**FIELDS, **{k: optional(None) for k in ITEM_KEYS}}
        spec["assessor"] = dict(FIELDS["assessor"])
        plain = {k: v for k, v in data.items() if k not in ITEM_KEYS}
        for name in ("province", "center", "assessed_on"):
            if name in plain and _blank(plain[name]):
                self.report("ยังไม่ได้กรอก", self.file.where((name,)), name)
                spec[name], plain[name] = optional(None, ""), None
        assessor = plain.get("assessor")
        if "assessor" in plain and assessor is None:
            self.report("ยังไม่ได้กรอก (ต้องมี name และ position)", self.file.where(("assessor",)), "assessor")
            spec["assessor"] = optional(None)
        elif isinstance(assessor, dict):
            for name in ("name", "position"):
                if name in assessor and _blank(assessor[name]):
                    self.report("ยังไม่ได้กรอก", self.file.where(("assessor", name)), f"assessor.{name}")
                    spec["assessor"][name] = optional(None, "")
                    plain["assessor"] = {**plain["assessor"], name: None}
        result = validate(YamlFile(self.display, plain, self.file.lines), spec, self.problems) or {}
        if not isinstance(result.get("assessor"), dict):
            result["assessor"] = {"name": "", "position": ""}
        for name in ("province", "center"):
            result[name] = result.get(name) or ""
        when = result.get("assessed_on")
        if isinstance(when, date):
            at = self.file.where(("assessed_on",))
            _check_date(when, plain["assessed_on"], lambda message: self.report(message, at, "assessed_on"))
        return result

    def _section(self, section: str, data: dict[str, Any]) -> dict[str, bool]:
        assert self.file is not None
        where = self.file.where((section,))
        if section not in data:
            self.report(f"ขาดคีย์ “{section}” ที่ต้องมี")
            return {}
        value = data[section]
        if value is None:
            value = {}  # "physical:" with nothing under it: every item unanswered
        if not isinstance(value, dict):
            self.report(f'ต้องเป็นชุดของ รหัสข้อ: คำตอบ (เช่น "1": มี) แต่พบ{_kind(value)}', where, section)
            return {}
        ids = [i.id for i in _section_items(self.criteria, section)]
        entries = []
        for key, answer in value.items():
            item = self._item_id(section, key, ids)
            if item is None:
                continue
            entries.append(_Entry(item, item, answer, self._key_where(section, key), f"{section}.{item}"))
        if not value:
            entries = [_Entry(i, i, None, where, section) for i in ids]
        return _items(section, entries, self.criteria, self.report, where, complete=True, per_item=self.per_item)

    def _notes(self, value: object) -> dict[str, str]:
        assert self.file is not None
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.report(
                f'ต้องเป็นชุดของ รหัสข้อ: หมายเหตุ (เช่น "2": ไม่มีรถโดยสารผ่าน) แต่พบ{_kind(value)}',
                self.file.where(("notes",)),
                "notes",
            )
            return {}
        physical = [i.id for i in self.criteria.physical]
        quality = [i.id for i in self.criteria.quality]
        notes: dict[str, str] = {}
        for key, text in value.items():
            item = self._item_id("notes", key, physical + quality)
            if item is None:
                continue
            where = self._key_where("notes", key)
            if item not in physical and item not in quality:
                self.report(f"ไม่รู้จักข้อ “{item}” (หมายเหตุต้องเป็นของข้อใน physical หรือ quality)", where, f"notes.{item}")
            elif isinstance(text, (dict, list)):
                self.report(f"หมายเหตุต้องเป็นข้อความ แต่พบ{_kind(text)}", where, f"notes.{item}")
            elif not _blank(text):
                notes[item] = clean_text(_shown(text))
        return notes

    def _item_id(self, section: str, key: object, ids: Sequence[str]) -> str | None:
        item = item_id(key, ids)
        if item is None:
            matches = _number_matches(key, ids)  # type: ignore[arg-type]
            self.report(
                f'รหัสข้อ {key} ที่ไม่มีเครื่องหมายคำพูดอาจเป็นข้อ {" หรือ ".join(matches)}: ใส่เครื่องหมายคำพูด เช่น "{matches[-1]}"',
                self._key_where(section, key),
                section,
            )
        return item

    def _key_where(self, section: str, key: object) -> str | None:
        """The line of a key, also when YAML turned its text into a number (1.10 → 1.1)."""
        assert self.file is not None
        lines = self.file.lines
        if (section, str(key)) in lines:
            return line(lines[(section, str(key))])
        for k, number in lines.items():
            if len(k) == 2 and k[0] == section and type(_resolve(k[1])) is type(key) and _resolve(k[1]) == key:
                return line(number)
        return self.file.where((section,))


def validate_mapping(
    data: object, display: str, source: Path, centers: Sequence[Center], criteria: Criteria
) -> Answer | list[Problem]:
    """One center's answers given as data (the answer file's shape, e.g. from a web form): the same
    rules as an answer file, every unanswered item its own problem on its own field ("physical.3").

    ``display`` names the answers in problems; ``source`` is the answer file they will be kept in.
    """
    problems: list[Problem] = []
    index = _CenterIndex(centers, "centers.csv")
    draft = _YamlAnswer(source, display, index, criteria, problems, per_item=True).check(YamlFile(display, data, {}))
    if draft.answer is None or problems:
        return problems
    return draft.answer


def _resolve(text: object) -> object:
    """What an unquoted YAML key with this text becomes (1.10 → 1.1)."""
    try:
        return yaml.safe_load(str(text))
    except (yaml.YAMLError, ValueError):
        return text


def _kind(value: object) -> str:
    if isinstance(value, list):
        return "รายการ"
    if isinstance(value, dict):
        return "ชุดคีย์"
    return f" “{_shown(value)}”"


# --- CSV and workbooks: one row per center --------------------------------------


def csv_columns(criteria: Criteria) -> list[str]:
    return CSV_FIELDS + [CSV_PREFIX[s] + i.id for s in SECTIONS for i in _section_items(criteria, s)]


def _csv_answers(
    path: Path, display: str, index: _CenterIndex, criteria: Criteria, problems: list[Problem]
) -> list[_Draft]:
    table = read_any(path, display, csv_columns(criteria), problems, sheet_names=SHEET_NAMES)
    if table is None:
        return []
    drafts = []
    for number, values in table.rows:
        if table.sheet is not None:
            if _not_answered_yet(values):
                continue
            values = _ticked_quality(values, criteria)
        found = len(problems)
        where = table.where(number)

        def report(message: str, at: str | None = where, field: str | None = None, *, row: str = where) -> None:
            problems.append(Problem(display, message, at or row, field))

        def report_field(message: str, name: str, number: int = number) -> None:
            report(message, table.where(number, name), name)

        for name in CSV_FIELDS:
            if not values[name]:
                report("ยังไม่ได้กรอก", table.where(number, name), name)
        when = None
        if values["assessed_on"]:
            try:
                when = parse_date(values["assessed_on"])
            except ValueError as error:
                report(str(error), table.where(number, "assessed_on"), "assessed_on")
            else:
                _check_date(
                    when,
                    values["assessed_on"],
                    lambda message: report_field(message, "assessed_on"),
                )
        key = None
        if values["province"] and values["center"]:
            key = index.check(
                values["province"],
                values["center"],
                report_field,
            )
        sections = {}
        for section in SECTIONS:
            prefix = CSV_PREFIX[section]
            entries = [
                _Entry(i.id, prefix + i.id, values[prefix + i.id], table.where(number, prefix + i.id), prefix + i.id)
                for i in _section_items(criteria, section)
            ]
            sections[section] = _items(section, entries, criteria, report, where, complete=False)
        ok = len(problems) == found
        answer = (
            Answer(
                values["province"],
                values["center"],
                when,
                values["assessor_name"],
                values["assessor_position"],
                sections["physical"],
                sections["quality"],
                {},
                path,
                where,
                _row_text(table.columns, values),
            )
            if ok and when is not None
            else None
        )
        drafts.append(_Draft(display, where, key, answer, ok))
    return drafts


def _not_answered_yet(values: dict[str, str]) -> bool:
    """A workbook row naming only its center, as ``init-answers --xlsx`` writes it: that center has not answered."""
    return not any(v for k, v in values.items() if k not in ("province", "center"))


def _ticked_quality(values: dict[str, str], criteria: Criteria) -> dict[str, str]:
    """In a workbook a quality item is ticked (✓) or left blank, as on the paper form: blank is not met.

    Only once the row answers some quality item: a row with none answered is
    more likely unfinished than failing all of them, and is reported as such.
    """
    columns = [CSV_PREFIX["quality"] + i.id for i in criteria.quality]
    if not any(values[c] for c in columns):
        return values
    return {k: "FALSE" if k in columns and not v else v for k, v in values.items()}


def _row_text(columns: list[str], values: dict[str, str]) -> str:
    """This center's row with the header, as CSV: what the archive keeps of a many-center file."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    writer.writerow([values[c] for c in columns])
    return buffer.getvalue()


# --- across files --------------------------------------------------------------


def _report_duplicates(drafts: list[_Draft], problems: list[Problem]) -> None:
    """A center answered twice: both places are named, and neither answer is used."""
    by_center: dict[tuple[str, str], list[_Draft]] = {}
    for draft in drafts:
        if draft.key is not None:
            by_center.setdefault(draft.key, []).append(draft)
    for (province, name), group in by_center.items():
        if len(group) < 2:
            continue
        for draft in group:
            others = [f"{o.display}" + (f" {o.where}" if o.where else "") for o in group if o is not draft]
            problems.append(
                Problem(
                    draft.display,
                    f"ศูนย์ “{name}” จังหวัด{province} มีคำตอบมากกว่าหนึ่งแห่ง: ซ้ำกับ {' และ '.join(others)} (ให้เหลือไว้แห่งเดียว)",
                    draft.where or None,
                    "center",
                )
            )
            draft.ok = False
