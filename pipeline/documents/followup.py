"""Follow-up letters (gecc follow-up): a หนังสือประทับตรา to each province with centers not in.

A center is not in when it has sent no answer, or its answer was returned for correction and
it has not sent again (pipeline/outgoing.py reads that). Each letter names those centers,
refers to the circular by its number and date, and states its deadline; a province whose
centers are all in gets none. Wording: inputs/letters.yaml ``follow_up``.
"""

from __future__ import annotations

from typing import Any

from ..model import Campaign, Center, Draft, Province
from ..thai import thai_date, thai_digits, thai_text
from . import Document, letters, sent

KIND = letters.KIND  # checked like the circular: the stamped format's parts, in order, and where they stand
FOLDER = "letters/follow-up"
TEXT = "follow_up"


def _chased(campaign: Campaign) -> list[tuple[Province, list[Center], list[Center]]]:
    """(province, centers that never answered, centers returned and not sent again), provinces with any."""
    state = sent.outgoing(campaign)
    missing = {c.slug for c in state.missing}
    answered = {(a.province, a.center) for a in campaign.answers}
    found = []
    for province in campaign.provinces:
        out = [c for c in province.centers if c.slug in missing]
        if out:
            never = [c for c in out if (c.province, c.name) not in answered]
            found.append((province, never, [c for c in out if c not in never]))
    return found


def _key(campaign: Campaign, province: Province, never: list[Center], returned: list[Center]) -> str:
    said = [[c.name for c in never], [c.name for c in returned], campaign.circular.number, campaign.circular.deadline]
    return f"follow-up:{province.name}:{sent.digest(said)}"


def _addressee(campaign: Campaign, province: Province) -> str:
    return sent.fill(campaign, TEXT, "addressee", sent.text_of(campaign, TEXT).addressee, {"province": province.name})


def _fields(campaign: Campaign, province: Province, never: list[Center], returned: list[Center]) -> dict[str, Any]:
    return {
        **sent.common_fields(campaign, province.name),
        "centers": [c.name for c in never + returned],
        "not_answered": [c.name for c in never],
        "returned": [c.name for c in returned],
    }


def _each(never: list[Center], returned: list[Center]) -> list[dict[str, Any]]:
    """The fields of ``each_center``: one paragraph per center not in, its name whole on its line."""
    out = [{"name": c.name, "returned": c in returned} for c in never + returned]
    return [{"center": center, "number": i} for i, center in enumerate(out, 1)]


def drafts(campaign: Campaign) -> list[Draft]:
    """What the register is asked for: one letter per province with centers not in. Its text is
    filled in here already, so that a wrong field stops the run before any number is taken."""
    subject = sent.text_of(campaign, TEXT).subject
    found = []
    for province, never, returned in _chased(campaign):
        sent.paragraphs(campaign, TEXT, _fields(campaign, province, never, returned), _each(never, returned))
        key = _key(campaign, province, never, returned)
        note = f"ติดตาม {thai_digits(len(never) + len(returned))} ศูนย์"  # the register's หมายเหตุ
        found.append(sent.draft(campaign, key, _addressee(campaign, province), subject, note))
    return found


def documents(campaign: Campaign) -> list[Document]:
    if campaign.outgoing is None:
        return []  # made only where the outgoing state was read (pipeline/outgoing.py), not in a page count
    state = sent.outgoing(campaign)
    text = sent.text_of(campaign, TEXT)
    made = []
    for province, never, returned in _chased(campaign):
        entry = state.numbers.get(_key(campaign, province, never, returned))
        if entry is None:
            continue  # `gecc check` on letters not made yet: nothing to check
        fields = _fields(campaign, province, never, returned)
        letter = letters.StampedLetter(
            name=f"{FOLDER}/{province.slug}",
            number=entry.reference,
            dated=entry.dated,
            urgency=text.urgency,
            addressee=_addressee(campaign, province),
            paragraphs=tuple(sent.paragraphs(campaign, TEXT, fields, _each(never, returned))),
            title=f"{text.subject} ({province.name})",
        )
        expect = {f"ศูนย์ที่ยังไม่ส่ง {i}": c.name for i, c in enumerate(never + returned, 1)}
        expect["หนังสือเวียนที่อ้างถึง"] = thai_text(campaign.circular.number)
        expect["วันที่ของหนังสือเวียน"] = thai_date(campaign.circular.date)
        if campaign.circular.deadline:
            expect["กำหนดส่ง"] = thai_date(campaign.circular.deadline)
        made.append(letters.stamped_letter(campaign.circular, letter, expect))
    return made
