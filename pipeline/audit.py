"""The audit trail: who did what, in an append-only log whose entries are chained by SHA-256.

    outputs/audit.jsonl   one JSON object per line, in this exact form (keys sorted, no spaces):
    {"action":"review","actor":"user:somchai","at":"2026-12-05T18:40:01+07:00","detail":{…},
     "hash":"<sha256 of this line without its hash>","n":7,"prev":"<hash of entry 6>"}

Every entry carries the hash of the entry before it (``prev``; 64 zeros for the first) and
its own (``hash``), so changing, removing or reordering any entry, even one byte of it,
breaks the chain from there on; ``verify`` names the first entry that does not hold. Each
line is written under an exclusive lock on the log (writers in other threads and processes
wait their turn) and fsynced before ``append`` returns. Nothing ever rewrites the file.

What the chain cannot show by itself is a cut tail (the last entries removed together):
the archive's manifests and final marks name the entry that made them, number and hash,
so a log shorter than what they name is found by ``verify`` too when given the archive.

Actors: ``user:<name>`` (a signed-in account), ``center:<slug>`` (a center by its link),
``cli:<login>`` (the command line, by the operating system's user).
"""

from __future__ import annotations

import fcntl
import getpass
import hashlib
import json
import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

LOG = "audit.jsonl"
GENESIS = "0" * 64
TAIL_CHUNK = 64 * 1024


@dataclass(frozen=True)
class Entry:
    n: int  # 1, 2, 3 … in the log
    at: str  # ISO time with its offset
    actor: str
    action: str
    detail: dict[str, Any]
    prev: str
    hash: str

    def ref(self) -> dict[str, Any]:
        """How another record names this entry (the archive's manifests)."""
        return {"entry": self.n, "hash": self.hash}


@dataclass(frozen=True)
class Broken:
    """The first entry that does not hold, and why (Thai)."""

    n: int  # the entry's number as its position in the log (1 = first line)
    line: int
    reason: str

    def message(self, path: Path) -> str:
        return f"{path}: รายการที่ {self.n} (บรรทัดที่ {self.line}) {self.reason}"


def log_path(outputs: Path) -> Path:
    return Path(outputs) / LOG


def cli_actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no name for this uid (a container)
        return f"cli:uid{os.getuid()}"


def _canonical(fields: Mapping[str, Any]) -> str:
    return json.dumps(fields, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _digest(fields: Mapping[str, Any]) -> str:
    """The hash of an entry: of its canonical form without the hash itself."""
    return hashlib.sha256(_canonical({k: v for k, v in fields.items() if k != "hash"}).encode("utf-8")).hexdigest()


def _now() -> str:
    return datetime.now().astimezone().isoformat(timespec="seconds")


def append(outputs: Path, actor: str, action: str, detail: Mapping[str, Any] | None = None) -> Entry:
    """Add one entry to ``outputs``/audit.jsonl; it is on disk when this returns."""
    return append_many(outputs, [(actor, action, detail)])[0]


def append_many(outputs: Path, items: Sequence[tuple[str, str, Mapping[str, Any] | None]]) -> list[Entry]:
    """Add entries (actor, action, detail), in order, each chained to the one before, in one write and one
    flush: on disk when this returns (the web's submits at the same moment share it)."""
    path = log_path(outputs)
    path.parent.mkdir(parents=True, exist_ok=True)
    created = not path.exists()
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o644)
    entries = []
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        n, prev, ends_cleanly = _tail(fd)
        lines = "" if ends_cleanly else "\n"
        for actor, action, detail in items:
            fields: dict[str, Any] = {
                "n": n + 1,
                "at": _now(),
                "actor": str(actor),
                "action": str(action),
                "detail": json.loads(json.dumps(dict(detail or {}), ensure_ascii=False, default=str)),
                "prev": prev,
            }
            fields["hash"] = _digest(fields)
            lines += _canonical(fields) + "\n"
            entries.append(Entry(**fields))
            n, prev = n + 1, fields["hash"]
        os.write(fd, lines.encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)  # closing releases the lock
    if created:
        _fsync_folder(path.parent)
    return entries


def _tail(fd: int) -> tuple[int, str, bool]:
    """The last entry's number and hash, and whether the file ends with a newline (read from the end)."""
    size = os.fstat(fd).st_size
    if size == 0:
        return 0, GENESIS, True
    data = b""
    position = size
    while position > 0:
        step = min(TAIL_CHUNK, position)
        position -= step
        data = os.pread(fd, step, position) + data
        if data.rstrip(b"\n").count(b"\n") >= 1:
            break
    ends_cleanly = data.endswith(b"\n")
    last = data.rstrip(b"\n").rsplit(b"\n", 1)[-1]
    try:
        entry = json.loads(last)
        return int(entry["n"]), str(entry["hash"]), ends_cleanly
    except (ValueError, KeyError, TypeError):
        # A broken last line (cut by a crash, or edited): chain to its bytes; verify names it.
        count = _count_lines(fd) + (0 if ends_cleanly else 1)
        return count, hashlib.sha256(last).hexdigest(), ends_cleanly


def _count_lines(fd: int) -> int:
    count, position = 0, 0
    while chunk := os.pread(fd, 1 << 20, position):
        count += chunk.count(b"\n")
        position += len(chunk)
    return count


def _fsync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# --- reading and verifying ---------------------------------------------------------------


def entries(path: Path, start: int = 0) -> Iterator[tuple[int, Entry]]:
    """The entries that parse, with the byte offset after each (for reading on from there later).

    Readers of state (review.py) use this; ``verify`` is what judges the chain.
    """
    if not path.is_file():
        return
    with open(path, "rb") as handle:
        handle.seek(start)
        offset = start
        for raw in handle:
            if not raw.endswith(b"\n"):
                return  # a line still being written
            offset += len(raw)
            try:
                fields = json.loads(raw)
                yield offset, Entry(**{k: fields[k] for k in Entry.__dataclass_fields__})
            except (ValueError, KeyError, TypeError):
                continue


def verify(path: Path, referenced: Mapping[int, str] | None = None) -> Broken | None:
    """The first entry that breaks the chain, or None when the whole log holds.

    ``referenced``: entry number → hash named elsewhere (the archive's manifests); an entry
    named there that is missing or different in the log is broken too.
    """
    prev, n = GENESIS, 0
    seen: dict[int, str] = {}
    if path.is_file():
        with open(path, "rb") as handle:
            for line_number, raw in enumerate(handle, 1):
                n = line_number
                problem = _check_line(raw, n, prev)
                if problem:
                    return Broken(n, line_number, problem)
                fields = json.loads(raw)
                prev = fields["hash"]
                seen[n] = prev
    for number, hash_ in sorted((referenced or {}).items()):
        if seen.get(number) != hash_:
            why = "หายไปจากบันทึก" if number not in seen else "ไม่ตรงกับที่คลังเอกสารอ้างถึง"
            return Broken(number, number, f"{why} (คลังเอกสารอ้างถึงรายการนี้ แสดงว่าบันทึกถูกตัดหรือแก้ไข)")
    return None


def _check_line(raw: bytes, n: int, prev: str) -> str | None:
    if not raw.endswith(b"\n"):
        return "ไม่สมบูรณ์ (ไม่มีการขึ้นบรรทัดใหม่ท้ายรายการ: ถูกตัดหรือถูกแก้ไข)"
    try:
        fields = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return "อ่านไม่ได้ (ไม่ใช่ JSON ที่ถูกต้อง: ถูกแก้ไข)"
    if not isinstance(fields, dict) or set(fields) != set(Entry.__dataclass_fields__):
        return "มีช่องข้อมูลไม่ครบหรือเกิน (ถูกแก้ไข)"
    if _canonical(fields) + "\n" != raw.decode("utf-8"):
        return "ไม่อยู่ในรูปแบบที่ระบบเขียน (ถูกแก้ไข)"
    if fields["n"] != n:
        return f"มีเลขลำดับ {fields['n']} แทนที่จะเป็น {n} (มีรายการถูกลบ แทรก หรือสลับ)"
    if fields["prev"] != prev:
        return "ไม่ต่อกับรายการก่อนหน้า (ค่า prev ไม่ตรงกับ hash ของรายการก่อน: รายการก่อนหน้าถูกลบหรือแก้ไข)"
    if _digest(fields) != fields["hash"]:
        return "เนื้อหาถูกแก้ไข (SHA-256 ของรายการไม่ตรงกับค่า hash ที่บันทึกไว้)"
    return None


def recent(path: Path, limit: int = 20) -> list[Entry]:
    """The last ``limit`` entries that parse, newest first (the dashboard): read from the end of the
    file, so a log of years costs no more than a new one."""
    try:
        handle = open(path, "rb")  # noqa: SIM115 (closed below)
    except FileNotFoundError:
        return []
    with handle:
        size = handle.seek(0, os.SEEK_END)
        data, position = b"", size
        while position > 0 and data.count(b"\n") <= limit:
            step = min(TAIL_CHUNK, position)
            position -= step
            handle.seek(position)
            data = handle.read(step) + data
    lines = data.split(b"\n")
    if position > 0:
        lines = lines[1:]  # the first may be cut
    found: list[Entry] = []
    for raw in reversed(lines):
        if len(found) == limit:
            break
        try:
            fields = json.loads(raw)
            found.append(Entry(**{k: fields[k] for k in Entry.__dataclass_fields__}))
        except (ValueError, KeyError, TypeError):
            continue
    return found
