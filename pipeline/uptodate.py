"""What is already built, decided from content, never from file times.

Each output (a document's DOCX and PDF, a print file, a check result) is recorded
under a *key*: the hash of everything it is made from (template bytes, context,
code version, LibreOffice and fonts). It is up to date when the key is unchanged
and its files still have the hashes recorded when they were written, so an edited,
truncated or deleted output is rebuilt too. The record is ``outputs/.build-state.json``.
"""

from __future__ import annotations

import dataclasses
import fcntl
import hashlib
import json
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

from .files import write_bytes

STATE = ".build-state.json"
FORMAT = 2  # 2: a document's DOCX and PDF are two entries (render, convert)
_GONE: dict[str, Any] = {}  # a forgotten entry, among the changes


def file_digest(path: Path) -> str | None:
    """SHA-256 of a file's bytes; None when it does not exist."""
    try:
        with open(path, "rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()
    except (FileNotFoundError, IsADirectoryError):
        return None


def fingerprint(*parts: Any) -> str:
    """A stable hash of plain data: dataclasses, mappings, sequences, dates, text, numbers.

    A Path counts by its content (a changed emblem or answer file changes the key).
    """
    # json's C encoder walks dicts, lists and text; only the other types come to _plain.
    text = json.dumps(parts, ensure_ascii=False, separators=(",", ":"), default=_plain)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {"": type(value).__name__, **{f.name: getattr(value, f.name) for f in dataclasses.fields(value)}}
    if isinstance(value, Path):
        return ["path", str(value), file_digest(value) if value.is_file() else None]
    if isinstance(value, Mapping):
        return {"": type(value).__name__, "items": list(value.items())}
    if isinstance(value, (set, frozenset)):
        return sorted(json.dumps(v, ensure_ascii=False, default=_plain) for v in value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return [type(value).__name__, repr(value)]


def tree_digest(paths: Iterable[Path]) -> str:
    """One hash over the named files' paths and bytes (e.g. the code version)."""
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(str(path).encode() + b"\0" + (file_digest(path) or "-").encode() + b"\0")
    return digest.hexdigest()


class Ledger:
    """The record of what was built from what, for one outputs folder."""

    def __init__(self, outputs: Path):
        self.outputs = outputs
        self.path = outputs / STATE
        self.entries: dict[str, dict[str, Any]] = self._read()
        self.changes: dict[str, dict[str, Any]] = {}  # what this run recorded or forgot, for save

    def _read(self) -> dict[str, dict[str, Any]]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            if data.get("format") == FORMAT:
                entries: dict[str, dict[str, Any]] = data["entries"]
                return entries
        except (OSError, ValueError, KeyError, AttributeError):
            pass  # no record, or not ours: everything is built afresh
        return {}

    def current(self, name: str, key: str, files: Iterable[Path]) -> bool:
        """Whether ``name`` was built from ``key`` and its files are exactly as written then."""
        entry = self.entries.get(name)
        if not entry or entry.get("key") != key:
            return False
        recorded: Mapping[str, str] = entry.get("files", {})
        wanted = [self._relative(f) for f in files]
        return set(wanted) == set(recorded) and all(file_digest(self.outputs / f) == recorded[f] for f in wanted)

    def record(self, name: str, key: str, files: Iterable[Path], data: Any = None) -> None:
        """``name`` is built from ``key``; its files are hashed now. ``data``: kept with it (check results)."""
        entry: dict[str, Any] = {"key": key, "files": {}}
        for f in files:
            digest = file_digest(f)
            if digest is None:
                self.forget(name)  # not all there: not up to date
                return
            entry["files"][self._relative(f)] = digest
        if data is not None:
            entry["data"] = data
        self.entries[name] = self.changes[name] = entry

    def data(self, name: str) -> Any:
        return self.entries.get(name, {}).get("data")

    def forget(self, name: str) -> None:
        self.entries.pop(name, None)
        self.changes[name] = _GONE

    def save(self) -> None:
        """This run's changes, merged into the record as it is now: a web-made report may have recorded
        itself while a build ran (a lock file keeps two saves apart)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path.with_name(STATE + ".lock"), "a+b") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            entries = self._read()
            for name, entry in self.changes.items():
                if entry is _GONE:
                    entries.pop(name, None)
                else:
                    entries[name] = entry
            text = json.dumps({"format": FORMAT, "entries": entries}, ensure_ascii=False, indent=0, sort_keys=True)
            write_bytes(self.path, text.encode("utf-8"))
        self.entries, self.changes = entries, {}

    def _relative(self, path: Path) -> str:
        return str(Path(path).relative_to(self.outputs))
