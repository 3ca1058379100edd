"""What only the web app knows, in one SQLite file: links, drafts, submissions, accounts, sessions, builds.

The schema is versioned (``PRAGMA user_version``): SCHEMA is the base every database has
(the tables of the first release; new tables may be added there with IF NOT EXISTS), and
MIGRATIONS change it step by step, each run once, in order, when the app or a command opens
the database: a database of any earlier release is brought up to date at start, in one
transaction per step, also when two processes open it at once.

WAL with synchronous=FULL: a transaction that returned is on disk, so a submission the
center saw acknowledged survives kill -9 and a power cut. One connection per call
(sqlite3 connections are not shared between threads); each write is one transaction.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS links (
    province TEXT NOT NULL, center TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,      -- sha256 of the link's token; the token itself is never kept
    issued_at REAL NOT NULL,
    PRIMARY KEY (province, center));
CREATE TABLE IF NOT EXISTS drafts (
    province TEXT NOT NULL, center TEXT NOT NULL,
    fields TEXT NOT NULL,                 -- the form as typed (JSON: name → value or list of values)
    saved_at REAL NOT NULL,
    PRIMARY KEY (province, center));
CREATE TABLE IF NOT EXISTS submissions (
    id INTEGER PRIMARY KEY AUTOINCREMENT, -- the order of versions, also between concurrent submits
    province TEXT NOT NULL, center TEXT NOT NULL,
    answer TEXT NOT NULL,                 -- the answer mapping that passed validation (JSON)
    answer_file TEXT NOT NULL,
    basic_met INTEGER NOT NULL, quality_met INTEGER NOT NULL,
    submitted_at REAL NOT NULL,
    report TEXT NOT NULL DEFAULT 'pending', -- pending (queued or being made) / ok / failed / superseded
    report_problems TEXT NOT NULL DEFAULT '[]',
    archived_version TEXT);
CREATE INDEX IF NOT EXISTS submissions_center ON submissions (province, center, id);
CREATE TABLE IF NOT EXISTS sessions (
    id_hash TEXT PRIMARY KEY, created REAL NOT NULL, expires REAL NOT NULL);
CREATE TABLE IF NOT EXISTS sign_ins (address TEXT NOT NULL, at REAL NOT NULL, ok INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS sign_ins_at ON sign_ins (address, at);
CREATE TABLE IF NOT EXISTS builds (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    command TEXT NOT NULL,
    state TEXT NOT NULL,                  -- queued / running / done / failed
    label TEXT NOT NULL DEFAULT '', done INTEGER NOT NULL DEFAULT 0, total INTEGER NOT NULL DEFAULT 0,
    status INTEGER, failures TEXT NOT NULL DEFAULT '[]',
    queued_at REAL NOT NULL, started_at REAL, finished_at REAL);
"""


# Step N brings a database from version N-1 to N. Never edit a step that has shipped: add one.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    # 1: named accounts with roles; sessions record their account; the one department password of
    # earlier releases becomes the account "department" (its sessions stay signed in).
    (
        """CREATE TABLE users (
            name TEXT PRIMARY KEY,
            role TEXT NOT NULL CHECK (role IN ('department', 'province')),
            province TEXT NOT NULL DEFAULT '',   -- the province a province account sees
            password TEXT NOT NULL,              -- scrypt hash (auth.hash_password)
            disabled INTEGER NOT NULL DEFAULT 0,
            created REAL NOT NULL)""",
        "ALTER TABLE sessions ADD COLUMN user TEXT",
        "INSERT INTO users (name, role, province, password, created) "
        "SELECT 'department', 'department', '', value, strftime('%s', 'now') FROM meta WHERE key = 'password'",
        "UPDATE sessions SET user = 'department'",
        "DELETE FROM meta WHERE key = 'password'",
        "ALTER TABLE builds ADD COLUMN actor TEXT NOT NULL DEFAULT ''",  # who asked (the audit log's name)
    ),
    # 2: the queue of reports to make (pipeline/web/reportqueue.py): a submit is acknowledged once kept,
    # its report made by worker processes; what was queued survives kill -9.
    (
        """CREATE TABLE report_jobs (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            submission INTEGER NOT NULL UNIQUE,   -- the submissions row whose report this is
            province TEXT NOT NULL, center TEXT NOT NULL,
            state TEXT NOT NULL,                  -- queued / running / done / failed / superseded
            worker INTEGER,                       -- the pid of the worker process that took it
            attempts INTEGER NOT NULL DEFAULT 0,  -- workers that died while making it
            problems TEXT NOT NULL DEFAULT '[]',  -- why it failed, in Thai (JSON list)
            audit_entry INTEGER, audit_hash TEXT, -- the submit's audit-log entry, named by the archive
            queued_at REAL NOT NULL, started_at REAL, finished_at REAL)""",
        "CREATE INDEX report_jobs_state ON report_jobs (state, id)",
        "CREATE INDEX report_jobs_center ON report_jobs (province, center, state)",
    ),
)
VERSION = len(MIGRATIONS)


class Database:
    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        con = sqlite3.connect(self.path, timeout=30)
        try:
            con.execute("PRAGMA journal_mode=WAL")  # kept by the file: every later connection uses it
            con.executescript(SCHEMA)
        finally:
            con.close()
        self.migrate()

    def version(self) -> int:
        with self.connect() as con:
            return int(con.execute("PRAGMA user_version").fetchone()[0])

    def migrate(self) -> None:
        """Every step this database has not had yet, each in its own transaction."""
        for number, statements in enumerate(MIGRATIONS, 1):
            with self.connect() as con:  # BEGIN IMMEDIATE: a second process waits, then sees it done
                if int(con.execute("PRAGMA user_version").fetchone()[0]) >= number:
                    continue
                for statement in statements:
                    con.execute(statement)
                con.execute(f"PRAGMA user_version = {number}")

    @contextmanager
    def connect(self, write: bool = True) -> Iterator[sqlite3.Connection]:
        """A connection in one transaction: committed when the block ends, rolled back on an error.

        ``write`` off: a read, which in WAL mode never waits for a writer's disk flush.
        """
        con = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        con.row_factory = sqlite3.Row
        try:
            con.execute("PRAGMA synchronous=FULL")
            con.execute("PRAGMA busy_timeout=30000")
            con.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            try:
                yield con
            except BaseException:
                con.execute("ROLLBACK")
                raise
            con.execute("COMMIT")
        finally:
            con.close()

    def one(self, sql: str, *args: Any) -> Any:
        """The first row (sqlite3.Row, indexed by column name), or None."""
        with self.connect(write=False) as con:
            return con.execute(sql, args).fetchone()

    def all(self, sql: str, *args: Any) -> list[sqlite3.Row]:
        with self.connect(write=False) as con:
            return con.execute(sql, args).fetchall()

    def run(self, sql: str, *args: Any) -> int:
        with self.connect() as con:
            return con.execute(sql, args).lastrowid or 0

    # --- meta: the app's secret, the department's password hash, campaign closed -----

    def get(self, key: str) -> str | None:
        row = self.one("SELECT value FROM meta WHERE key = ?", key)
        return str(row["value"]) if row else None

    def put(self, key: str, value: str) -> None:
        self.run(
            "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            key,
            value,
        )

    def get_or_create(self, key: str, make: Callable[[], str]) -> str:
        with self.connect() as con:
            row = con.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
            if row:
                return str(row["value"])
            value = make()
            con.execute("INSERT INTO meta (key, value) VALUES (?, ?)", (key, value))
            return value


@dataclass(frozen=True)
class Submission:
    id: int
    version: int  # 1, 2, 3 … for this center
    answer: dict[str, Any]
    answer_file: str
    basic_met: bool
    quality_met: int
    submitted_at: float
    report: str
    report_problems: list[str]
    archived_version: str | None


def submissions_of(db: Database, province: str, center: str) -> list[Submission]:
    rows = db.all("SELECT * FROM submissions WHERE province = ? AND center = ? ORDER BY id", province, center)
    return [submission_of_row(r, n) for n, r in enumerate(rows, 1)]


def submission_of_row(r: sqlite3.Row, version: int) -> Submission:
    return Submission(
        r["id"],
        version,
        json.loads(r["answer"]),
        r["answer_file"],
        bool(r["basic_met"]),
        r["quality_met"],
        r["submitted_at"],
        r["report"],
        json.loads(r["report_problems"]),
        r["archived_version"],
    )


def now() -> float:
    return time.time()
