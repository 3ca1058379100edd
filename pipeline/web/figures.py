"""The dashboard's figures, all from one source: the campaign's answers as results.csv is made from them.

The web keeps its cached campaign's answers current as centers submit (site.py), so the
states, the national bars and the results table agree with each other and with what the
next build writes to results.csv; when the results.csv on disk says otherwise, the page
says so, with the file's time. A province filter narrows every figure.
"""

from __future__ import annotations

import csv
import io
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..documents import summary
from ..exports import csv_text
from ..model import Answer, Campaign
from ..review import ACCEPTED, RETURNED, SUBMITTED
from ..thai import thai_digits
from ..workbooks import results_headings
from . import words
from .db import Database

RESULTS_CSV = Path(summary.RESULTS_CSV)
ANSWERED = (SUBMITTED, RETURNED, ACCEPTED)  # states of a center whose answer counts in the figures
SHOWN = 200  # rows of the results table on the page; the rest are in results.xlsx / results.csv


@dataclass
class Figures:
    rows: list[dict[str, Any]]  # one per center in the filter's scope, in center order
    provinces: list[str]  # every province, in center order
    counts: dict[str, int]
    basic: int  # submitted centers meeting the basic condition
    quality_items: int
    chart: list[dict[str, Any]]
    header: list[str] = field(default_factory=list)  # the results table, as results.xlsx heads it
    results: list[list[str]] = field(default_factory=list)
    more: int = 0
    csv_made: float | None = None  # results.csv's time; None: not built yet
    csv_current: bool = False  # results.csv says what the answers say (within the whole campaign)


Rows = list[dict[str, Any]]


def figures(
    db: Database, campaign: Campaign, outputs: Path, province: str = "", states: Callable[[Rows], Rows] | None = None
) -> Figures:
    """Every figure of the dashboard for ``province`` ("" for all); ``states`` sets each row's review state."""
    everything = dashboard_rows(db, campaign)
    if states is not None:
        everything = states(everything)
    provinces = list(dict.fromkeys(r["center"].province for r in everything))
    rows = [r for r in everything if not province or r["center"].province == province]
    answers = [a for a in campaign.answers if not province or a.province == province]
    submitted = [r for r in rows if r["state"] in ANSWERED]
    table = [r for r in _results_rows(campaign) if not province or r["province"] == province]
    made, current = _results_csv(outputs, campaign)
    return Figures(
        rows=rows,
        provinces=provinces,
        counts={s: sum(1 for r in rows if r["state"] == s) for s in words.STATES},
        basic=sum(1 for r in submitted if r["basic"]),
        quality_items=len(campaign.criteria.quality),
        chart=national_chart(campaign, submitted, answers),
        header=results_headings(campaign.criteria),
        results=[[_shown(v) for v in row.values()] for row in table[:SHOWN]],
        more=max(0, len(table) - SHOWN),
        csv_made=made,
        csv_current=current,
    )


def dashboard_rows(db: Database, campaign: Campaign) -> list[dict[str, Any]]:
    """One row per center: state, last change, basic condition met, quality items met, a newer draft."""
    latest = {
        (r["province"], r["center"]): r
        for r in db.all(
            "SELECT s.province, s.center, s.basic_met, s.quality_met, s.submitted_at, s.report, n.versions "
            "FROM submissions s JOIN (SELECT province, center, max(id) AS id, count(*) AS versions "
            "FROM submissions GROUP BY province, center) n ON n.id = s.id"
        )
    }
    drafts = {
        (r["province"], r["center"]): r["saved_at"] for r in db.all("SELECT province, center, saved_at FROM drafts")
    }
    files = {(a.province, a.center): a for a in campaign.answers}
    rows = []
    for center in sorted(campaign.centers, key=lambda c: c.order):
        key = (center.province, center.name)
        row: dict[str, Any] = {
            "center": center,
            "state": "not started",
            "changed": None,
            "basic": None,
            "quality": None,
            "versions": 0,
            "report": None,
            "newer_draft": False,  # saved after its last submission: the department still sees that one
        }
        if key in latest:
            r = latest[key]
            row.update(
                state="submitted",
                changed=r["submitted_at"],
                basic=bool(r["basic_met"]),
                quality=r["quality_met"],
                versions=r["versions"],
                report=r["report"],
            )
        if key in files:  # what results.csv counts
            a = files[key]
            row.update(state="submitted", basic=all(a.physical.values()), quality=sum(a.quality.values()))
            row["report"] = row["report"] or "file"
        if key in drafts and (row["changed"] is None or drafts[key] > row["changed"]):
            if row["state"] == "not started":
                row["state"] = "draft"
            else:
                row["newer_draft"] = True
            row["changed"] = drafts[key]
        rows.append(row)
    return rows


def national_chart(campaign: Campaign, submitted: list[dict[str, Any]], answers: list[Answer]) -> list[dict[str, Any]]:
    """Share of submitted centers meeting the basic condition, and of quality items met per part."""
    counts = [("ผ่านเงื่อนไขพื้นฐาน (ด้านกายภาพครบ ๑๓ ข้อ)", sum(1 for r in submitted if r["basic"]), len(submitted))]
    for part in campaign.criteria.parts:
        ids = [i.id for i in part.items]
        met = sum(sum(map(bool, map(a.quality.get, ids))) for a in answers)
        counts.append((part.title, met, len(ids) * len(answers)))
    return [
        {"label": label, "value": value, "of": of, "percent": round(100 * value / of) if of else 0}
        for label, value, of in counts
    ]


def _shown(value: object) -> str:
    if isinstance(value, bool):
        return words.YES if value else words.NO
    return thai_digits(value)


# One campaign's results rows and one results.csv's verdict, kept while they stand: the cached
# campaign is a new object whenever its answers change (site.py), so identity is the key.
_rows: tuple[Campaign, list[dict[str, object]]] | None = None
_verdict: tuple[Campaign, tuple[int, int], bool] | None = None
_cache_lock = threading.Lock()


def _results_rows(campaign: Campaign) -> list[dict[str, object]]:
    global _rows
    with _cache_lock:
        if _rows is None or _rows[0] is not campaign:
            _rows = (campaign, summary.results_rows(campaign))
        return _rows[1]


def _results_csv(outputs: Path, campaign: Campaign) -> tuple[float | None, bool]:
    """results.csv's time, and whether it holds exactly the rows the answers give now."""
    global _verdict
    path = outputs / RESULTS_CSV
    try:
        st = path.stat()
    except OSError:
        return None, False
    stamp = (st.st_mtime_ns, st.st_size)
    with _cache_lock:
        if _verdict is not None and _verdict[0] is campaign and _verdict[1] == stamp:
            return st.st_mtime, _verdict[2]
    try:
        text = path.read_text(encoding="utf-8-sig")
        on_disk = [[csv_text(v) for v in row] for row in csv.reader(io.StringIO(text))][1:]  # exports wrote it
    except (OSError, UnicodeDecodeError):
        return None, False
    now = [
        [("TRUE" if v else "FALSE") if isinstance(v, bool) else str(v) for v in row.values()]
        for row in _results_rows(campaign)
    ]
    with _cache_lock:
        _verdict = (campaign, stamp, on_disk == now)
    return st.st_mtime, on_disk == now
