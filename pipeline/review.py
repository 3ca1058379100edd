"""The department's review of each center's answers: accepted, or returned for correction with comments.

Review is core data, so the command line (``gecc follow-up``) and the web agree on which
centers are in. Its store is the audit log itself (pipeline/audit.py): a decision is an
entry ``review`` and a center sending its answers is an entry ``submit``, so no decision
can be changed afterwards without ``gecc audit verify`` saying so.

A center's state, from the core's view:

- ``not started``: no answer (an answer file or a web submission written as one);
- ``submitted``: an answer, and no decision on it yet;
- ``returned`` / ``accepted``: the latest decision, while it still holds: the answer is the one
  decided on (same content: ``answer_digest``) and the center has not submitted since.

``draft`` lives only in the web app's database: the web shows a center with a draft and
no answer as a draft (``with_draft``). An accepted version is marked final in the archive
(archive.mark_final), beside the version, never in it.

    review.record(outputs, actor, Decision(...))      # an entry, and the final mark when accepted
    review.submitted(outputs, actor, center, answer)  # a center sent (again): decisions before it lapse
    review.states(outputs, campaign)                  # slug → Status, every center
    review.missing(outputs, campaign)                 # centers not in: not started, or returned
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import archive, audit
from .model import Answer, Campaign, Center

NOT_STARTED, DRAFT, SUBMITTED, RETURNED, ACCEPTED = "not started", "draft", "submitted", "returned", "accepted"
STATES = (NOT_STARTED, DRAFT, SUBMITTED, RETURNED, ACCEPTED)
ACCEPT, RETURN = "accept", "return"
DECISIONS = {ACCEPT: ACCEPTED, RETURN: RETURNED}
MAX_COMMENT = 2000  # characters kept of one comment


@dataclass(frozen=True)
class Decision:
    """What a reviewer decided on one center's answer. ``items``: item ID → comment (the IDs of the
    form's notes:<ID>). ``archived``: the archive version decided on ("v003"), when it has one."""

    slug: str
    decision: str  # accept / return
    answer_digest: str
    comment: str = ""
    items: dict[str, str] = field(default_factory=dict)
    archived: str | None = None
    version: int | None = None  # the web's version number (ฉบับที่ N), when it came from the web
    by: str = ""  # filled from the log entry when read back
    at: str = ""
    entry: int = 0


@dataclass(frozen=True)
class Status:
    state: str
    decision: Decision | None = None  # the decision that holds (returned / accepted)
    last_decision: Decision | None = None  # the latest one on this center, holding or not


class ReviewError(ValueError):
    """A decision that cannot be recorded (Thai message)."""


def answer_digest(answer: Answer) -> str:
    """The content of an answer, whichever file or form it came in: what a decision is about."""
    content = {
        "assessed_on": answer.assessed_on.isoformat(),
        "assessor": [answer.assessor_name.strip(), answer.assessor_position.strip()],
        "physical": dict(sorted(answer.physical.items())),
        "quality": dict(sorted(answer.quality.items())),
        "notes": {k: v.strip() for k, v in sorted(answer.notes.items()) if v and v.strip()},
    }
    text = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def clean_comments(form: Mapping[str, Any], item_ids: list[str]) -> tuple[str, dict[str, str]]:
    """The general comment and per-item comments (``comment``, ``comment:<ID>``) of a posted form."""

    def text(value: Any) -> str:
        return str(value or "").replace("\r\n", "\n").strip()[:MAX_COMMENT]

    items = {i: text(form.get(f"comment:{i}")) for i in item_ids}
    return text(form.get("comment")), {i: c for i, c in items.items() if c}


def record(outputs: Path, actor: str, decision: Decision) -> Decision:
    """Append the decision to the audit log; an accepted archived version gets its final mark."""
    if decision.decision not in DECISIONS:
        raise ReviewError(f"ผลการพิจารณาต้องเป็น accept หรือ return ไม่ใช่ “{decision.decision}”")
    if decision.decision == RETURN and not (decision.comment or decision.items):
        raise ReviewError("การส่งกลับแก้ไขต้องมีความเห็นอย่างน้อยหนึ่งข้อ เพื่อให้ศูนย์รู้ว่าต้องแก้อะไร")
    detail = {
        "center": decision.slug,
        "decision": decision.decision,
        "answer_digest": decision.answer_digest,
        "comment": decision.comment,
        "items": dict(decision.items),
        "archived": decision.archived,
        "version": decision.version,
    }
    entry = audit.append(outputs, actor, "review", detail)
    if decision.decision == ACCEPT and decision.archived:
        archive.mark_final(
            Path(outputs) / "archive",
            decision.slug,
            decision.archived,
            {
                "accepted_by": actor,
                "accepted_at": entry.at,
                "audit": entry.ref(),
                "answer_digest": decision.answer_digest,
            },
        )
    return _decision(entry)


def submitted(outputs: Path, actor: str, center: Center, answer: Answer, version: int | None = None) -> audit.Entry:
    """A center sent its answers (again): an entry ``submit``; a decision before it no longer holds."""
    return audit.append(outputs, *submit_entry(actor, center, answer, version))


def submit_entry(
    actor: str, center: Center, answer: Answer, version: int | None = None
) -> tuple[str, str, dict[str, Any]]:
    """The audit entry of a submit, as (actor, action, detail): for audit.append_many."""
    return actor, "submit", {"center": center.slug, "answer_digest": answer_digest(answer), "version": version}


def _decision(entry: audit.Entry) -> Decision:
    d = entry.detail
    items = d.get("items") if isinstance(d.get("items"), dict) else {}
    return Decision(
        str(d.get("center", "")),
        str(d.get("decision", "")),
        str(d.get("answer_digest", "")),
        str(d.get("comment") or ""),
        {str(k): str(v) for k, v in (items or {}).items()},
        d.get("archived") if isinstance(d.get("archived"), str) else None,
        d.get("version") if isinstance(d.get("version"), int) else None,
        entry.actor,
        entry.at,
        entry.n,
    )


# --- reading the log back, incrementally ---------------------------------------------------


@dataclass
class _Events:
    """Per center: its decisions (oldest first), and the entry number of its latest submit."""

    key: tuple[int, int] = (0, 0)  # (device, inode) of the log read
    offset: int = 0
    decisions: dict[str, list[Decision]] = field(default_factory=dict)
    submits: dict[str, int] = field(default_factory=dict)


_CACHE: dict[Path, _Events] = {}
_CACHE_LOCK = threading.Lock()


def _events(outputs: Path) -> _Events:
    """The review events of the log, reading only what was appended since the last call."""
    path = audit.log_path(outputs).resolve()
    with _CACHE_LOCK:
        try:
            st = path.stat()
            key = (st.st_dev, st.st_ino)
        except FileNotFoundError:
            _CACHE.pop(path, None)
            return _Events()
        events = _CACHE.get(path)
        if events is None or events.key != key or st.st_size < events.offset:
            events = _Events(key)
        for offset, entry in audit.entries(path, events.offset):
            events.offset = offset
            slug = str(entry.detail.get("center", ""))
            if entry.action == "review":
                events.decisions.setdefault(slug, []).append(_decision(entry))
            elif entry.action == "submit":
                events.submits[slug] = entry.n
        _CACHE[path] = events
        return events


def status(outputs: Path, center: Center, answer: Answer | None) -> Status:
    """One center's state from its current answer (None: none yet) and the log."""
    events = _events(outputs)
    return _status(events, center.slug, answer)


def history(outputs: Path, slug: str) -> list[Decision]:
    """Every decision on one center, oldest first."""
    return list(_events(outputs).decisions.get(slug, []))


def _status(events: _Events, slug: str, answer: Answer | None) -> Status:
    found = events.decisions.get(slug)
    last = found[-1] if found else None
    if answer is None:
        return Status(NOT_STARTED, None, last)
    if last is None or events.submits.get(slug, 0) > last.entry or last.answer_digest != answer_digest(answer):
        return Status(SUBMITTED, None, last)
    return Status(DECISIONS[last.decision], last, last)


def states(outputs: Path, campaign: Campaign) -> dict[str, Status]:
    """Every center's state (slug → Status), from the campaign's answers and the log."""
    events = _events(outputs)
    answers = {(a.province, a.center): a for a in campaign.answers}
    return {c.slug: _status(events, c.slug, answers.get((c.province, c.name))) for c in campaign.centers}


def missing(outputs: Path, campaign: Campaign) -> list[Center]:
    """The centers not in, in the campaign's order: no answer yet, or returned and not sent again."""
    found = states(outputs, campaign)
    return [
        c for c in sorted(campaign.centers, key=lambda c: c.order) if found[c.slug].state in (NOT_STARTED, RETURNED)
    ]


def with_draft(state: str, has_draft: bool) -> str:
    """The web's view: a center with a draft and nothing sent is a draft."""
    return DRAFT if state == NOT_STARTED and has_draft else state
