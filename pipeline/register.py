"""The register of outgoing letters (ทะเบียนหนังสือส่ง): durable state, numbers never reused.

    outputs/register.json   {"format": 1, "entries": [{…one RegisterEntry…}, …]}

Every letter the system makes is entered once, under its ``key`` (which letter it is: the
circular by its number, a follow-up letter by its province and the centers it chases, …).
A letter made again (a rebuild, a second run, another template) finds its entry and keeps its
number and date; only a letter with new content gets a new entry. Numbers run per Buddhist
year and series (ว for circulars), continuing after the highest number of that year: an
entry is never removed or renumbered, so no number is given twice.

The file is the state, not an output: deleting outputs/.build-state.json or any document
leaves it alone (register.xlsx and register.pdf are made from it). It is read and rewritten
under an exclusive lock (outputs/.register.lock: flock, so other threads and processes wait
their turn, and the kernel releases it when a holder dies), and written whole to a temporary
file that is fsynced and renamed into place: a reader never sees half a register.
"""

from __future__ import annotations

import fcntl
import json
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict
from datetime import date, datetime
from pathlib import Path
from typing import Any

from .files import write_text
from .model import Draft, RegisterEntry
from .problems import InputError, Problem
from .thai import BE_OFFSET, thai_digits

FILE = "register.json"
LOCK = ".register.lock"
FORMAT = 1
_THREADS = threading.Lock()  # flock is per open file: threads of one process also queue here


def path(outputs: Path) -> Path:
    return Path(outputs) / FILE


@contextmanager
def _locked(outputs: Path) -> Iterator[None]:
    Path(outputs).mkdir(parents=True, exist_ok=True)
    with _THREADS, open(Path(outputs) / LOCK, "a", encoding="ascii") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield  # closing the file releases the lock


def entries(outputs: Path) -> tuple[RegisterEntry, ...]:
    """Every entry, in the order they were made (none when there is no register yet)."""
    with _locked(outputs):
        return tuple(_read(path(outputs)))


def take(outputs: Path, drafts: Sequence[Draft], today: date) -> tuple[dict[str, RegisterEntry], list[RegisterEntry]]:
    """The entry of every draft (key → entry): the one it already has, or a new one numbered now;
    and the new ones."""
    with _locked(outputs):
        found = _read(path(outputs))
        by_key = {e.key: e for e in found}
        added = []
        for draft in drafts:
            if draft.key in by_key:
                continue
            entry = _entry(draft, found, today)
            found.append(entry)
            by_key[draft.key] = entry
            added.append(entry)
        if added:
            _write(path(outputs), found)
        return {d.key: by_key[d.key] for d in drafts}, added


def _entry(draft: Draft, found: Sequence[RegisterEntry], today: date) -> RegisterEntry:
    dated = draft.dated or today
    year = dated.year + BE_OFFSET
    if draft.given is not None:
        number = draft.given
    else:
        number = 1 + max((e.number for e in found if e.series == draft.series and e.year == year), default=0)
    return RegisterEntry(
        number=number,
        series=draft.series,
        year=year,
        reference=reference(draft.prefix, draft.series, number),
        dated=dated,
        sender=draft.sender,
        addressee=draft.addressee,
        subject=draft.subject,
        action=draft.action,
        note=draft.note,
        key=draft.key,
        registered=datetime.now().astimezone().isoformat(timespec="seconds"),
    )


def reference(prefix: str, series: str, number: int) -> str:
    """ที่ of a letter: "มท ๐๓๐๗.๒/ว ๒๘๘๖๕" (a circular), "มท ๐๓๐๗.๒/๑๒" (the others)."""
    return f"{prefix}/{series} {thai_digits(number)}" if series else f"{prefix}/{thai_digits(number)}"


def _read(file: Path) -> list[RegisterEntry]:
    if not file.is_file():
        return []
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
        return [_from_json(item) for item in data["entries"]]
    except (ValueError, KeyError, TypeError) as error:
        message = f"อ่านทะเบียนหนังสือส่งไม่ได้ ({error}): แก้ไฟล์ให้ถูกหรือนำฉบับสำรองกลับมา อย่าลบทิ้ง เพราะเลขทะเบียนที่ออกไปแล้วจะถูกใช้ซ้ำ"
        raise InputError([Problem(str(file), message)]) from None


def _from_json(item: dict[str, Any]) -> RegisterEntry:
    return RegisterEntry(**{**item, "dated": date.fromisoformat(item["dated"])})


def _write(file: Path, found: Sequence[RegisterEntry]) -> None:
    items = [{**asdict(e), "dated": e.dated.isoformat()} for e in found]
    text = json.dumps({"format": FORMAT, "entries": items}, ensure_ascii=False, indent=1)
    write_text(file, text + "\n")  # atomic and fsynced (files.write_bytes)
