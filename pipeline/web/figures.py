"""The dashboard's figures: each center's state, the national bars, the results table."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from ..model import Campaign
from .db import Database


def dashboard_rows(db: Database, campaign: Campaign) -> list[dict[str, Any]]:
    """One row per center: state, last change, basic condition met, quality items met."""
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
        elif key in files:
            a = files[key]
            row.update(
                state="submitted", basic=all(a.physical.values()), quality=sum(a.quality.values()), report="file"
            )
        if key in drafts and (row["changed"] is None or drafts[key] > row["changed"]):
            if row["state"] == "not started":
                row["state"] = "draft"
            row["changed"] = drafts[key]
        rows.append(row)
    return rows


def national_chart(db: Database, campaign: Campaign, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Share of submitted centers meeting the basic condition, and of quality items met per part."""
    answers = latest_answers(db, campaign)
    submitted = [r for r in rows if r["state"] == "submitted"]
    counts = [("ผ่านเงื่อนไขพื้นฐาน (ด้านกายภาพครบ ๑๓ ข้อ)", sum(1 for r in submitted if r["basic"]), len(submitted))]
    for part in campaign.criteria.parts:
        ids = [i.id for i in part.items]
        met = sum(1 for q in answers.values() for i in ids if q.get(i))
        counts.append((part.title, met, len(ids) * len(answers)))
    return [
        {"label": label, "value": value, "of": of, "percent": round(100 * value / of) if of else 0}
        for label, value, of in counts
    ]


def latest_answers(db: Database, campaign: Campaign) -> dict[tuple[str, str], dict[str, bool]]:
    """Quality answers of each answered center: its latest web version, else its answer file."""
    found = {(a.province, a.center): a.quality for a in campaign.answers}
    for r in db.all(
        "SELECT s.province, s.center, s.answer FROM submissions s JOIN (SELECT max(id) AS id "
        "FROM submissions GROUP BY province, center) n ON n.id = s.id"
    ):
        found[(r["province"], r["center"])] = json.loads(r["answer"]).get("quality") or {}
    return found


def results_figures(outputs: Path) -> dict[str, Any] | None:
    """outputs/summary/results.csv as a table (header, rows), if it was built."""
    path = outputs / "summary" / "results.csv"
    if not path.is_file():
        return None
    rows = list(csv.reader(path.read_text(encoding="utf-8-sig").splitlines()))
    return {
        "header": rows[0] if rows else [],
        "rows": rows[1:201],
        "more": max(0, len(rows) - 201),
        "path": "summary/results.csv",
    }
