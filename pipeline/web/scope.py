"""What a province account may see: its own province's centers, their files, their log entries.

``province`` is the province an actor is limited to; "" means every province (the department).
Files are matched by name, the way the pipeline names them: a center's files carry its slug
(``reports/01-สมุทรปราการ-พระสมุทรเจดีย์.pdf``, ``forms/…-fillable.pdf``, ``archive/<slug>/…``), a
province's letters and packages ``NN-<province>`` (in any folder: circulars, follow-up and results
letters alike); the circular's enclosures are the same for every province. Anything else
(national summary, print files, results.csv, links.csv, check.json, the audit log) is the
department's.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import PurePosixPath

from ..audit import Entry
from ..model import Campaign, Center

SHARED_FOLDERS = ("enclosures",)


def sees(province: str, center: Center) -> bool:
    return not province or center.province == province


def centers(campaign: Campaign, province: str) -> list[Center]:
    return [c for c in sorted(campaign.centers, key=lambda c: c.order) if sees(province, c)]


def slugs(campaign: Campaign, province: str) -> set[str]:
    return {c.slug for c in centers(campaign, province)}


def file_visible(relative: str, province: str, campaign: Campaign) -> bool:
    """Whether a province officer may see the file at ``relative`` (a path under outputs/)."""
    if not province:
        return True
    parts = PurePosixPath(relative).parts
    if not parts:
        return False
    own = slugs(campaign, province)
    if parts[0] == "archive":
        return len(parts) > 1 and parts[1] in own
    if parts[0] in SHARED_FOLDERS and len(parts) == 2:
        return True
    stem = PurePosixPath(parts[-1]).stem
    stem = stem.removesuffix("-fillable")
    return stem in own or re.fullmatch(r"\d+-" + re.escape(province), stem) is not None


def entries(found: Iterable[Entry], province: str, campaign: Campaign) -> list[Entry]:
    """The audit entries about this province's centers (all of them for the department)."""
    if not province:
        return list(found)
    own = slugs(campaign, province)
    return [e for e in found if str(e.detail.get("center", "")) in own or e.actor.removeprefix("center:") in own]
