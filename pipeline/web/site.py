"""The web app's state and what its pages do, calling the core (pipeline.service).

Handlers (pages.py) parse a request and render a page; everything they do goes
through a Site: the cached campaign, the database, submissions, builds, files.
"""

from __future__ import annotations

import csv
import io
import json
import os
import sqlite3
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import service
from ..files import write_text
from ..model import Answer, Campaign, Center
from ..problems import InputError, Problem
from ..settings import Settings
from . import auth, forms
from .commits import GroupCommit
from .db import Database, Submission, now, submissions_of
from .reportqueue import ReportQueue
from .reportworkers import ReportWorkers, WorkerConfig

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
        self._answers_seen: Stamp = ()
        self._rereading = False
        self._campaign_lock = threading.Lock()
        self._center_locks: dict[tuple[str, str], threading.Lock] = {}
        self._locks_lock = threading.Lock()
        self.reports = ReportQueue(self.db)
        self.commits = GroupCommit(self.db)  # a rush of submits shares its disk flushes
        self.workers = ReportWorkers(
            WorkerConfig(self.settings, config.database_path), self.reports, config.report_workers
        )
        from .jobs import Builds

        self.builds = Builds(self)
        self._checks: tuple[tuple[int, int], dict[str, dict[str, Any]]] | None = None

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
                answers = self._stamp(("answers",))
                self._campaign = (stamp, service.load(self.settings))
                self._answers_seen = answers
            elif self._stamp(("answers",)) != self._answers_seen and not self._rereading:
                self._rereading = True
                threading.Thread(target=self._reread, args=(stamp,), name="gecc-answers", daemon=True).start()
            return self._campaign[1]

    def _reread(self, stamp: Stamp) -> None:
        try:
            answers = self._stamp(("answers",))
            campaign = service.load(self.settings)
            with self._campaign_lock:
                if self._campaign is not None and self._campaign[0] == stamp:
                    self._campaign, self._answers_seen = (stamp, campaign), answers
        except Exception:
            pass  # the next page asks again
        finally:
            self._rereading = False

    def _answers_written(self) -> None:
        """The web wrote an answer file: nothing to read again for it."""
        with self._campaign_lock:
            self._answers_seen = self._stamp(("answers",))

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
            row_id = self._record(center, mapping, result)
            try:
                service.save_answer(self.settings, campaign, result)
            except OSError as error:  # disk full, say: not acknowledged, so not kept as a version either
                self.db.run("DELETE FROM submissions WHERE id = ?", row_id)
                self.save_draft(center, fields)
                return Outcome(
                    problems=[
                        Problem(
                            "แบบประเมินออนไลน์",
                            f"บันทึกไม่สำเร็จ ระบบเก็บสิ่งที่กรอกไว้เป็นร่างแล้ว โปรดส่งใหม่อีกครั้งภายหลัง ({_message(error)})",
                        )
                    ]
                )
            self._answers_written()
            self._queue_report(center, row_id)
        return Outcome(submission=next(s for s in self.submissions(center) if s.id == row_id))

    def _record(self, center: Center, mapping: dict[str, Any], answer: Answer) -> int:
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
        return self.commits.run(lambda con: int(con.execute(sql, row).lastrowid or 0))

    def _queue_report(self, center: Center, row_id: int) -> None:
        """The version is kept: its draft goes, its report is queued (one transaction), a worker woken."""

        def kept(con: sqlite3.Connection) -> None:
            con.execute("DELETE FROM drafts WHERE province = ? AND center = ?", (center.province, center.name))
            self.reports.add(con, row_id, center.province, center.name)

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
                    service.save_answer(self.settings, campaign, result)
                    self._answers_written()
                    self._queue_report(center, row["id"])
            except Exception as error:  # one center's trouble must not stop the others
                self.db.run(
                    "UPDATE submissions SET report = 'failed', report_problems = ? WHERE id = ?",
                    json.dumps([_message(error)], ensure_ascii=False),
                    row["id"],
                )

    # --- links ---------------------------------------------------------------------------

    def link(self, token: str) -> str:
        return f"{self.config.base_url.rstrip('/')}/c/{token}"

    def issue_link(self, center: Center) -> str:
        return self.link(auth.issue_link(self.db, center.province, center.name))

    def reissue_link(self, center: Center) -> str:
        """A new link for one center; its row of links.csv follows, so forms printed next carry the new one."""
        url = self.issue_link(center)
        target = self.settings.outputs / "links.csv"
        if target.is_file():
            rows = [row for row in _csv_rows(target) if (row[0], row[1]) != (center.province, center.name)]
            self._write_links(rows + [[center.province, center.name, url]])
        return url

    def issue_all_links(self) -> list[tuple[Center, str]]:
        return [(c, self.issue_link(c)) for c in sorted(self.campaign().centers, key=lambda c: c.order)]

    def write_links(self) -> Path:
        """A new link for every center, in outputs/links.csv (UTF-8 with BOM for Excel): the old links stop."""
        return self._write_links([[c.province, c.name, url] for c, url in self.issue_all_links()])

    def _write_links(self, rows: list[list[str]]) -> Path:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(["province", "center", "url"])
        writer.writerows(rows)
        target = self.settings.outputs / "links.csv"
        write_text(target, "\ufeff" + out.getvalue())
        return target

    def link_sheet(self, province: str = "") -> list[dict[str, Any]]:
        """The links of outputs/links.csv (the only place they exist in clear) with a QR code each, for
        printing; a link re-issued since is marked stale rather than shown as working."""
        import csv

        import segno

        path = self.settings.outputs / "links.csv"
        if not path.is_file():
            return []
        sheet = []
        for row in csv.DictReader(path.read_text(encoding="utf-8-sig").splitlines()):
            if province and row.get("province") != province:
                continue
            url = row.get("url") or ""
            token = url.rsplit("/c/", 1)[-1] if "/c/" in url else ""
            center = self.center_of_token(token) if token else None
            current = center is not None and (center.province, center.name) == (row.get("province"), row.get("center"))
            qr = segno.make(url, error="m").svg_inline(scale=4, border=2) if current else ""
            sheet.append(
                {
                    "province": row.get("province", ""),
                    "center": row.get("center", ""),
                    "url": url,
                    "current": current,
                    "qr": qr,
                }
            )
        return sheet

    # --- changing the inputs ------------------------------------------------------------

    def replace_centers(self, data: bytes) -> list[Problem]:
        from . import edits

        return edits.replace_centers(self.settings.inputs, data)  # read again: its stamp changed

    def edit_circular(self, changes: dict[str, str]) -> list[Problem]:
        from . import edits

        return edits.edit_circular(self.settings.inputs, changes)

    def ingest(self, uploads: list[tuple[str, bytes]]) -> tuple[list[Path], list[Problem]]:
        from . import edits

        return edits.ingest_pdfs(self.settings.inputs, self.campaign(), uploads)

    # --- the dashboard --------------------------------------------------------------------

    def dashboard(self) -> list[dict[str, Any]]:
        """One row per center: state, last change, basic condition met, quality items met."""
        campaign = self.campaign()
        latest = {
            (r["province"], r["center"]): r
            for r in self.db.all(
                "SELECT s.province, s.center, s.basic_met, s.quality_met, s.submitted_at, s.report, n.versions "
                "FROM submissions s JOIN (SELECT province, center, max(id) AS id, count(*) AS versions "
                "FROM submissions GROUP BY province, center) n ON n.id = s.id"
            )
        }
        drafts = {
            (r["province"], r["center"]): r["saved_at"]
            for r in self.db.all("SELECT province, center, saved_at FROM drafts")
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

    def national_chart(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Share of submitted centers meeting the basic condition, and of quality items met per part."""
        campaign = self.campaign()
        answers = self._latest_answers()
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

    def _latest_answers(self) -> dict[tuple[str, str], dict[str, bool]]:
        """Quality answers of each answered center: its latest web version, else its answer file."""
        found = {(a.province, a.center): a.quality for a in self.campaign().answers}
        for r in self.db.all(
            "SELECT s.province, s.center, s.answer FROM submissions s JOIN (SELECT max(id) AS id "
            "FROM submissions GROUP BY province, center) n ON n.id = s.id"
        ):
            found[(r["province"], r["center"])] = json.loads(r["answer"]).get("quality") or {}
        return found

    def results_figures(self) -> dict[str, Any] | None:
        """outputs/summary/results.csv as a table (header, rows), if it was built."""
        import csv

        path = self.settings.outputs / "summary" / "results.csv"
        if not path.is_file():
            return None
        rows = list(csv.reader(path.read_text(encoding="utf-8-sig").splitlines()))
        return {
            "header": rows[0] if rows else [],
            "rows": rows[1:201],
            "more": max(0, len(rows) - 201),
            "path": "summary/results.csv",
        }

    # --- files under outputs/ --------------------------------------------------------------

    def output_file(self, relative: str) -> Path | None:
        """The file under outputs/ this URL path names; None for anything outside, hidden or missing."""
        root = self.settings.outputs.resolve()
        if not relative or "\x00" in relative or relative.startswith("/"):
            return None
        parts = Path(relative).parts
        if any(p.startswith(".") for p in parts):  # .web (the database), .lock, .build-state.json …
            return None
        path = (root / relative).resolve()
        if not path.is_relative_to(root) or not path.is_file():
            return None
        return path

    def archive_zip(self) -> Path:
        """outputs/archive/ as a zip in a temporary file (the caller removes it): the archive of 878
        centers is hundreds of MB, not for memory."""
        import tempfile
        import zipfile

        root = self.settings.outputs / "archive"
        folder = self.config.database_path.parent / "tmp"
        folder.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(prefix="archive-", suffix=".zip", dir=folder)
        os.close(handle)
        with zipfile.ZipFile(name, "w", zipfile.ZIP_DEFLATED) as z:
            if root.is_dir():
                for path in sorted(root.rglob("*")):
                    rel = path.relative_to(root)
                    if path.is_file() and not path.is_symlink() and not any(p.startswith(".") for p in rel.parts):
                        z.write(path, str(Path("archive") / rel))
        return Path(name)

    def catalog(self) -> tuple[dict[str, list[dict[str, Any]]], dict[str, dict[str, Any]]]:
        """The downloadable documents under outputs/ by folder (each: its stem and files by suffix), and
        the check results per PDF (check.json)."""
        root = self.settings.outputs
        groups: dict[str, dict[str, dict[str, Any]]] = {}
        if root.is_dir():
            for path in sorted(root.rglob("*")):
                rel = path.relative_to(root)
                if (
                    not path.is_file()
                    or rel.parts[0] in ("archive", "screenshots")
                    or any(p.startswith(".") for p in rel.parts)
                    or path.suffix.lower() not in (".pdf", ".docx", ".csv", ".json")
                ):
                    continue
                group = rel.parts[0] if len(rel.parts) > 1 else ""
                stem = rel.with_suffix("").as_posix()
                doc = groups.setdefault(group, {}).setdefault(stem, {"stem": stem, "files": {}})
                doc["files"][path.suffix.lower().lstrip(".")] = rel.as_posix()
        return {g: list(docs.values()) for g, docs in groups.items()}, self._check_results()

    def _check_results(self) -> dict[str, dict[str, Any]]:
        path = self.settings.outputs / "check.json"
        try:
            st = path.stat()
        except FileNotFoundError:
            return {}
        stamp = (st.st_mtime_ns, st.st_size)
        if self._checks is None or self._checks[0] != stamp:
            results: dict[str, dict[str, Any]] = {}
            root = self.settings.outputs.resolve()
            for f in json.loads(path.read_text(encoding="utf-8")).get("findings", []):
                pdf = Path(f["pdf"])
                try:
                    key = (pdf if pdf.is_absolute() else root / pdf).resolve().relative_to(root).as_posix()
                except ValueError:
                    key = pdf.as_posix()
                entry = results.setdefault(key, {"ok": True, "findings": []})
                entry["ok"] = entry["ok"] and f["ok"]
                entry["findings"].append(f)
            self._checks = (stamp, results)
        return self._checks[1]


def _die_with_parent(parent: int) -> None:
    """A report worker ends when the server ends, even by kill -9 (Linux: PR_SET_PDEATHSIG)."""
    import ctypes
    import signal

    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # 1 = PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the server died before the call
        os._exit(1)


def _message(error: BaseException) -> str:
    if isinstance(error, InputError):
        return "\n".join(str(p) for p in error.problems)
    try:
        from ..errors import describe  # the lead's door-independent messages

        failure = describe(error)
        if failure is not None:
            return failure.message.strip()
    except ImportError:
        pass
    return f"{type(error).__name__}: {error}"


def _csv_rows(path: Path) -> list[list[str]]:
    """The rows of links.csv below its header."""
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))[1:]
