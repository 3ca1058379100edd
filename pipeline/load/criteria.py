"""inputs/criteria.yaml: the GECC criteria as data (transcription notes are in the file)."""

from __future__ import annotations

from pathlib import Path

from ..model import Criteria, Part, PhysicalItem, QualityItem, ResultRow, Topic
from ..problems import Problem
from .yamlfile import TEXT, YamlFile, optional, read_yaml, validate

POINTS = optional([TEXT], [])
SPEC = {
    "title": TEXT,
    "physical": {
        "title": TEXT,
        "subtitle": TEXT,
        "condition": TEXT,
        "columns": {"number": TEXT, "text": TEXT, "yes": TEXT, "no": TEXT},
        "items": [{"id": TEXT, "heading": TEXT, "text": TEXT, "points": POINTS}],
    },
    "quality": {
        "title": TEXT,
        "columns": {"topic": TEXT, "guideline": TEXT},
        "parts": [
            {
                "id": TEXT,
                "title": TEXT,
                "topics": [
                    {
                        "id": TEXT,
                        "title": TEXT,
                        "items": [{"id": TEXT, "marker": TEXT, "text": optional(TEXT, ""), "points": POINTS}],
                    }
                ],
            }
        ],
    },
    "results": {
        "title": TEXT,
        "note": TEXT,
        "heading": TEXT,
        "subheading": TEXT,
        "columns": {"subject": TEXT, "method": TEXT},
        "rows": [{"id": TEXT, "subject": TEXT, "method": TEXT, "points": POINTS}],
    },
}


def load_criteria(path: Path, display: str, problems: list[Problem]) -> Criteria | None:
    file = read_yaml(path, display, problems)
    if file is None:
        return None
    found = len(problems)
    data = validate(file, SPEC, problems)
    if data is None or len(problems) > found:
        return None
    ph, q, r = data["physical"], data["quality"], data["results"]
    criteria = Criteria(
        title=data["title"],
        physical_title=ph["title"],
        physical_subtitle=ph["subtitle"],
        physical_condition=ph["condition"],
        physical_columns=ph["columns"],
        physical=tuple(PhysicalItem(i["id"], i["heading"], i["text"], tuple(i["points"])) for i in ph["items"]),
        quality_title=q["title"],
        quality_columns=q["columns"],
        parts=tuple(
            Part(
                p["id"],
                p["title"],
                tuple(
                    Topic(
                        t["id"],
                        t["title"],
                        tuple(QualityItem(i["id"], i["marker"], i["text"], tuple(i["points"])) for i in t["items"]),
                    )
                    for t in p["topics"]
                ),
            )
            for p in q["parts"]
        ),
        results_title=r["title"],
        results_note=r["note"],
        results_heading=r["heading"],
        results_subheading=r["subheading"],
        results_columns=r["columns"],
        results=tuple(ResultRow(x["id"], x["subject"], x["method"], tuple(x["points"])) for x in r["rows"]),
    )
    _check_ids(criteria, file, problems)
    return None if len(problems) > found else criteria


def _check_ids(criteria: Criteria, file: YamlFile, problems: list[Problem]) -> None:
    """Ids are what answer files and form fields refer to: each must be unique and non-empty."""
    for group, ids in (
        ("physical", [i.id for i in criteria.physical]),
        ("quality", [i.id for i in criteria.quality]),
        ("topics", [t.id for t in criteria.topics]),
        ("results", [x.id for x in criteria.results]),
    ):
        seen: set[str] = set()
        for item_id in ids:
            if not item_id:
                problems.append(Problem(file.display, "รหัสข้อ (id) ว่าง", None, group))
            elif item_id in seen:
                problems.append(Problem(file.display, f"รหัสข้อ “{item_id}” ซ้ำ", f"ข้อ {item_id}", group))
            seen.add(item_id)
    if not criteria.physical or not criteria.quality:
        problems.append(Problem(file.display, "เกณฑ์ที่ ๑ และเกณฑ์ที่ ๒ ต้องมีอย่างน้อยหนึ่งข้อ"))
