"""Builds started from the department's page: one at a time, in the background, recorded in SQLite.

A build is queued as a row, run by one worker thread, its progress written to its
row (the page polls it). A build that was running when the server died is queued
again when it starts: the pipeline redoes only what is not up to date.
"""

from __future__ import annotations

import contextlib
import io
import json
import multiprocessing
import os
import sqlite3
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

from .. import service
from ..errors import ExitCode, describe
from ..guard import Busy
from ..settings import Settings
from . import words
from .db import Database, now
from .processes import die_with_parent, message

BUSY_WAIT = 60.0  # s a build waits for another run on the same outputs folder to end
COMMANDS = words.COMMANDS  # the commands a page may start, with their names


class Builds:
    def __init__(self, settings: Settings, db: Database):
        self.settings = settings
        self.db = db
        self._lock = threading.Lock()
        self._worker: threading.Thread | None = None

    def start(self, command: str, actor: str = "") -> tuple[int, bool]:
        """Queue ``command`` asked for by ``actor`` (the audit log's name: it enters the build there once
        its inputs are read); (the build's id, False) when one is already queued or running."""
        if command not in COMMANDS:
            raise ValueError(command)
        with self.db.connect() as con:
            row = con.execute("SELECT id FROM builds WHERE state IN ('queued', 'running') ORDER BY id").fetchone()
            if row:
                return row["id"], False
            cursor = con.execute(
                "INSERT INTO builds (command, state, queued_at, actor) VALUES (?, 'queued', ?, ?)",
                (command, now(), actor),
            )
        self.kick()
        return int(cursor.lastrowid or 0), True

    def resume(self) -> None:
        """After a restart: what was running is queued again."""
        self.db.run("UPDATE builds SET state = 'queued', label = ? WHERE state = 'running'", words.BUILD_RESTARTED)
        self.kick()

    def kick(self) -> None:
        with self._lock:
            if self._worker is None or not self._worker.is_alive():
                self._worker = threading.Thread(target=self._work, name="gecc-builds", daemon=True)
                self._worker.start()

    def get(self, build_id: int) -> Any:
        return self.db.one("SELECT * FROM builds WHERE id = ?", build_id)

    def outcome(self, build_id: int) -> dict[str, Any] | None:
        """What a finished build did (outcome_of), None while it runs or when it stopped early."""
        value = self.db.get(f"build-result:{build_id}")
        return dict(json.loads(value)) if value else None

    def recent(self, n: int = 5) -> list[Any]:
        return list(self.db.all("SELECT * FROM builds ORDER BY id DESC LIMIT ?", n))

    def _work(self) -> None:
        while True:
            row = self.db.one("SELECT * FROM builds WHERE state = 'queued' ORDER BY id LIMIT 1")
            if row is None:
                return
            try:
                self._run(row["id"], row["command"], row["actor"])
            except sqlite3.OperationalError:  # the database itself cannot be written (a full disk): stop
                return  # the row stays "running" and is queued again when the server starts

    def _run(self, build_id: int, command: str, actor: str = "") -> None:
        self.db.run(
            "UPDATE builds SET state = 'running', started_at = ?, done = 0, total = 0 WHERE id = ?", now(), build_id
        )
        # In a process of its own, started fresh (spawn): the build's workers and LibreOffice then hold
        # no copy of the server's listening socket, so a server killed mid-build can start again at once
        # on its port; and the build dies with the server (PR_SET_PDEATHSIG), to be redone on restart.
        try:
            with ProcessPoolExecutor(
                1,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=die_with_parent,
                initargs=(os.getpid(),),
            ) as pool:
                settings = self.settings.with_(actor=actor)
                status, failures = pool.submit(run_build, settings, command, str(self.db.path), build_id).result()
        except BrokenProcessPool:
            status, failures = 1, [words.BUILD_STOPPED]
        except Exception as error:  # noqa: BLE001 (the pool itself failed to start: a full disk, no memory)
            status, failures = 1, [message(error)]
        state = "done" if status == 0 else "failed"
        for wait in (0, 1, 2, 5, 10, 30):  # a full disk may free up: the outcome is worth a retry
            time.sleep(wait)
            try:
                self.db.run(
                    "UPDATE builds SET state = ?, status = ?, failures = ?, finished_at = ? WHERE id = ?",
                    state,
                    status,
                    json.dumps(failures, ensure_ascii=False),
                    now(),
                    build_id,
                )
                return
            except sqlite3.OperationalError:
                continue


def run_build(settings: Settings, command: str, database: str, build_id: int) -> tuple[int, list[str]]:
    """One build, in the build process: its progress goes to its row for the page to show."""
    db = Database(Path(database))
    last = [0.0]

    def progress(label: str, done: int, total: int) -> None:
        if time.monotonic() - last[0] > 0.5 or done == total:  # a row a half second is enough for a page
            last[0] = time.monotonic()
            with contextlib.suppress(sqlite3.OperationalError):  # progress is for show: a full disk stops no build
                db.run("UPDATE builds SET label = ?, done = ?, total = ? WHERE id = ?", label, done, total, build_id)

    deadline = time.monotonic() + BUSY_WAIT
    while True:
        try:
            log = io.StringIO()
            result = service.build(settings, command, progress=progress, log=log)
            with contextlib.suppress(sqlite3.OperationalError):  # the page's figures; the reasons go with the row
                db.put(f"build-result:{build_id}", json.dumps(outcome_of(result, settings), ensure_ascii=False))
            return result.status, reasons(result, log.getvalue())
        except Busy as busy:
            # Another run holds the folder: the command line, or what a killed server left finishing.
            if time.monotonic() < deadline:
                time.sleep(2)
                continue
            del busy
            return 3, [words.BUILD_BUSY]
        except Exception as error:  # noqa: BLE001 (whatever stopped it is recorded and shown, in words)
            failure = describe(error, settings.outputs)
            return int(failure.code if failure else ExitCode.failed), [message(error)]


MAX_REASONS = 30
REJECTED = "ไฟล์คำตอบมีปัญหา"  # the heading of the rejected answer files in a run's account (runner._rejected)


def _rejected(log: str) -> list[str]:
    """The rejected answer files, each with its problem, from a run's account."""
    found, inside = [], False
    for line in log.splitlines():
        if line.startswith(REJECTED):
            inside = True
        elif inside and line.startswith("  - "):
            found.append(line[4:])
        else:
            inside = False
    return found


def reasons(result: service.BuildResult, log: str) -> list[str]:
    """Why a build did not end well, in words for the build page: its failures with the rejected answer
    files named, and, when neither these nor a failed check (``outcome_of``) say it, what the run wrote."""
    if result.status == 0:
        return list(result.failures)
    found = [f.replace(" (ดูด้านบน)", ":") for f in result.failures] + _rejected(log)
    if not found and all(f.ok for f in result.findings):
        found = [line for line in log.splitlines() if line.strip()][-10:] or [f"จบด้วยสถานะ {result.status}"]
    if len(found) > MAX_REASONS:
        found = found[:MAX_REASONS] + [f"และอีก {len(found) - MAX_REASONS} รายการ"]
    return found


def outcome_of(result: service.BuildResult, settings: Settings) -> dict[str, Any]:
    """What the build page says of a build: the numbers of the command line's closing lines, and
    each failed check with its document (a path under outputs/) and rule."""
    root = settings.outputs.resolve()

    def relative(pdf: Path) -> str:
        try:
            return (pdf if pdf.is_absolute() else root / pdf).resolve().relative_to(root).as_posix()
        except ValueError:
            return pdf.name

    outcome = result.outcome
    return {
        "made": len(outcome.rebuilt),
        "current": outcome.current,
        "pdfs": len({f.pdf for f in result.findings}),
        "checks": outcome.checks,
        "checks_failed": outcome.checks_failed,
        "archived": len(outcome.archived),
        "failed": [
            {"document": relative(f.pdf), "rule": f.rule, "detail": f.detail} for f in result.findings if not f.ok
        ],
    }
