"""inputs/letters.yaml: the wording of the letters sent after the circular (follow-up, results).

Each is a หนังสือประทับตรา like the circular, with the circular's sending office, owning unit
and stamp; this file gives only what differs: its urgency, addressee and text, as Jinja texts
(the fields each letter offers are listed in the file's comments). Optional: without it the
campaign has no such texts, and only the commands that send these letters say so.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..model import LetterText
from ..problems import Problem
from .yamlfile import TEXT, YamlFile, check_template_fields, optional, read_yaml, validate

FILE = "letters.yaml"
KINDS = ("follow_up", "results")
LETTER = {
    "subject": TEXT,
    "urgency": optional(TEXT, ""),
    "addressee": TEXT,
    "before": [TEXT],
    "each_center": optional(TEXT, ""),
    "after": optional([TEXT], []),
}


def load_letter_texts(inputs: Path, display: str, problems: list[Problem]) -> dict[str, LetterText]:
    """The texts by kind; {} when the file is absent or has problems (added to ``problems``)."""
    path = inputs / FILE
    if not path.exists():
        return {}
    file = read_yaml(path, display, problems) if path.is_file() else None
    if file is None:
        if not path.is_file():
            problems.append(Problem(display, "ต้องเป็นไฟล์ ไม่ใช่โฟลเดอร์"))
        return {}
    found = len(problems)
    schema = {"circular": optional({"subject": TEXT}, {"subject": ""}), **{kind: LETTER for kind in KINDS}}
    data = validate(file, schema, problems)
    if data is None or len(problems) > found:
        return {}
    for kind in KINDS:
        _check_jinja(file, kind, data[kind], problems)
        if data[kind]["subject"] == "":
            problems.append(Problem(display, "“subject” ต้องไม่ว่าง", file.where((kind, "subject")), f"{kind}.subject"))
    if len(problems) > found:
        return {}
    # The circular's เรื่อง in the register (a หนังสือประทับตรา has no เรื่อง line of its own).
    circular = LetterText(data["circular"]["subject"], "", "", (), "", ())
    return {"circular": circular} | {
        kind: LetterText(
            subject=d["subject"],
            urgency=d["urgency"],
            addressee=d["addressee"],
            before=tuple(d["before"]),
            each_center=d["each_center"],
            after=tuple(d["after"]),
        )
        for kind, d in data.items()
        if kind in KINDS
    }


def _check_jinja(file: YamlFile, kind: str, data: dict[str, Any], problems: list[Problem]) -> None:
    """Template fields must at least parse; an unknown name fails when the letter is made."""
    texts: list[tuple[tuple[str | int, ...], str]] = [((kind, "addressee"), data["addressee"])]
    texts += [((kind, "before", i), t) for i, t in enumerate(data["before"])]
    texts += [((kind, "each_center"), data["each_center"])]
    texts += [((kind, "after", i), t) for i, t in enumerate(data["after"])]
    check_template_fields(file, texts, problems)
