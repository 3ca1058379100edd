"""The files under outputs/ the department downloads: one file, the archive as a zip, the catalogue."""

from __future__ import annotations

import json
import os
import stat
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..model import Campaign


def output_file(outputs: Path, relative: str) -> Path | None:
    """The file under outputs/ this URL path names; None for anything outside, hidden, missing, not a
    regular file, or reached through a symbolic link (a link could lead to the database or anywhere):
    every part of the path is looked at itself (lstat), never through a link."""
    root = outputs.resolve()
    if not relative or "\x00" in relative or relative.startswith("/") or "\\" in relative:
        return None
    parts = Path(relative).parts
    if any(p.startswith(".") for p in parts):  # .web (the database), .lock, .build-state.json, ..
        return None
    path = root
    info = None
    for part in parts:
        path = path / part
        try:
            info = os.lstat(path)
        except OSError:
            return None
        if stat.S_ISLNK(info.st_mode):
            return None
    if info is None or not stat.S_ISREG(info.st_mode):
        return None
    return path


def _plain(path: Path, root: Path) -> bool:
    """A regular file, not a link, under no hidden or linked folder of ``root``."""
    rel = path.relative_to(root)
    if any(p.startswith(".") for p in rel.parts):
        return False
    at = root
    for part in rel.parts:
        at = at / part
        if at.is_symlink():
            return False
    return path.is_file()


def archive_zip(outputs: Path, folder: Path) -> Path:
    """outputs/archive/ as a zip in a temporary file in ``folder`` (the caller removes it): the archive
    of 878 centers is hundreds of MB, not for memory."""
    root = outputs / "archive"
    folder.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix="archive-", suffix=".zip", dir=folder)
    os.close(handle)
    with zipfile.ZipFile(name, "w", zipfile.ZIP_DEFLATED) as z:
        if root.is_dir():
            for path in sorted(root.rglob("*")):
                rel = path.relative_to(root)
                if _plain(path, root):
                    z.write(path, str(Path("archive") / rel))
    return Path(name)


SUFFIXES = (".pdf", ".docx", ".xlsx", ".csv", ".json")
ORDER = (
    "letters",
    "letters/follow-up",
    "letters/results",
    "forms",
    "reports",
    "package",
    "enclosures",
    "print",
    "summary",
    "",
)


@dataclass
class Document:
    """One document under outputs/ with its files (by type), whose it is, and its checks."""

    stem: str  # "forms/02-นนทบุรี-บางบัวทอง" (relative to outputs/, no suffix)
    kind: str  # its folder: "forms"; "" for the files at the top
    files: dict[str, str] = field(default_factory=dict)  # "pdf" → "forms/02-….pdf"
    province: str = ""  # "" for the whole campaign
    center: str = ""  # the center's name, for a center's document
    check: dict[str, Any] | None = None  # {"ok": bool, "findings": [...]}; None: not checked


class Catalog:
    """The downloadable documents and their check results; check.json read again only when it changes."""

    def __init__(self, outputs: Path):
        self.outputs = outputs
        self._checks: tuple[tuple[int, int], dict[str, dict[str, Any]]] | None = None

    def documents(self, campaign: Campaign | None) -> list[Document]:
        """Every document under outputs/ (the archive aside), in kind order, each with its province and
        center (read off the campaign's file names) and its check results (check.json)."""
        root = self.outputs
        whose: dict[str, tuple[str, str]] = {}
        if campaign is not None:
            for group in campaign.provinces:
                whose[group.slug] = (group.name, "")
                for c in group.centers:
                    whose[c.slug] = (c.province, c.name)
        checks = self.check_results()
        docs: dict[str, Document] = {}
        if root.is_dir():
            for path in sorted(root.rglob("*")):
                rel = path.relative_to(root)
                if (
                    rel.parts[0] in ("archive", "screenshots")
                    or not _plain(path, root)
                    or path.suffix.lower() not in SUFFIXES
                ):
                    continue
                kind = rel.parent.as_posix() if len(rel.parts) > 1 else ""  # "letters/follow-up"
                stem = rel.with_suffix("").as_posix()
                base = rel.stem.removesuffix("-fillable").removesuffix("-package")
                province, center = whose.get(base, ("", ""))
                doc = docs.setdefault(stem, Document(stem, kind, province=province, center=center))
                doc.files[path.suffix.lower().lstrip(".")] = rel.as_posix()
                if path.suffix.lower() == ".pdf":
                    doc.check = checks.get(rel.as_posix())
        rank = {k: i for i, k in enumerate(ORDER)}
        return sorted(docs.values(), key=lambda d: (rank.get(d.kind, len(ORDER)), d.stem))

    def check_results(self) -> dict[str, dict[str, Any]]:
        path = self.outputs / "check.json"
        try:
            st = path.stat()
        except FileNotFoundError:
            return {}
        stamp = (st.st_mtime_ns, st.st_size)
        if self._checks is None or self._checks[0] != stamp:
            results: dict[str, dict[str, Any]] = {}
            root = self.outputs.resolve()
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


def files_zip(outputs: Path, folder: Path, paths: list[str]) -> Path:
    """These files under outputs/ as a zip in a temporary file in ``folder`` (the caller removes it)."""
    folder.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix="files-", suffix=".zip", dir=folder)
    os.close(handle)
    with zipfile.ZipFile(name, "w", zipfile.ZIP_DEFLATED) as z:
        for rel in paths:
            path = output_file(outputs, rel)
            if path is not None:
                z.write(path, rel)
    return Path(name)
