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

from . import archive, register
from .model import Campaign, Center, Draft, Outgoing

Drafting = Callable[[Campaign], list[Draft]]


def prepare(
    outputs: Path, campaign: Campaign, drafting: Sequence[Drafting], *, take: bool, today: date | None = None
) -> Campaign:
    """The campaign with its outgoing state; ``take``: enter new letters in the register (a build),
    otherwise only look their entries up (a check)."""
    today = today or date.today()
    standing = Outgoing(issued=today, missing=tuple(missing(outputs, campaign)), accepted=accepted(outputs, campaign))
    staged = replace(campaign, outgoing=standing)
    drafts = [d for make in drafting for d in make(staged)]
    if take:
        numbers = register.take(outputs, drafts, today)
    else:
        known = {e.key: e for e in register.entries(outputs)}
        numbers = {d.key: known[d.key] for d in drafts if d.key in known}
    return replace(staged, outgoing=replace(standing, numbers=numbers, register=register.entries(outputs)))


def missing(outputs: Path, campaign: Campaign) -> list[Center]:
    """The centers not in, in the campaign's order: those without an answer."""
    answered = {(a.province, a.center) for a in campaign.answers}
    return [c for c in sorted(campaign.centers, key=lambda c: c.order) if (c.province, c.name) not in answered]


def accepted(outputs: Path, campaign: Campaign) -> dict[str, Path]:
    """Center slug → its accepted report (relative to ``outputs``): the latest archived version."""
    found = {}
    for center in campaign.centers:
        folder = Path(outputs) / "archive" / center.slug
        versions = sorted(folder.glob("v[0-9][0-9][0-9]*/" + archive.REPORT)) if folder.is_dir() else []
        if versions:
            found[center.slug] = versions[-1].relative_to(outputs)
    return found
