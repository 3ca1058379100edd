"""The center's form ↔ the answer file's shape, and problems ↔ form fields.

Field names are a contract (tests and scripts post them): p:N (มี / ไม่มี),
q:ID (checkbox, "true"), notes:ID, assessor_name, assessor_position, assessed_on,
csrf_token, and the button action = draft / submit.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..model import Center, Criteria
from ..problems import Problem

HAVE, HAVE_NOT = "มี", "ไม่มี"
TEXT_FIELDS = ("assessor_name", "assessor_position", "assessed_on")
MAX_TEXT = 2000  # characters kept of any one field


def typed(form: Mapping[str, Any], criteria: Criteria) -> dict[str, str]:
    """What the center typed, only the known fields, as text (a draft, or the form shown back)."""
    fields: dict[str, str] = {}
    for name in TEXT_FIELDS:
        fields[name] = _text(form.get(name))
    for physical in criteria.physical:
        value = _text(form.get(f"p:{physical.id}"))
        if value in (HAVE, HAVE_NOT):
            fields[f"p:{physical.id}"] = value
    for quality in criteria.quality:
        if _text(form.get(f"q:{quality.id}")) == "true":
            fields[f"q:{quality.id}"] = "true"
    for item_id in _item_ids(criteria):
        note = _text(form.get(f"notes:{item_id}"))
        if note:
            fields[f"notes:{item_id}"] = note
    return fields


def answer_mapping(fields: Mapping[str, str], center: Center, criteria: Criteria) -> dict[str, Any]:
    """The answer file's shape, for pipeline.service.validate_answer."""
    return {
        "province": center.province,
        "center": center.name,
        "assessed_on": fields.get("assessed_on", ""),
        "assessor": {"name": fields.get("assessor_name", ""), "position": fields.get("assessor_position", "")},
        "physical": {i.id: fields.get(f"p:{i.id}") or None for i in criteria.physical},
        "quality": {i.id: fields.get(f"q:{i.id}") == "true" for i in criteria.quality},
        "notes": {i: fields[f"notes:{i}"] for i in _item_ids(criteria) if fields.get(f"notes:{i}")},
    }


def _item_ids(criteria: Criteria) -> list[str]:
    return [i.id for i in criteria.physical] + [i.id for i in criteria.quality]


def fields_of_answer(answer: Mapping[str, Any]) -> dict[str, str]:
    """The form's fields from a stored answer mapping (to show a submitted version again)."""
    fields = {
        "assessed_on": str(answer.get("assessed_on") or ""),
        "assessor_name": str((answer.get("assessor") or {}).get("name") or ""),
        "assessor_position": str((answer.get("assessor") or {}).get("position") or ""),
    }
    for key, value in (answer.get("physical") or {}).items():
        if value in (HAVE, HAVE_NOT):
            fields[f"p:{key}"] = value
    for key, value in (answer.get("quality") or {}).items():
        if value is True:
            fields[f"q:{key}"] = "true"
    for key, value in (answer.get("notes") or {}).items():
        if value:
            fields[f"notes:{key}"] = str(value)
    return fields


FIELD_OF = {"assessor.name": "assessor_name", "assessor.position": "assessor_position", "assessed_on": "assessed_on"}
PREFIX_OF = {"physical.": "p:", "quality.": "q:", "notes.": "notes:"}


def field_of(problem: Problem) -> str | None:
    """The form field a problem belongs beside (None: shown above the form)."""
    name = problem.field or ""
    if name in FIELD_OF:
        return FIELD_OF[name]
    for prefix, form_prefix in PREFIX_OF.items():
        if name.startswith(prefix):
            return form_prefix + name[len(prefix) :]
    return None


def problems_by_field(problems: list[Problem]) -> tuple[dict[str, list[str]], list[str]]:
    """Messages per form field, and those that belong to no field."""
    by_field: dict[str, list[str]] = {}
    general: list[str] = []
    for problem in problems:
        name = field_of(problem)
        if name:
            by_field.setdefault(name, []).append(problem.message)
        else:
            general.append(problem.message)
    return by_field, general


def _text(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        value = value[-1] if value else ""
    return str(value or "").strip()[:MAX_TEXT]
