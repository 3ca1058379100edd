"""What the letters sent after the circular are made from, read before their contexts.

The inputs alone do not say which centers are still out or which reports were accepted, nor
which number each letter has: that is state kept in the outputs folder (the review in the
audit log, the final marks in the archive, the register of outgoing letters). ``prepare``
reads it once per run, has every letter of the run entered in the register (numbered), and
hands it to the document modules in ``Campaign.outgoing``; they stay pure functions of it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date
from pathlib import Path

from . import archive, audit, register, review
from .model import Campaign, Center, Draft, Outgoing
from .settings import Settings

Drafting = Callable[[Campaign], list[Draft]]


def prepare(settings: Settings, campaign: Campaign, drafting: Sequence[Drafting], *, take: bool) -> Campaign:
    """The campaign with its outgoing state; ``take``: enter new letters in the register (a build),
    otherwise only look their entries up (a check). Each new entry is in the audit log too."""
    outputs, today = settings.outputs, date.today()
    standing = Outgoing(issued=today, missing=tuple(missing(outputs, campaign)), accepted=accepted(outputs, campaign))
    staged = replace(campaign, outgoing=standing)
    drafts = [d for make in drafting for d in make(staged)]
    if take:
        numbers, added = register.take(outputs, drafts, today)
        for entry in added:
            detail = {"reference": entry.reference, "addressee": entry.addressee, "subject": entry.subject}
            audit.append(outputs, settings.actor or audit.cli_actor(), "register", {**detail, "key": entry.key})
    else:
        known = {e.key: e for e in register.entries(outputs)}
        numbers, added = {d.key: known[d.key] for d in drafts if d.key in known}, []
    entries = register.entries(outputs)
    return replace(staged, outgoing=replace(standing, numbers=numbers, register=entries, added=tuple(added)))


def said(state: Outgoing) -> str:
    """What a run entered in the register, for the clerk (one line, Thai)."""
    if not state.numbers:
        return "ไม่มีหนังสือที่ต้องส่ง (ไม่ได้ลงทะเบียนหนังสือส่งใหม่)\n"
    again = len(state.numbers) - len(state.added)
    new = ", ".join(e.reference for e in state.added)
    return (
        f"ทะเบียนหนังสือส่ง: ลงทะเบียนใหม่ {len(state.added)} ฉบับ{f' ({new})' if new else ''}; "
        f"ที่ลงทะเบียนไว้แล้ว {again} ฉบับ ใช้เลขและวันที่เดิม\n"
    )


def missing(outputs: Path, campaign: Campaign) -> list[Center]:
    """The centers not in, in the campaign's order: no answer yet, or returned and not sent again."""
    return review.missing(outputs, campaign)


def accepted(outputs: Path, campaign: Campaign) -> dict[str, Path]:
    """Center slug → its accepted report (relative to ``outputs``): the archived version the
    department accepted (marked final), while that acceptance holds."""
    found = {}
    for slug, status in review.states(outputs, campaign).items():
        decision = status.decision
        if status.state != review.ACCEPTED or decision is None:
            continue
        finals = archive.final_versions(Path(outputs) / "archive", slug)
        version = decision.archived or (f"v{finals[-1]:03d}" if finals else None)
        report = Path("archive") / slug / version / archive.REPORT if version else None
        if report is not None and (Path(outputs) / report).is_file():
            found[slug] = report
    return found
