"""Results letters (gecc results-letters): to each province, its centers' outcomes and accepted reports.

The outcomes are what the summary states (pipeline/documents/summary.py): for each center that
answered, the items of เกณฑ์ที่ ๑ it has and whether that meets the basic condition (all of
them), and the items of เกณฑ์ที่ ๒ it has; no other verdict. A center's report is enclosed
when the department accepted it (its final version in the archive, pipeline/outgoing.py); the
letter and those reports make one PDF package per province (``packages``, assembled in
pipeline/assemble.py). Wording: inputs/letters.yaml ``results``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..model import Campaign, Draft, Province
from ..thai import thai_digits, thai_text
from . import Document, letters, sent
from .reports import basic_met, physical_met, quality_met

KIND = letters.KIND  # checked like the circular
FOLDER = "letters/results"
TEXT = "results"


def _outcomes(campaign: Campaign, province: Province) -> list[dict[str, Any]]:
    criteria = campaign.criteria
    accepted = sent.outgoing(campaign).accepted
    answers = {(a.province, a.center): a for a in campaign.answers}
    rows = []
    for center in province.centers:
        answer = answers.get((center.province, center.name))
        row: dict[str, Any] = {"name": center.name, "answered": answer is not None, "enclosed": center.slug in accepted}
        if answer is not None:
            row.update(
                physical_met=physical_met(criteria, answer),
                physical_total=len(criteria.physical),
                basic_met=basic_met(criteria, answer),
                quality_met=quality_met(criteria, answer),
                quality_total=len(criteria.quality),
            )
        rows.append(row)
    return rows


def _enclosed(campaign: Campaign, province: Province) -> list[Path]:
    accepted = sent.outgoing(campaign).accepted
    return [accepted[c.slug] for c in province.centers if c.slug in accepted]


def _key(campaign: Campaign, province: Province) -> str:
    said = [_outcomes(campaign, province), campaign.circular.number]
    return f"results:{province.name}:{sent.digest(said)}"


def _addressee(campaign: Campaign, province: Province) -> str:
    return sent.fill(campaign, TEXT, "addressee", sent.text_of(campaign, TEXT).addressee, {"province": province.name})


def _paragraphs(campaign: Campaign, province: Province) -> list[str]:
    outcomes = _outcomes(campaign, province)
    fields = {
        **sent.common_fields(campaign, province.name),
        "centers": outcomes,
        "enclosed": len(_enclosed(campaign, province)),
    }
    each = [{"center": row, "number": i} for i, row in enumerate(outcomes, 1)]
    return sent.paragraphs(campaign, TEXT, fields, each)


def drafts(campaign: Campaign) -> list[Draft]:
    """One letter per province; its text filled in here already (a wrong field stops the run
    before any number is taken)."""
    subject = sent.text_of(campaign, TEXT).subject
    found = []
    for province in campaign.provinces:
        _paragraphs(campaign, province)
        enclosed = len(_enclosed(campaign, province))
        note = f"แนบรายงาน {thai_digits(enclosed)} ฉบับ" if enclosed else ""  # the register's หมายเหตุ
        found.append(sent.draft(campaign, _key(campaign, province), _addressee(campaign, province), subject, note))
    return found


def documents(campaign: Campaign) -> list[Document]:
    if campaign.outgoing is None:
        return []  # made only where the outgoing state was read (pipeline/outgoing.py), not in a page count
    state = sent.outgoing(campaign)
    text = sent.text_of(campaign, TEXT)
    made = []
    for province in campaign.provinces:
        entry = state.numbers.get(_key(campaign, province))
        if entry is None:
            continue  # `gecc check` on letters not made yet
        outcomes = _outcomes(campaign, province)
        letter = letters.StampedLetter(
            name=f"{FOLDER}/{province.slug}",
            number=entry.reference,
            dated=entry.dated,
            urgency=text.urgency,
            addressee=_addressee(campaign, province),
            paragraphs=tuple(_paragraphs(campaign, province)),
            title=f"{text.subject} ({province.name})",
        )
        expect = {f"ศูนย์ {i}": row["name"] for i, row in enumerate(outcomes, 1)}
        expect["หนังสือเวียนที่อ้างถึง"] = thai_text(campaign.circular.number)
        made.append(letters.stamped_letter(campaign.circular, letter, expect))
    return made


def packages(campaign: Campaign) -> list[tuple[str, tuple[str, ...], str]]:
    """(name, parts, title) of each province's package: its results letter, then its accepted reports."""
    made = []
    for doc, province in zip(documents(campaign), _lettered(campaign), strict=True):
        reports = tuple(str(p.with_suffix("")) for p in _enclosed(campaign, province))
        made.append((f"{doc.name}-package", (doc.name, *reports), f"{doc.title} พร้อมรายงานผลการประเมิน"))
    return made


def _lettered(campaign: Campaign) -> list[Province]:
    numbers = sent.outgoing(campaign).numbers
    return [p for p in campaign.provinces if _key(campaign, p) in numbers]
