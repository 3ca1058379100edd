"""The national summary: every answered center in one table, compliance per item, a chart.

Also the same per-center figures as a data file for Excel
(outputs/summary/results.csv): ``results_rows`` (written by exports.write_csv).
Counts only; no verdict beyond the criteria's own basic condition (เกณฑ์ที่ ๑ in full).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from datetime import date
from typing import Any

from ..model import Answer, Campaign, Criteria
from ..thai import thai_digits
from . import Chart, Document
from .reports import basic_met, center_of, parts_met, percent, physical_met, quality_met

KIND = "summary"
TEMPLATE = "summary.docx"
NAME = "summary/summary"
RESULTS_CSV = "summary/results.csv"  # relative to outputs/

# The chart: one tall horizontal bar chart, one panel per criterion, on a portrait
# page's typing width (16 cm). 65 bars at about 3 mm each fit one page.
CHART_WIDTH_MM = 160.0
CHART_HEIGHT_MM = 230.0

TITLE = "สรุปผลการประเมินตนเองตามหลักเกณฑ์มาตรฐานศูนย์ราชการสะดวก (GECC)"  # PDF metadata only
TEXT_LIMIT = 60  # characters of an item's text in the per-item table


def documents(campaign: Campaign, answers: Sequence[Answer] | None = None) -> list[Document]:
    """The one summary document; ``answers`` default to the campaign's valid answers."""
    answers = campaign.answers if answers is None else answers
    criteria = campaign.criteria
    rows = _center_rows(campaign, answers)
    items = _items(criteria, answers)
    answered = {(r["province"], r["center"]) for r in rows}
    context = {
        "circular": {"number": campaign.circular.number, "date": campaign.circular.date},
        "generated": date.today(),
        "centers": rows,
        "parts": [{"number": thai_digits(p.id), "title": p.title, "total": len(p.items)} for p in criteria.parts],
        "items": items,
        "chart": chart(criteria, items),
        # each criterion's heading in the per-item table: the same titles as the chart's panels
        "titles": {"physical": criteria.physical_title, "quality": criteria.quality_title},
        "missing": [
            {"order": c.order, "province": c.province, "center": c.name}
            for c in sorted(campaign.centers, key=lambda c: c.order)
            if (c.province, c.name) not in answered
        ],
        "totals": {
            "centers": len(campaign.centers),
            "answered": len(rows),
            "basic_met": sum(1 for r in rows if r["basic_met"]),
        },
    }
    expect = {"เลขที่หนังสือ": campaign.circular.number}
    expect.update({f"ศูนย์ลำดับ {r['order']}": r["center"] for r in rows})
    return [Document(KIND, NAME, TEMPLATE, context, expect, title=TITLE)]


def _center_rows(campaign: Campaign, answers: Sequence[Answer]) -> list[dict[str, Any]]:
    criteria = campaign.criteria
    rows = []
    for center, answer in sorted(((center_of(campaign, a), a) for a in answers), key=lambda pair: pair[0].order):
        q_met = quality_met(criteria, answer)
        rows.append(
            {
                "order": center.order,
                "province": center.province,
                "center": center.name,
                # printed on two lines, "ศูนย์ดำรงธรรมอำเภอ" / the district, never inside the district's name
                "center_lead": center.name.removesuffix(center.district),
                "district": center.district,
                "assessed_on": answer.assessed_on,
                "physical_met": physical_met(criteria, answer),
                "physical_total": len(criteria.physical),
                "basic_met": basic_met(criteria, answer),
                "quality_met": q_met,
                "quality_total": len(criteria.quality),
                "quality_percent": percent(q_met, len(criteria.quality)),
                "parts": parts_met(criteria, answer),
            }
        )
    return rows


def _items(criteria: Criteria, answers: Sequence[Answer]) -> list[dict[str, Any]]:
    """Every item of เกณฑ์ที่ ๑ then ๒: how many of the answered centers have it."""
    items = []
    for criterion, section, source in ((1, "physical", criteria.physical), (2, "quality", criteria.quality)):
        for item in source:
            # quality item 23 has no lead text, only points; a physical item always has its text
            text = item.text or (item.points[0] if item.points else getattr(item, "heading", ""))
            met = sum(1 for a in answers if getattr(a, section)[item.id])
            items.append(
                {
                    "id": item.id,
                    "number": thai_digits(item.id),
                    "criterion": criterion,
                    "text": shorten(text),
                    "met": met,
                    "answered": len(answers),
                    "percent": percent(met, len(answers)),
                }
            )
    return items


def chart(criteria: Criteria, items: Sequence[dict[str, Any]]) -> Chart:
    """Compliance per item, one panel per criterion headed by the criterion's own title."""
    physical = sum(1 for i in items if i["criterion"] == 1)
    return Chart(
        tuple(i["number"] for i in items),
        tuple(float(i["percent"]) for i in items),
        CHART_WIDTH_MM,
        CHART_HEIGHT_MM,
        groups=((criteria.physical_title, physical), (criteria.quality_title, len(items) - physical)),
    )


def shorten(text: str, limit: int = TEXT_LIMIT) -> str:
    """``text`` cut to about ``limit`` characters, at a space where one is near, marked with "…".

    Never cuts between a Thai letter and its vowel or tone marks.
    """
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", limit * 2 // 3, limit + 1)
    if cut == -1:
        cut = limit
        while cut > 0 and unicodedata.category(text[cut]) == "Mn":  # a mark belongs to the letter before it
            cut -= 1
        while cut > 0 and text[cut - 1] in "เแโใไ":  # a leading vowel belongs to the letter after it
            cut -= 1
    return text[:cut].rstrip() + "…"


# --- results.csv: the same figures for Excel -------------------------------------------


def results_columns(criteria: Criteria) -> list[str]:
    return [
        "province",
        "center",
        "physical_met",
        "physical_total",
        "basic_condition_met",
        "quality_met",
        "quality_total",
    ] + [f"part{n}_met" for n in range(1, len(criteria.parts) + 1)]


def results_rows(campaign: Campaign, answers: Sequence[Answer] | None = None) -> list[dict[str, object]]:
    """One row per answered center, in center order; Arabic numbers (a data file, not a document)."""
    answers = campaign.answers if answers is None else answers
    columns = results_columns(campaign.criteria)
    rows = []
    for r in _center_rows(campaign, answers):
        values = [
            r["province"],
            r["center"],
            r["physical_met"],
            r["physical_total"],
            r["basic_met"],
            r["quality_met"],
            r["quality_total"],
            *r["parts"],
        ]
        rows.append(dict(zip(columns, values, strict=True)))
    return rows
