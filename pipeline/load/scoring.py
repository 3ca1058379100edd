"""inputs/scoring.yaml: an optional scoring policy, points per quality marker.

The meaning of the markers (๑, ๒, ๕, ☺) of the quality criteria is unknown
(see inputs/criteria.yaml), so the pipeline derives no score from them by
itself. A department that knows what they mean may write scoring.yaml:

    points:
      "๑": 1
      "☺": 3

Each met quality item then earns the points of its marker, and the report
shows points earned out of the maximum. Without the file there is no score
(off by default). Every marker of the criteria must be given points (0 is
allowed), so that no item silently counts for nothing; an unknown marker or a
negative or non-numeric value is a problem, reported with its line.
"""

from __future__ import annotations

import math
from pathlib import Path

from ..model import Criteria
from ..problems import Problem
from ..thai import thai_digits
from .clean import clean_text
from .display import display_path
from .yamlfile import read_yaml

FILE = "scoring.yaml"


def load_scoring(inputs: Path, problems: list[Problem], criteria: Criteria | None = None) -> dict[str, float] | None:
    """Points per marker, or None when inputs/scoring.yaml is absent or has problems (added to ``problems``).

    ``criteria`` gives the markers that exist; when not given, inputs/criteria.yaml is loaded for them.
    """
    path = inputs / FILE
    if not path.exists():
        return None
    display = display_path(path, inputs)
    if not path.is_file():
        problems.append(Problem(display, "ต้องเป็นไฟล์ ไม่ใช่โฟลเดอร์"))
        return None
    if criteria is None:
        from .criteria import load_criteria

        criteria_path = inputs / "criteria.yaml"
        criteria = load_criteria(criteria_path, display_path(criteria_path, inputs), problems)
        if criteria is None:
            return None
    found = len(problems)
    file = read_yaml(path, display, problems)
    if file is None:
        return None
    markers = list(dict.fromkeys(i.marker for i in criteria.quality))
    known = f"เครื่องหมายที่มีในเกณฑ์: {', '.join(markers)}"

    def report(message: str, key: tuple[str, ...] = (), field: str | None = None) -> None:
        problems.append(Problem(display, message, file.where(key), field))

    data = file.data
    if not isinstance(data, dict) or "points" not in data:
        report(f"ต้องมีคีย์ “points” ตามด้วยคะแนนของแต่ละเครื่องหมาย ({known})")
        return None
    for key in data:
        if key != "points":
            report(f"ไม่รู้จักคีย์ “{key}” (ใช้ได้เฉพาะ points)", (str(key),), str(key))
    table = data["points"]
    if not isinstance(table, dict) or not table:
        report(f'points ต้องเป็นชุด เครื่องหมาย: คะแนน เช่น "๑": 1 ({known})', ("points",), "points")
        return None
    points: dict[str, float] = {}
    mentioned: set[str] = set()
    for raw, value in table.items():
        where = ("points", str(raw))
        marker = _marker(raw, markers)
        if marker is None:
            report(f"ไม่มีเครื่องหมาย “{raw}” ในเกณฑ์ที่ ๒ ({known})", where, "points")
            continue
        if marker in mentioned:
            report(f"เครื่องหมาย “{marker}” กำหนดคะแนนซ้ำ", where, "points")
            continue
        mentioned.add(marker)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            report(f"คะแนนของ “{marker}” ต้องเป็นตัวเลข (เช่น 1 หรือ 0.5) แต่พบ “{value}”", where, "points")
            continue
        if value < 0:
            report(f"คะแนนของ “{marker}” ติดลบไม่ได้ (พบ {value})", where, "points")
            continue
        points[marker] = float(value)
    missing = [m for m in markers if m not in mentioned]
    if missing:
        report(f"ยังไม่ได้กำหนดคะแนนของเครื่องหมาย {', '.join(missing)} (ใส่ 0 ถ้าไม่ให้คะแนน)", ("points",), "points")
    if len(problems) > found:
        return None
    return points


def _marker(raw: object, markers: list[str]) -> str | None:
    """The marker a key means: as written, or with Arabic digits read as Thai (1 → ๑)."""
    text = clean_text(str(raw)).replace("\ufe0f", "").replace("\ufe0e", "")  # ☺️ typed as an emoji
    if text in markers:
        return text
    thai = thai_digits(text)
    return thai if thai in markers else None
