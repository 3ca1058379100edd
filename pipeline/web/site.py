"""The web app's state and what its pages do, calling the core (pipeline.service).

The views (views/) parse a request and render a page; everything they do goes
through a Site: the cached campaign, the database, submissions, builds, files.
What the dashboard counts is in figures.py, the printable link sheet in linksheet.py (links.csv itself
is the core's pipeline/links.py), downloads in outputs.py.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

from .. import audit, edits, links, review, service
from ..model import Answer, Campaign, Center
from ..problems import InputError, Problem
from ..settings import Settings
from . import auth, figures, forms, linksheet, outputs, words
from .answerfolder import AnswerFolder
from .commits import GroupAppend, GroupCommit
from .db import Database, Submission, now, submission_of_row, submissions_of
from .jobs import Builds
from .processes import message
from .reportqueue import ReportQueue
from .reportworkers import ReportWorkers, WorkerConfig

T = TypeVar("T")

REPORTS = "reports"
Stamp = tuple[tuple[str, int | None, int | None], ...]  # (file, mtime_ns, size) of input files
INPUT_FILES = ("centers.csv", "circular.yaml", "criteria.yaml", "scoring.yaml")


@dataclass(frozen=True)
class WebConfig:
    settings: Settings
    database: Path | None = None  # default: <outputs>/.web/gecc.sqlite3
    secure_cookies: bool = True  # off only for plain-http localhost (development, tests)
    base_url: str = "http://127.0.0.1:8000"
    max_upload: int = 20 * 2**20  # bytes of one request body
    build_reports: bool = True  # run the report workers (off in tests that don't need reports made)
    report_workers: int = 2  # worker processes making the queued reports

    @property
    def database_path(self) -> Path:
        return self.database or self.settings.outputs / ".web" / "gecc.sqlite3"


@dataclass
class Outcome:
    """What a center's post did: saved a draft, or submitted a version, or found problems."""

    problems: list[Problem] = field(default_factory=list)
    submission: Submission | None = None


class Site:
    def __init__(self, config: WebConfig):
        self.config = config
        self.settings = config.settings
        self.db = Database(config.database_path)
        self.csrf = auth.Csrf(bytes.fromhex(self.db.get_or_create("secret", lambda: os.urandom(32).hex())))
        self._campaign: tuple[Stamp, Campaign] | None = None
        self._rereading = False
        self._answer_folder = AnswerFolder(self.settings.inputs / "answers")
        self._campaign_lock = threading.Lock()
        self._center_locks: dict[tuple[str, str], threading.Lock] = {}
        self._locks_lock = threading.Lock()
        self.reports = ReportQueue(self.db)
        self.commits = GroupCommit(self.db)  # a rush of submits shares its disk flushes,
        self.submits_log = GroupAppend(self.settings.outputs)  # in the database and in the audit log
        self.workers = ReportWorkers(
            WorkerConfig(self.settings, config.database_path), self.reports, config.report_workers
        )
        self.builds = Builds(self.settings, self.db)
        self._catalog = outputs.Catalog(self.settings.outputs)

    # --- the campaign, loaded again when its input files change ----------------------

    def _stamp(self, names: tuple[str, ...]) -> Stamp:
        stamp: list[tuple[str, int | None, int | None]] = []
        for name in names:
            try:
                st = (self.settings.inputs / name).stat()
                stamp.append((name, st.st_mtime_ns, st.st_size))
            except FileNotFoundError:
                stamp.append((name, None, None))
        return tuple(stamp)

    def campaign(self) -> Campaign:
        """The validated campaign; InputError when its inputs are wrong.

        Loaded again at once when centers, circular, criteria or scoring change. Answer files
        changed by someone else (the command line, a clerk) are read again in the background,
        the page meanwhile showing what was read before: reading 878 answer files takes
        seconds, and the web's own answers are in its database already.
        """
        with self._campaign_lock:
            stamp = self._stamp(INPUT_FILES)
            if self._campaign is None or self._campaign[0] != stamp:
                answers = self._answer_folder.snapshot()
                self._campaign = (stamp, service.load(self.settings))
                self._answer_folder.was_read(answers)
            elif not self._rereading and self._answer_folder.changed_by_others():
                self._rereading = True
                threading.Thread(target=self._reread, args=(stamp,), name="gecc-answers", daemon=True).start()
            return self._campaign[1]

    def _reread(self, stamp: Stamp) -> None:
        try:
            answers = self._answer_folder.snapshot()
            campaign = service.load(self.settings)
            with self._campaign_lock:
                if self._campaign is not None and self._campaign[0] == stamp:
                    self._campaign = (stamp, campaign)
                    self._answer_folder.was_read(answers)
        except Exception:
            pass  # the next page asks again
        finally:
            self._rereading = False

    def _answers_written(self, answer: Answer) -> None:
        """The web wrote ``answer``'s file (announced to the answer folder before): the cached campaign
        counts it (the dashboard's figures are the campaign's answers, as results.csv's are)."""
        with self._campaign_lock:
            if self._campaign is not None:
                stamp, campaign = self._campaign
                others = [a for a in campaign.answers if (a.province, a.center) != (answer.province, answer.center)]
                order = {(c.province, c.name): c.order for c in campaign.centers}
                answers = sorted([*others, answer], key=lambda a: order.get((a.province, a.center), 0))
                self._campaign = (stamp, replace(campaign, answers=tuple(answers)))

    def forget_campaign(self) -> None:
        with self._campaign_lock:
            self._campaign = None

    def center(self, province: str, name: str) -> Center | None:
        return next((c for c in self.campaign().centers if (c.province, c.name) == (province, name)), None)

    def center_by_slug(self, slug: str) -> Center | None:
        return next((c for c in self.campaign().centers if c.slug == slug), None)

    def center_of_token(self, token: str) -> Center | None:
        key = auth.center_of_token(self.db, token)
        return self.center(*key) if key else None

    # --- the campaign's state ------------------------------------------------------------

    def closed(self) -> bool:
        return self.db.get("closed") == "1"

    def set_closed(self, closed: bool) -> None:
        self.db.put("closed", "1" if closed else "0")

    # --- a center's answers -------------------------------------------------------------

    def _lock_of(self, center: Center) -> threading.Lock:
        with self._locks_lock:
            return self._center_locks.setdefault((center.province, center.name), threading.Lock())

    def draft(self, center: Center) -> dict[str, str] | None:
        row = self.db.one("SELECT fields FROM drafts WHERE province = ? AND center = ?", center.province, center.name)
        return json.loads(row["fields"]) if row else None

    def save_draft(self, center: Center, fields: dict[str, str]) -> None:
        self.db.run(
            "INSERT INTO drafts (province, center, fields, saved_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (province, center) DO UPDATE SET fields = excluded.fields, "
            "saved_at = excluded.saved_at",
            center.province,
            center.name,
            json.dumps(fields, ensure_ascii=False),
            now(),
        )

    def submissions(self, center: Center) -> list[Submission]:
        return submissions_of(self.db, center.province, center.name)

    def submit(self, center: Center, fields: dict[str, str]) -> Outcome:
        """Validate with the answer files' rules; when right: keep the version (SQLite, then the answer
        file), both before the center is told, and queue its report (made by the report workers)."""
        campaign = self.campaign()
        mapping = forms.answer_mapping(fields, center, campaign.criteria)
        result = service.validate_answer(mapping, campaign)
        if isinstance(result, list):
            self.save_draft(center, fields)  # everything typed is kept beside the problems
            return Outcome(problems=result)
        with self._lock_of(center):
            submission = self._record(center, mapping, result)
            row_id = submission.id
            try:
                self._answer_folder.expect(result.source, result.source_text)
                service.save_answer(self.settings, campaign, result)
            except OSError as error:  # disk full, say: not acknowledged, so not kept as a version either
                self.db.run("DELETE FROM submissions WHERE id = ?", row_id)
                self.save_draft(center, fields)
                return Outcome(
                    problems=[
                        Problem(
                            words.ONLINE_FORM,
                            words.SAVE_FAILED.format(reason=message(error)),
                        )
                    ]
                )
            self._answers_written(result)
            entry = self.submits_log.run(
                review.submit_entry(f"center:{center.slug}", center, result, submission.version)
            )
            self._queue_report(center, row_id, (entry.n, entry.hash))
        return Outcome(submission=submission)

    def _record(self, center: Center, mapping: dict[str, Any], answer: Answer) -> Submission:
        """The version kept (its number among the center's, counted in the same transaction: a rush of
        submits reads nothing more)."""
        row = (
            center.province,
            center.name,
            json.dumps(mapping, ensure_ascii=False, default=str),
            str(answer.source.relative_to(self.settings.inputs)),
            int(all(answer.physical.values())),
            sum(answer.quality.values()),
            now(),
        )
        sql = (
            "INSERT INTO submissions (province, center, answer, answer_file, basic_met, quality_met, submitted_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)"
        )

        def insert(con: sqlite3.Connection) -> Submission:
            row_id = con.execute(sql, row).lastrowid or 0
            count = con.execute("SELECT count(*) FROM submissions WHERE province = ? AND center = ?", row[:2])
            kept = con.execute("SELECT * FROM submissions WHERE id = ?", (row_id,)).fetchone()
            return submission_of_row(kept, int(count.fetchone()[0]))

        submission: Submission = self.commits.run(insert)
        return submission

    def _queue_report(self, center: Center, row_id: int, cause: tuple[int, str] | None = None) -> None:
        """The version is kept: its draft goes, its report is queued (one transaction), a worker woken.
        ``cause``: the submit's audit-log entry, which the report's archive manifest names."""

        def kept(con: sqlite3.Connection) -> None:
            con.execute("DELETE FROM drafts WHERE province = ? AND center = ?", (center.province, center.name))
            self.reports.add(con, row_id, center.province, center.name, cause)

        self.commits.run(kept)
        self.workers.wake()

    def start_workers(self) -> None:
        """The report workers of this server (create_app starts them): what was queued goes on."""
        if self.config.build_reports:
            self.workers.start()

    def close(self) -> None:
        self.workers.close()

    def report_pdf(self, center: Center) -> Path | None:
        pdf = self.settings.outputs / REPORTS / f"{center.slug}.pdf"
        return pdf if pdf.is_file() else None

    def redo_pending(self) -> None:
        """After a restart: each center's latest submission kept in SQLite whose answer file may not have
        been written (the server died between the two): written now, and its report queued."""
        rows = self.db.all(
            "SELECT s.* FROM submissions s JOIN (SELECT province, center, max(id) AS id FROM "
            "submissions GROUP BY province, center) latest ON latest.id = s.id "
            "WHERE s.report = 'pending' AND NOT EXISTS (SELECT 1 FROM report_jobs j WHERE j.submission = s.id)"
        )  # one with a job had its answer file written before it was queued
        for row in rows:
            try:
                campaign = self.campaign()
                center = self.center(row["province"], row["center"])
                if center is None:
                    continue
                result = service.validate_answer(json.loads(row["answer"]), campaign)
                if isinstance(result, list):
                    self.db.run(
                        "UPDATE submissions SET report = 'failed', report_problems = ? WHERE id = ?",
                        json.dumps([str(p) for p in result], ensure_ascii=False),
                        row["id"],
                    )
                    continue
                with self._lock_of(center):
                    self._answer_folder.expect(result.source, result.source_text)
                    service.save_answer(self.settings, campaign, result)
                    self._answers_written(result)
                    self._queue_report(center, row["id"])
            except Exception as error:  # one center's trouble must not stop the others
                self.db.run(
                    "UPDATE submissions SET report = 'failed', report_problems = ? WHERE id = ?",
                    json.dumps([message(error)], ensure_ascii=False),
                    row["id"],
                )

    # --- the audit log ------------------------------------------------------------------

    def record(self, actor: str, action: str, detail: dict[str, Any] | None = None) -> audit.Entry:
        """A person's action, in the audit log (outputs/audit.jsonl)."""
        return audit.append(self.settings.outputs, actor, action, detail)

    def recent_entries(self, limit: int = 200) -> list[audit.Entry]:
        return audit.recent(audit.log_path(self.settings.outputs), limit)

    # --- links ---------------------------------------------------------------------------

    def link(self, token: str) -> str:
        return f"{self.config.base_url.rstrip('/')}/c/{token}"

    def reissue_link(self, center: Center) -> tuple[str, bool]:
        """A new link for one center, and whether links.csv (when there is one) now carries it, so that
        its form printed next carries the new link; if the file cannot be written, the old link stays."""

        def keep(tokens: list[str]) -> tuple[str, bool]:
            url = self.link(tokens[0])
            return url, links.replace_link(self.settings.outputs, links.Link(center.province, center.name, url))

        return auth.issue_links(self.db, [(center.province, center.name)], keep)

    def issue_all_links(self) -> list[links.Link]:
        """A new link for every center, in the order of the list (the benchmark's; kept nowhere else)."""
        return self._issue_all(lambda rows: rows)

    def write_links(self) -> Path:
        """A new link for every center, in outputs/links.csv: the old links stop, once the file is written
        (if it cannot be, the old links still work and the old file stays)."""
        return self._issue_all(lambda rows: links.write_links(self.settings.outputs, rows))

    def _issue_all(self, keep: Callable[[list[links.Link]], T]) -> T:
        """A new link for every center, in the order of the list, in one transaction that ``keep`` ends."""
        centers = sorted(self.campaign().centers, key=lambda c: c.order)

        def rows(tokens: list[str]) -> T:
            return keep([links.Link(c.province, c.name, self.link(t)) for c, t in zip(centers, tokens, strict=True)])

        return auth.issue_links(self.db, [(c.province, c.name) for c in centers], rows)

    def links_printed(self) -> bool:
        """Whether there is a links.csv (the links the forms print), which a re-issued link then replaces."""
        return links.links_path(self.settings.outputs).is_file()

    def link_sheet(self, province: str = "") -> list[dict[str, Any]]:
        return linksheet.link_sheet(self.settings.outputs, self.center_of_token, province)

    # --- changing the inputs ------------------------------------------------------------

    def replace_centers(self, data: bytes) -> list[Problem]:
        return edits.replace_centers(self.settings.inputs, data)  # read again: its stamp changed

    def centers_left_out(self, data: bytes) -> list[tuple[str, str]]:
        return edits.centers_left_out(self.settings.inputs, data)

    def edit_circular(self, changes: dict[str, str]) -> list[Problem]:
        return edits.edit_circular(self.settings.inputs, changes)

    def ingest(self, uploads: list[tuple[str, bytes]]) -> tuple[list[Path], list[Problem]]:
        return edits.ingest_pdfs(self.settings.inputs, self.campaign(), uploads)

    # --- the dashboard --------------------------------------------------------------------

    def dashboard(self) -> list[dict[str, Any]]:
        return figures.dashboard_rows(self.db, self.campaign())

    def figures(
        self, province: str = "", states: Callable[[figures.Rows], figures.Rows] | None = None
    ) -> figures.Figures:
        return figures.figures(self.db, self.campaign(), self.settings.outputs, province, states)

    # --- files under outputs/ --------------------------------------------------------------

    def output_file(self, relative: str) -> Path | None:
        return outputs.output_file(self.settings.outputs, relative)

    def archive_zip(self) -> Path:
        return outputs.archive_zip(self.settings.outputs, self.config.database_path.parent / "tmp")

    def catalog(self) -> list[outputs.Document]:
        try:
            campaign: Campaign | None = self.campaign()
        except InputError:  # wrong inputs: the files are still there to download, without their owners
            campaign = None
        return self._catalog.documents(campaign)

    def files_zip(self, paths: list[str]) -> Path:
        return outputs.files_zip(self.settings.outputs, self.config.database_path.parent / "tmp", paths)
