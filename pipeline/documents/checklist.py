"""The context of templates/checklist.docx: the GECC criteria as tables.

One template serves three documents: the criteria enclosure (no center), the
blank self-assessment form of a center, and the filled report (boxes ticked,
notes, a summary). Only the context differs.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..model import Criteria
from ..thai import thai_digits

EMPTY, TICKED = "☐", "☑"


def number(item_id: str) -> str:
    """The number as printed: "1.1" → "๑.๑"."""
    return thai_digits(item_id)


def criteria_context(
    criteria: Criteria,
    *,
    boxes: bool,
    physical: Mapping[str, bool] | None = None,
    quality: Mapping[str, bool] | None = None,
    notes: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The three criteria, with empty boxes (``boxes``), ticked boxes (answers given) or none; ``notes``
    (a report's) listed apart, in the order of the items, each under its criterion and item number."""
    notes = notes or {}

    def tick(answer: bool | None, wanted: bool) -> str:
        if not boxes:
            return ""
        return TICKED if answer is wanted else EMPTY

    physical_items = [
        {
            "id": i.id,
            "number": number(i.id),
            "heading": i.heading,
            "text": i.text,
            "points": list(i.points),
            "yes": tick(physical.get(i.id) if physical else None, True),
            "no": tick(physical.get(i.id) if physical else None, False),
        }
        for i in criteria.physical
    ]
    parts = []
    rows: list[dict[str, Any]] = []  # the quality table flattened: part headings and item rows
    for part in criteria.parts:
        topics = []
        rows.append({"part": True, "number": number(part.id), "title": part.title})
        for topic in part.topics:
            items = []
            for index, item in enumerate(topic.items):
                answer = quality.get(item.id) if quality else None
                entry = {
                    "id": item.id,
                    "number": number(item.id) if "." in item.id else "",
                    "marker": item.marker,
                    "box": (TICKED if answer else EMPTY) if boxes else "",
                    "text": item.text,
                    "points": list(item.points),
                }
                items.append(entry)
                rows.append(
                    {
                        "part": False,
                        **entry,
                        "topic": f"{number(topic.id)}. {topic.title}" if index == 0 else "",
                        "first_in_topic": index == 0,
                        # the template keeps a topic's rows on one page: no page starts with an empty topic cell
                        "last_in_topic": index == len(topic.items) - 1,
                    }
                )
            topics.append({"id": topic.id, "number": number(topic.id), "title": topic.title, "items": items})
        parts.append({"id": part.id, "number": number(part.id), "title": part.title, "topics": topics})
    noted = [(criteria.physical_title, i.id) for i in criteria.physical]
    noted += [(criteria.quality_title, i.id) for i in criteria.quality]
    return {
        "title": criteria.title,
        "notes": [
            {"criterion": title, "number": number(id_), "text": notes[id_]} for title, id_ in noted if notes.get(id_)
        ],
        "physical": {
            "title": criteria.physical_title,
            "subtitle": criteria.physical_subtitle,
            "condition": criteria.physical_condition,
            "columns": dict(criteria.physical_columns),
            "items": physical_items,
        },
        "quality": {
            "title": criteria.quality_title,
            "columns": dict(criteria.quality_columns),
            "parts": parts,
            "rows": rows,
        },
        "results": {
            "title": criteria.results_title,
            "note": criteria.results_note,
            "heading": criteria.results_heading,
            "subheading": criteria.results_subheading,
            "columns": dict(criteria.results_columns),
            "rows": [
                {
                    "id": r.id,
                    "number": number(r.id),
                    "subject": r.subject,
                    "method": r.method,
                    "points": [f"{number(str(n))}. {p}" for n, p in enumerate(r.points, 1)],
                }
                for r in criteria.results
            ],
        },
    }


def box_count(criteria: Criteria) -> int:
    """Boxes on a blank form: มี and ไม่มี for each physical item, one per quality item."""
    return 2 * len(criteria.physical) + len(criteria.quality)
