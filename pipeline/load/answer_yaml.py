"""An answer in YAML: one center per file, or the same shape from a web form (``validate_mapping``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from ..model import Answer, Center, Criteria
from ..problems import Problem, line
from ..thai import arabic_digits
from .answer_rules import (
    FIELDS,
    ITEM_KEYS,
    CenterIndex,
    Draft,
    Entry,
    Reading,
    check_date,
    is_blank,
    section_answers,
    section_items,
    shown,
)
from .clean import clean_text
from .yamlfile import YamlFile, optional, read_yaml, validate


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


class YamlAnswer:
    """One answer file: read, checked, and turned into an Answer if nothing is wrong."""

    def __init__(
        self,
        path: Path,
        display: str,
        index: CenterIndex,
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

    def load(self) -> Draft:
        """Read the file at ``path``, then check it."""
        file = read_yaml(self.path, self.display, self.problems)
        return Draft(self.display, "", None, None, False) if file is None else self.check(file)

    def check(self, file: YamlFile) -> Draft:
        """Check what a file (or a form) said; an Answer when nothing is wrong."""
        found = len(self.problems)
        failed = Draft(self.display, "", None, None, False)
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
        return Draft(self.display, self.file.where(("center",)) or "", key, answer, ok)

    def _fields(self, data: dict[str, Any]) -> dict[str, Any]:
        """province, center, assessed_on and assessor, checked by validate (blanks said to be blank)."""
        assert self.file is not None
        spec: dict[str, Any] = {**FIELDS, **{k: optional(None) for k in ITEM_KEYS}}
        spec["assessor"] = dict(FIELDS["assessor"])
        plain = {k: v for k, v in data.items() if k not in ITEM_KEYS}
        for name in ("province", "center", "assessed_on"):
            if name in plain and is_blank(plain[name]):
                self.report("ยังไม่ได้กรอก", self.file.where((name,)), name)
                spec[name], plain[name] = optional(None, ""), None
        assessor = plain.get("assessor")
        if "assessor" in plain and assessor is None:
            self.report("ยังไม่ได้กรอก (ต้องมี name และ position)", self.file.where(("assessor",)), "assessor")
            spec["assessor"] = optional(None)
        elif isinstance(assessor, dict):
            for name in ("name", "position"):
                if name in assessor and is_blank(assessor[name]):
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
            check_date(when, plain["assessed_on"], lambda message: self.report(message, at, "assessed_on"))
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
            self.report(f'ต้องเป็นชุดของ รหัสข้อ: คำตอบ (เช่น "1": มี) แต่พบ{kind(value)}', where, section)
            return {}
        ids = [i.id for i in section_items(self.criteria, section)]
        entries = []
        for key, answer in value.items():
            item = self._item_id(section, key, ids)
            if item is None:
                continue
            entries.append(Entry(item, item, answer, self._key_where(section, key), f"{section}.{item}"))
        if not value:
            entries = [Entry(i, i, None, where, section) for i in ids]
        how = Reading(complete=True, per_item=self.per_item)
        return section_answers(section, entries, self.criteria, self.report, where, how)

    def _notes(self, value: object) -> dict[str, str]:
        assert self.file is not None
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.report(
                f'ต้องเป็นชุดของ รหัสข้อ: หมายเหตุ (เช่น "2": ไม่มีรถโดยสารผ่าน) แต่พบ{kind(value)}',
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
                self.report(f"หมายเหตุต้องเป็นข้อความ แต่พบ{kind(text)}", where, f"notes.{item}")
            elif not is_blank(text):
                notes[item] = clean_text(shown(text))
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
    index = CenterIndex(centers, "centers.csv")
    draft = YamlAnswer(source, display, index, criteria, problems, per_item=True).check(YamlFile(display, data, {}))
    if draft.answer is None or problems:
        return problems
    return draft.answer


def _resolve(text: object) -> object:
    """What an unquoted YAML key with this text becomes (1.10 → 1.1)."""
    try:
        return yaml.safe_load(str(text))
    except (yaml.YAMLError, ValueError, RecursionError):
        return text


def kind(value: object) -> str:
    if isinstance(value, list):
        return "รายการ"
    if isinstance(value, dict):
        return "ชุดคีย์"
    return f" “{shown(value)}”"
