"""The filled assessment report, one per center that answered: the checklist with its boxes ticked.

Same template as the blank form (checklist.docx, ``mode`` "report"), plus who
assessed and when, and a summary of counts. The counts are facts (how many
items a center answered มี); the only judgement is the one the criteria make
themselves: เกณฑ์ที่ ๑ is a basic condition to be met in full (``basic_met``).
The quality markers stay data: a score appears only when a scoring policy is
configured (inputs/scoring.yaml, loaded by pipeline.load.scoring), never a
certification verdict.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..model import Answer, Campaign, Center, Criteria
from ..thai import thai_date, thai_digits
from . import Document
from .checklist import EMPTY, TICKED, criteria_context
from .forms import center_context

KIND = "report"
TEMPLATE = "checklist.docx"
FOLDER = "reports"
# Laid out once per build from page 2 on (pipeline/convert/compose.py): the reports differ there only
# in their boxes, ☐ or ☑ (one advance, so no line moves), up to the summary and the notes, which
# start a page of their own (templates/checklist.docx).
SHARED_FROM = 2
SWAPPED = EMPTY + TICKED
# The web makes reports ten at a time at most: so few are made sooner whole, on warm LibreOffice
# instances, than with composition's second round (an annotated copy of the first, then the rest).
COMPOSE_FROM = 12


def documents(
    campaign: Campaign, answers: Sequence[Answer] | None = None, scoring: Mapping[str, float] | None = None
) -> list[Document]:
    """One report per answer (default: the campaign's valid answers), in the order of the center list.

    ``scoring``: points per marker from ``load_scoring`` (default: the campaign's; None: no score).
    """
    answers = campaign.answers if answers is None else answers
    scoring = campaign.scoring if scoring is None else scoring
    pairs = sorted(((center_of(campaign, a), a) for a in answers), key=lambda pair: pair[0].order)
    return [_report(campaign.criteria, center, answer, scoring) for center, answer in pairs]


def center_of(campaign: Campaign, answer: Answer) -> Center:
    """The center an answer is for (load_answers only lets through answers of listed centers)."""
    for center in campaign.centers:
        if (center.province, center.name) == (answer.province, answer.center):
            return center
    raise ValueError(f"{answer.source}: {answer.center} จังหวัด{answer.province} ไม่อยู่ในรายชื่อศูนย์")


def _report(criteria: Criteria, center: Center, answer: Answer, scoring: Mapping[str, float] | None) -> Document:
    context = {
        "mode": "report",
        "center": center_context(center),
        "assessor": {"name": answer.assessor_name, "position": answer.assessor_position, "date": answer.assessed_on},
        "summary": summary(criteria, answer, scoring),
        **criteria_context(criteria, boxes=True, physical=answer.physical, quality=answer.quality, notes=answer.notes),
    }
    # As typed: the check prints them with the template's rule (thai_text) before it looks.
    expect = {
        "ศูนย์": center.name,
        "จังหวัด": center.province,
        "ผู้ประเมิน": answer.assessor_name,
        "วันที่ประเมิน": thai_date(answer.assessed_on),
    }
    return Document(
        KIND,
        f"{FOLDER}/{center.slug}",
        TEMPLATE,
        context,
        expect,
        title=f"ผลการประเมินตนเอง {center.name} จังหวัด{center.province}",
        pdfa=True,
        subject=f"{center.name} จังหวัด{center.province} ประเมินเมื่อ {thai_date(answer.assessed_on)}",
        facts={"ticks": expected_ticks(criteria, answer), "answer": answer},
    )


# --- counts ---------------------------------------------------------------------


def percent(met: int | float, total: int | float) -> float:
    """The share in per cent; 0.0 for an empty whole."""
    return 100.0 * met / total if total else 0.0


def _count(met: int, total: int) -> dict[str, Any]:
    return {"met": met, "total": total, "percent": percent(met, total)}


def physical_met(criteria: Criteria, answer: Answer) -> int:
    return sum(1 for i in criteria.physical if answer.physical[i.id])


def quality_met(criteria: Criteria, answer: Answer) -> int:
    return sum(1 for i in criteria.quality if answer.quality[i.id])


def parts_met(criteria: Criteria, answer: Answer) -> list[int]:
    return [sum(1 for i in part.items if answer.quality[i.id]) for part in criteria.parts]


def basic_met(criteria: Criteria, answer: Answer) -> bool:
    """เกณฑ์ที่ ๑ met in full: the basic condition the criteria themselves state."""
    return all(answer.physical[i.id] for i in criteria.physical)


def summary(criteria: Criteria, answer: Answer, scoring: Mapping[str, float] | None = None) -> dict[str, Any]:
    """The report's summary block: numbers and booleans only; the template words them."""
    physical = _count(physical_met(criteria, answer), len(criteria.physical))
    physical["basic_met"] = physical["met"] == physical["total"]
    physical["missing"] = [thai_digits(i.id) for i in criteria.physical if not answer.physical[i.id]]
    parts = [
        {"number": thai_digits(part.id), "title": part.title, **_count(met, len(part.items))}
        for part, met in zip(criteria.parts, parts_met(criteria, answer), strict=True)
    ]
    markers: dict[str, list[int]] = {}  # marker → [met, total], in order of first appearance
    for item in criteria.quality:
        tally = markers.setdefault(item.marker, [0, 0])
        tally[0] += answer.quality[item.id]
        tally[1] += 1
    return {
        "physical": physical,
        "quality": _count(quality_met(criteria, answer), len(criteria.quality)),
        "parts": parts,
        "markers": [{"marker": marker, **_count(met, total)} for marker, (met, total) in markers.items()],
        "score": score(criteria, answer, scoring) if scoring is not None else None,
    }


def score(criteria: Criteria, answer: Answer, scoring: Mapping[str, float]) -> dict[str, float]:
    """Points under a configured policy: each met quality item earns its marker's points."""
    maximum = float(sum(scoring.get(i.marker, 0.0) for i in criteria.quality))
    points = float(sum(scoring.get(i.marker, 0.0) for i in criteria.quality if answer.quality[i.id]))
    return {"points": points, "max": maximum, "percent": percent(points, maximum)}


# --- what the PDF must show -------------------------------------------------------


def expected_ticks(criteria: Criteria, answer: Answer) -> list[bool]:
    """Every box of the report in document order, True where it is ticked.

    For each physical item its มี and ไม่มี boxes, then one box per quality
    item: 2 × 13 + 52 = 78 for the shipped criteria. Taken from the same
    context the template renders, so a check can compare it with the ☑/☐
    glyphs of the report PDF read in order.
    """
    context = criteria_context(criteria, boxes=True, physical=answer.physical, quality=answer.quality)
    ticks = [box == TICKED for item in context["physical"]["items"] for box in (item["yes"], item["no"])]
    ticks += [row["box"] == TICKED for row in context["quality"]["rows"] if not row["part"]]
    return ticks
