"""The review as the web shows it: the core's state (pipeline/review.py) with what only the web knows.

The core decides from the answer files and the audit log; the web adds its drafts and the
versions it has just received (an answer file written a moment ago may not be read yet).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from .. import archive, review, service
from ..model import Answer, Center
from . import words
from .db import Submission
from .site import Site

LABELS = {state: words.STATES[state] for state in review.STATES}  # the words catalogue's
ANSWERED = (review.SUBMITTED, review.RETURNED, review.ACCEPTED)


def current_answer(site: Site, center: Center) -> tuple[Answer | None, Submission | None]:
    """The answer a reviewer decides on: the web's latest version (checked again), else the answer file."""
    history = site.submissions(center)
    campaign = site.campaign()
    if history:
        result = service.validate_answer(history[-1].answer, campaign)
        if isinstance(result, Answer):
            return result, history[-1]
    found = next((a for a in campaign.answers if (a.province, a.center) == (center.province, center.name)), None)
    return found, None


def status(site: Site, center: Center) -> review.Status:
    answer, _ = current_answer(site, center)
    found = review.status(site.settings.outputs, center, answer)
    return (
        found if found.state != review.NOT_STARTED else review.Status(_draft(site, center), None, found.last_decision)
    )


def _draft(site: Site, center: Center) -> str:
    return review.with_draft(review.NOT_STARTED, site.draft(center) is not None)


def with_states(site: Site, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The dashboard's rows with each center's review state (``state``) and the decision that holds."""
    statuses = review.states(site.settings.outputs, site.campaign())
    for row in rows:
        found = statuses.get(row["center"].slug)
        if (found is None or found.state == review.NOT_STARTED) and row.get("versions"):
            found = status(site, row["center"])  # sent on the web, its answer file not read back yet
        if found is not None and found.state != review.NOT_STARTED:
            row["state"], row["decision"] = found.state, found.decision
        else:
            row.setdefault("decision", None)  # web-only states stay: draft, or a version not yet read back
    return rows


def decide(site: Site, actor: str, center: Center, decision: str, form: Mapping[str, Any]) -> review.Decision:
    """Record ``decision`` (accept / return) with the form's comments on the center's current answer;
    ReviewError (Thai) when it cannot be recorded."""
    answer, submission = current_answer(site, center)
    if answer is None:
        raise review.ReviewError("ศูนย์นี้ยังไม่ได้ส่งแบบประเมิน จึงยังตรวจไม่ได้")
    if decision == review.ACCEPT and submission is not None and submission.report == "pending":
        # Accepting marks the version's archived report final: it must exist (the report workers make it).
        raise review.ReviewError("รายงานผลของฉบับนี้ยังจัดทำไม่เสร็จ จึงยังตรวจรับไม่ได้ โปรดเปิดหน้านี้ใหม่ในอีกสักครู่แล้วตรวจรับอีกครั้ง")
    criteria = site.campaign().criteria
    ids = [i.id for i in criteria.physical] + [i.id for i in criteria.quality]
    comment, items = review.clean_comments(form, ids)
    archived = submission.archived_version if submission else _archived_of(site, center, answer)
    made = review.Decision(
        center.slug,
        decision,
        review.answer_digest(answer),
        comment,
        items,
        archived=archived,
        version=submission.version if submission else None,
    )
    return review.record(site.settings.outputs, actor, made)


def _archived_of(site: Site, center: Center, answer: Answer) -> str | None:
    """The latest archive version holding exactly this answer file (or CSV row), if there is one."""
    try:
        data = answer.source_text.encode("utf-8") if answer.source_where else answer.source.read_bytes()
    except OSError:
        return None
    folder = site.settings.outputs / "archive" / center.slug
    for version in sorted(folder.glob("v[0-9][0-9][0-9]*"), reverse=True) if folder.is_dir() else []:
        try:
            manifest = json.loads((version / archive.MANIFEST).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if version.is_dir() and manifest.get("answer_digest") == archive.sha256(data):
            return version.name
    return None
