"""The queue of reports to make: a table in the web database, so a queued report survives kill -9.

A submit is acknowledged once its version is kept (its submissions row and its answer
file); its report waits here as a job. Worker processes (pipeline.web.reportworkers) take
every job waiting at that moment and make them together; each result goes on the job and on
its submission, in one transaction.

    queued → running (a worker took it) → done | failed
    queued → superseded (the center sent a newer version before a worker took this one)

A center has at most one job queued and one running: a worker never takes a center's job
while another makes that center's report, so its latest version is always the one left in
reports/. A job whose worker died goes back to the queue, ``MAX_ATTEMPTS`` times at most.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from .db import Database, now

MAX_ATTEMPTS = 3  # a report whose worker died this many times is failed, not tried for ever
DIED = "กระบวนการจัดทำรายงานหยุดกลางคัน {n} ครั้ง (เช่น หน่วยความจำไม่พอ) จึงหยุดลองใหม่ กรมการปกครองสั่งสร้างรายงานใหม่ได้"


@dataclass(frozen=True)
class Job:
    id: int
    submission: int
    province: str
    center: str
    answer: dict[str, Any]  # the answer mapping the submission kept (what validate_answer takes)
    cause: tuple[int, str] | None = None  # the submit's audit-log entry


@dataclass(frozen=True)
class Waiting:
    """What the dashboard shows of the queue."""

    queued: int
    running: int
    failed: list[dict[str, Any]]  # each center whose latest report failed: province, center, problems, at


class ReportQueue:
    def __init__(self, db: Database):
        self.db = db  # its table: migration 2 of pipeline/web/db.py

    @staticmethod
    def add(
        con: sqlite3.Connection, submission: int, province: str, center: str, cause: tuple[int, str] | None = None
    ) -> None:
        """Queue the report of ``submission`` (in the caller's transaction); a queued report of the same
        center is no longer wanted. Adding a submission already queued (after a restart) changes nothing.
        ``cause``: the audit-log entry of the submit, which the report's archive manifest names.
        """
        older = con.execute(
            "SELECT submission FROM report_jobs WHERE province = ? AND center = ? AND state = 'queued' "
            "AND submission < ?",
            (province, center, submission),
        ).fetchall()
        for row in older:
            con.execute("UPDATE report_jobs SET state = 'superseded' WHERE submission = ?", (row[0],))
            con.execute("UPDATE submissions SET report = 'superseded' WHERE id = ?", (row[0],))
        con.execute(
            "INSERT OR IGNORE INTO report_jobs (submission, province, center, state, audit_entry, audit_hash, "
            "queued_at) VALUES (?, ?, ?, 'queued', ?, ?, ?)",
            (submission, province, center, *(cause or (None, None)), now()),
        )

    def claim(self, worker: int, limit: int) -> list[Job]:
        """Every job waiting now (at most ``limit``), marked as taken by ``worker``; none of a center
        whose report another worker is making."""
        with self.db.connect() as con:
            rows = con.execute(
                "SELECT j.id, j.submission, j.province, j.center, j.audit_entry, j.audit_hash, s.answer "
                "FROM report_jobs j "
                "JOIN submissions s ON s.id = j.submission WHERE j.state = 'queued' AND NOT EXISTS "
                "(SELECT 1 FROM report_jobs r WHERE r.state = 'running' AND r.province = j.province "
                "AND r.center = j.center) ORDER BY j.id LIMIT ?",
                (limit,),
            ).fetchall()
            stamp = now()
            for row in rows:
                con.execute(
                    "UPDATE report_jobs SET state = 'running', worker = ?, started_at = ? WHERE id = ?",
                    (worker, stamp, row["id"]),
                )
        return [
            Job(
                r["id"],
                r["submission"],
                r["province"],
                r["center"],
                json.loads(r["answer"]),
                (r["audit_entry"], r["audit_hash"]) if r["audit_entry"] is not None else None,
            )
            for r in rows
        ]

    def finish(self, job: Job, problems: list[str], archived_version: str | None = None) -> None:
        """The job's result, on the job and on its submission: made (no problems) or failed."""
        state = "failed" if problems else "done"
        text = json.dumps(problems, ensure_ascii=False)
        with self.db.connect() as con:
            con.execute(
                "UPDATE report_jobs SET state = ?, problems = ?, finished_at = ? WHERE id = ?",
                (state, text, now(), job.id),
            )
            con.execute(
                "UPDATE submissions SET report = ?, report_problems = ?, archived_version = ? WHERE id = ?",
                ("failed" if problems else "ok", text, archived_version, job.submission),
            )

    def release(self, worker: int | None = None) -> int:
        """Jobs a dead worker was making (``worker``; None: every running job, after a restart) wait again,
        or fail once they have killed MAX_ATTEMPTS workers. Returns how many wait again."""
        where, args = ("state = 'running'", ()) if worker is None else ("state = 'running' AND worker = ?", (worker,))
        with self.db.connect() as con:
            rows = con.execute(f"SELECT id, submission, attempts FROM report_jobs WHERE {where}", args).fetchall()
            again = 0
            for row in rows:
                attempts = row["attempts"] + 1
                if attempts < MAX_ATTEMPTS:
                    again += 1
                    con.execute(
                        "UPDATE report_jobs SET state = 'queued', worker = NULL, attempts = ? WHERE id = ?",
                        (attempts, row["id"]),
                    )
                    continue
                text = json.dumps([DIED.format(n=attempts)], ensure_ascii=False)
                con.execute(
                    "UPDATE report_jobs SET state = 'failed', attempts = ?, problems = ?, finished_at = ? WHERE id = ?",
                    (attempts, text, now(), row["id"]),
                )
                con.execute(
                    "UPDATE submissions SET report = 'failed', report_problems = ? WHERE id = ?",
                    (text, row["submission"]),
                )
        return again

    def waiting(self) -> Waiting:
        """How many reports wait and are being made, and each center whose latest report failed."""
        counts = {
            r["state"]: r["n"]
            for r in self.db.all(
                "SELECT state, count(*) AS n FROM report_jobs WHERE state IN ('queued', 'running') GROUP BY state"
            )
        }
        failed = [
            {
                "province": r["province"],
                "center": r["center"],
                "problems": json.loads(r["report_problems"]),
                "at": r["submitted_at"],
            }
            for r in self.db.all(
                "SELECT s.province, s.center, s.report_problems, s.submitted_at FROM submissions s JOIN "
                "(SELECT max(id) AS id FROM submissions GROUP BY province, center) n ON n.id = s.id "
                "WHERE s.report = 'failed' ORDER BY s.id"
            )
        ]
        return Waiting(counts.get("queued", 0), counts.get("running", 0), failed)

    def ahead_of(self, submission: int) -> int | None:
        """How many reports a worker takes before this one's; None when it is not waiting."""
        row = self.db.one("SELECT id, state FROM report_jobs WHERE submission = ?", submission)
        if row is None or row["state"] not in ("queued", "running"):
            return None
        if row["state"] == "running":
            return 0
        ahead = self.db.one("SELECT count(*) AS n FROM report_jobs WHERE state = 'queued' AND id < ?", row["id"])
        return int(ahead["n"])
