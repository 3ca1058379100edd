"""YAML inputs with line numbers, and a small schema check that reports in Thai.

PyYAML loses line numbers once a document becomes Python objects, so the node
tree is walked once to remember the line of every key; problems then point a
clerk at the exact line to fix.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from jinja2 import TemplateSyntaxError

from ..problems import Problem
from ..templating import TEXT_ENV
from ..thai import parse_date
from .clean import clean_text
from .limits import read_input

Key = tuple[str | int, ...]


class _Loader(yaml.SafeLoader):
    """SafeLoader that leaves dates as text: PyYAML's own date parsing fails on
    2021-02-30 without a line number; parse_date reports it in Thai instead."""

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        """Aliases refused: "*a" repeats a whole subtree, and a few lines of them make billions
        of nodes (the loader walks every alias again). Nobody writes them in these files."""
        if self.check_event(yaml.AliasEvent):
            raise AliasRefused(self.peek_event().start_mark)  # type: ignore[no-untyped-call]
        return super().compose_node(parent, index)


class AliasRefused(Exception):
    def __init__(self, mark: yaml.Mark):
        super().__init__(mark)
        self.mark = mark


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass
class YamlFile:
    display: str
    data: Any
    lines: dict[Key, int]

    def where(self, key: Key) -> str | None:
        """The line of ``key`` or of its nearest parent that has one."""
        while key:
            if key in self.lines:
                return f"บรรทัดที่ {self.lines[key]}"
            key = key[:-1]
        return None


def read_yaml(path: Path, display: str, problems: list[Problem]) -> YamlFile | None:
    raw = read_input(path, display, problems)
    if raw is None:
        return None
    return parse_yaml(raw, display, problems)


def parse_yaml(raw: bytes, display: str, problems: list[Problem]) -> YamlFile | None:
    """``raw`` read as YAML with every key's line; None (and the problem) when it cannot be read.

    In a process that called ``keep_parsed`` the same bytes are parsed once (each caller gets its own copy of
    the data: an editor changes what it read)."""
    if not _KEEP_PARSED:
        return _parse(raw, display, problems)
    parsed, found = _parsed(raw, display)
    problems.extend(found)
    if parsed is None:
        return None
    return YamlFile(parsed.display, _copy(parsed.data), dict(parsed.lines))


_KEEP_PARSED = False


def keep_parsed() -> None:
    """From now on, parse each file's bytes once in this process. For the web server: PyYAML is pure Python
    (≈ 15 ms an answer file) and the server reads the answer files again whenever someone else changed one.
    A command reads each file once, and must not carry 878 parsed files into every worker it forks."""
    global _KEEP_PARSED
    _KEEP_PARSED = True


def _copy(value: Any) -> Any:
    """YAML data (dicts, lists, scalars) copied: several times faster than copy.deepcopy."""
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, (list, set)):
        return type(value)(_copy(v) for v in value)
    return value


@lru_cache(maxsize=4096)
def _parsed(raw: bytes, display: str) -> tuple[YamlFile | None, tuple[Problem, ...]]:
    problems: list[Problem] = []
    return _parse(raw, display, problems), tuple(problems)


def _parse(raw: bytes, display: str, problems: list[Problem]) -> YamlFile | None:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        problems.append(Problem(display, f"อ่านตัวอักษรไม่ได้ที่ไบต์ {error.start}: ไฟล์ YAML ต้องบันทึกเป็น UTF-8"))
        return None
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = f"บรรทัดที่ {mark.line + 1} คอลัมน์ {mark.column + 1}" if mark else None
        shown = _shown_line(text, mark, "บรรทัดนั้นเขียนว่า")
        start = error.context_mark
        if start is not None and mark is not None and start.line != mark.line:
            shown += _shown_line(text, start, f"เริ่มที่บรรทัดที่ {start.line + 1}")
        problems.append(
            Problem(
                display,
                f"รูปแบบ YAML ผิด: {error.problem or error.context}{shown}: ตรวจวงเล็บ เครื่องหมายคำพูด และการเยื้องบรรทัด",
                where,
            )
        )
        return None
    except yaml.YAMLError as error:
        problems.append(Problem(display, f"รูปแบบ YAML ผิด: {error}"))
        return None
    except AliasRefused as refused:
        problems.append(
            Problem(
                display,
                f"ไม่รับการอ้างซ้ำแบบ alias (*ชื่อ) ใน YAML{_shown_line(text, refused.mark, 'บรรทัดนั้นเขียนว่า')}: เขียนค่าเต็มแทน",
                f"บรรทัดที่ {refused.mark.line + 1}",
            )
        )
        return None
    except RecursionError:
        problems.append(Problem(display, "รูปแบบ YAML ผิด: วงเล็บหรือรายการซ้อนกันลึกเกินไป"))
        return None
    finally:
        loader.dispose()
    lines: dict[Key, int] = {}
    try:
        _walk(node, (), lines, display, problems)
    except RecursionError:
        problems.append(Problem(display, "รูปแบบ YAML ผิด: วงเล็บหรือรายการซ้อนกันลึกเกินไป"))
        return None
    return YamlFile(display, data, lines)


def _shown_line(text: str, mark: yaml.Mark | None, label: str) -> str:
    lines = text.splitlines()
    source = lines[mark.line].split(" #")[0].strip() if mark is not None and mark.line < len(lines) else ""
    return f" ({label} “{source[:120]}”)" if source else ""


def _walk(node: yaml.Node | None, key: Key, lines: dict[Key, int], display: str, problems: list[Problem]) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            name = str(key_node.value)
            if name in seen:
                problems.append(Problem(display, f"คีย์ “{name}” ซ้ำ", f"บรรทัดที่ {key_node.start_mark.line + 1}"))
            seen.add(name)
            lines[key + (name,)] = key_node.start_mark.line + 1
            _walk(value_node, key + (name,), lines, display, problems)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            lines[key + (index,)] = item.start_mark.line + 1
            _walk(item, key + (index,), lines, display, problems)


# --- schema -----------------------------------------------------------------


@dataclass(frozen=True)
class Optional_:
    spec: Any
    default: Any = None


def optional(spec: Any, default: Any = None) -> Optional_:
    return Optional_(spec, default)


TEXT, DATE = str, date
TYPE_NAMES = {str: "ข้อความ", date: "วันที่", bool: "true หรือ false", int: "จำนวนเต็ม"}


def validate(file: YamlFile, spec: Any, problems: list[Problem]) -> Any:
    """``file.data`` checked against ``spec`` and cleaned; None where it is wrong.

    A spec is a type (str, date, bool, int), a one-element list ``[spec]`` for a
    list, a dict of key → spec for a mapping (keys not in it are errors with a
    suggestion), or ``optional(spec, default)``.
    """
    return _check(file, file.data, spec, (), problems)


def _check(file: YamlFile, value: Any, spec: Any, key: Key, problems: list[Problem]) -> Any:
    name = ".".join(str(k) for k in key) or None

    def fail(message: str) -> None:
        problems.append(Problem(file.display, message, file.where(key), name))

    if isinstance(spec, dict):
        if not isinstance(value, dict):
            fail(f"ต้องเป็นชุดคีย์ ({', '.join(spec)}) แต่พบ{_describe(value)}")
            return None
        result = {}
        for k in value:
            if str(k) not in spec:
                close = difflib.get_close_matches(str(k), list(spec), n=1, cutoff=0.6)
                hint = f" หรือหมายถึง “{close[0]}”?" if close else f" (คีย์ที่ใช้ได้: {', '.join(spec)})"
                problems.append(Problem(file.display, f"ไม่รู้จักคีย์ “{k}”{hint}", file.where(key + (str(k),)), name))
        for k, sub in spec.items():
            if k not in value or value[k] is None:
                if isinstance(sub, Optional_):
                    result[k] = sub.default
                else:
                    problems.append(Problem(file.display, f"ขาดคีย์ “{k}” ที่ต้องมี", file.where(key), name))
                continue
            result[k] = _check(file, value[k], sub.spec if isinstance(sub, Optional_) else sub, key + (k,), problems)
        return result
    if isinstance(spec, list):
        if not isinstance(value, list):
            fail(f"ต้องเป็นรายการ (ขึ้นต้นแต่ละบรรทัดด้วย - ) แต่พบ{_describe(value)}")
            return None
        return [_check(file, v, spec[0], key + (i,), problems) for i, v in enumerate(value)]
    if spec is date:
        try:
            return parse_date(value)
        except ValueError as error:
            fail(str(error))
            return None
    if spec is str:
        if isinstance(value, (dict, list, date, bool)):
            fail(f"ต้องเป็นข้อความ แต่พบ{_describe(value)}")
            return None
        return clean_text(str(value))
    if spec is bool or spec is int:
        if type(value) is not spec:
            fail(f"ต้องเป็น{TYPE_NAMES[spec]} แต่พบ{_describe(value)}")
            return None
        return value
    raise TypeError(f"unknown spec {spec!r}")


def _describe(value: Any) -> str:
    if value is None:
        return "ค่าว่าง"
    if isinstance(value, dict):
        return "ชุดคีย์"
    if isinstance(value, list):
        return "รายการ"
    if isinstance(value, bool):
        return f" {str(value).lower()}"
    if isinstance(value, date):
        return f"วันที่ {value.isoformat()}"
    return f" “{value}”"


def check_template_fields(file: YamlFile, texts: list[tuple[Key, Any]], problems: list[Problem]) -> None:
    """Template fields in a file's texts must at least parse; an unknown name fails when the letter is made.
    ``texts``: (the key as in the file, the text); a missing text (None) is another check's problem."""
    for key, text in texts:
        if text is None:
            continue
        try:
            TEXT_ENV.parse(text)
        except TemplateSyntaxError as error:
            problems.append(
                Problem(
                    file.display,
                    f"ช่องแทนค่า (template field) ผิดรูปแบบ: {error.message}",
                    file.where(key),
                    ".".join(map(str, key)),
                )
            )
