"""The archive: every checked report kept with the answers it was made from, append-only.

    outputs/archive/<slug>/v001/report.pdf
                                answer.yaml | answer.csv
                                manifest.json

A version is written complete into a temporary folder beside the versions,
its files made read-only, and then renamed to the next free vNNN: a version
appears whole or not at all, and nothing here ever opens an existing version's
file for writing (that holds even for root, whom file permissions do not stop).

A new version is added only when the answers (their bytes: the YAML file, or
the CSV row with its header) or the inputs digest (criteria, template, code,
supplied by the caller) differ from the latest version's; otherwise nothing
is touched, not even a modification time. A report PDF made again from the
same answers and inputs is not archived again (its bytes vary from run to run).

Each manifest names the audit-log entry (pipeline/audit.py) of the action that made it
(``audit``: number and hash), when the door gave one. A version the department accepts
is marked final by one more file beside it, ``vNNN.final.json`` (``mark_final``), written
once and read-only like the rest: the version itself is never touched.

``verify`` re-hashes every version against its manifest, years later.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import stat
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from .files import write_bytes, write_new

MANIFEST = "manifest.json"
REPORT = "report.pdf"
FORMAT = 1  # of the manifest
VERSION_DIR = re.compile(r"^v(\d{3,})$")
FINAL = re.compile(r"^v(\d{3,})\.final\.json$")
INCOMING = ".incoming-"  # temporary folder of a version being written
READ_ONLY_FILE = 0o444
READ_ONLY_DIR = 0o555


@dataclass(frozen=True)
class ArchiveEntry:
    """One checked report to archive.

    ``answer_row``: for an answer read from a CSV of many centers, that row as
    CSV text with the header line (archived as answer.csv); empty for a YAML
    answer file, which is archived whole (answer.yaml). ``inputs_digest``: a
    hash of what else made the report (criteria, template, code version).
    """

    slug: str
    report_pdf: Path
    answer_source: Path
    answer_row: str = ""
    inputs_digest: str = field(kw_only=True)
    # The answer file's text as the report was made from it, when the file may change meanwhile (the web app).
    answer_text: str = field(default="", kw_only=True)
    # The audit-log entry of the action that made this report ({"entry": n, "hash": …}), when known.
    audit: dict[str, Any] | None = field(default=None, kw_only=True)


@dataclass(frozen=True)
class ArchiveResult:
    slug: str
    version: int
    path: Path  # the version's folder
    created: bool  # False: the latest version already held these answers and inputs


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _now() -> datetime:
    return datetime.now().astimezone()


def archive(entries: Sequence[ArchiveEntry], root: Path, now: Callable[[], datetime] = _now) -> list[ArchiveResult]:
    """Archive each entry under root/<slug>/: a new version, or nothing when its latest is the same."""
    slugs = [e.slug for e in entries]
    doubles = sorted({s for s in slugs if slugs.count(s) > 1})
    if doubles:
        raise ValueError(f"archive: the same center twice in one run: {', '.join(doubles)}")
    return [_archive_one(entry, root, now) for entry in entries]


def _answer(entry: ArchiveEntry) -> tuple[str, bytes]:
    """The archived answer's file name and bytes."""
    if entry.answer_row:
        return "answer.csv", entry.answer_row.encode("utf-8")
    if entry.answer_text:
        return "answer.yaml", entry.answer_text.encode("utf-8")
    return "answer.yaml", entry.answer_source.read_bytes()


def _archive_one(entry: ArchiveEntry, root: Path, now: Callable[[], datetime]) -> ArchiveResult:
    _check_slug(entry.slug)
    folder = root / entry.slug
    answer_name, answer_bytes = _answer(entry)
    answer_digest = sha256(answer_bytes)
    versions = _versions(folder)
    if versions:
        number, latest = versions[-1]
        manifest = _read_manifest(latest)
        if (
            manifest is not None
            and manifest.get("answer_digest") == answer_digest
            and manifest.get("inputs_digest") == entry.inputs_digest
        ):
            return ArchiveResult(entry.slug, number, latest, False)
    number = versions[-1][0] + 1 if versions else 1
    target = folder / f"v{number:03d}"
    report = entry.report_pdf.read_bytes()  # read once: the bytes hashed are the bytes archived
    files = {REPORT: report, answer_name: answer_bytes}
    stamp = now()
    if stamp.tzinfo is None:
        stamp = stamp.astimezone()
    manifest = {
        "format": FORMAT,
        "slug": entry.slug,
        "version": number,
        "archived_at": stamp.isoformat(timespec="seconds"),
        "inputs_digest": entry.inputs_digest,
        "answer_digest": answer_digest,
        "answer_source": entry.answer_source.name,
        "files": {name: {"sha256": sha256(data), "size": len(data)} for name, data in files.items()},
    }
    if entry.audit:
        manifest["audit"] = dict(entry.audit)
    folder.mkdir(parents=True, exist_ok=True)
    _remove_incoming(folder)
    incoming = Path(tempfile.mkdtemp(prefix=INCOMING, dir=folder))
    try:
        for name, data in files.items():
            write_bytes(incoming / name, data)
        write_bytes(incoming / MANIFEST, (json.dumps(manifest, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))
        for name in files:  # what landed on disk is what the manifest says
            if sha256((incoming / name).read_bytes()) != manifest["files"][name]["sha256"]:
                raise OSError(f"archive: {incoming / name} does not read back as written")
        for path in incoming.iterdir():
            path.chmod(READ_ONLY_FILE)
        incoming.chmod(READ_ONLY_DIR)
        if os.path.lexists(target):
            raise FileExistsError(f"archive: {target} exists already; versions are never replaced")
        os.rename(incoming, target)  # fails on an existing non-empty folder: never over a version
    except BaseException:
        _remove(incoming)
        raise
    return ArchiveResult(entry.slug, number, target, True)


def _check_slug(slug: str) -> None:
    if not slug or slug in {".", ".."} or slug.startswith(".") or "/" in slug or "\\" in slug or "\0" in slug:
        raise ValueError(f"archive: {slug!r} cannot name a folder")


def _versions(folder: Path) -> list[tuple[int, Path]]:
    """The version folders, oldest first."""
    if not folder.is_dir():
        return []
    found = [(int(m.group(1)), p) for p in folder.iterdir() if (m := VERSION_DIR.match(p.name)) and p.is_dir()]
    return sorted(found)


def _read_manifest(version: Path) -> dict[str, Any] | None:
    try:
        data = json.loads((version / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _remove_incoming(folder: Path) -> None:
    """Temporary folders of an interrupted run (never a version)."""
    for path in folder.iterdir():
        if path.name.startswith(INCOMING) and path.is_dir() and not path.is_symlink():
            _remove(path)


def _remove(path: Path) -> None:
    if path.is_dir():
        path.chmod(stat.S_IRWXU)
        shutil.rmtree(path, ignore_errors=True)


# --- the final mark of an accepted version -------------------------------------------


def mark_final(root: Path, slug: str, version: str, record: dict[str, Any]) -> Path | None:
    """Mark ``slug``'s ``version`` ("v003") final: ``vNNN.final.json`` beside it, written once.

    ``record`` says who accepted it and when (with the audit entry); the report's SHA-256 from
    the version's manifest is added, so the mark names exactly the report accepted. None when
    the version is not in the archive. A version already marked keeps its first mark.
    """
    _check_slug(slug)
    match = VERSION_DIR.match(version)
    folder = root / slug / version
    manifest = _read_manifest(folder) if match else None
    if manifest is None:
        return None
    target = root / slug / f"{version}.final.json"
    mark = {
        **record,
        "slug": slug,
        "version": int(match.group(1)) if match else 0,
        "report_sha256": manifest.get("files", {}).get(REPORT, {}).get("sha256"),
    }
    if write_new(target, json.dumps(mark, ensure_ascii=False, indent=2) + "\n"):
        target.chmod(READ_ONLY_FILE)
    return target


def final_versions(root: Path, slug: str) -> list[int]:
    """The versions of ``slug`` marked final, oldest first."""
    folder = root / slug
    if not folder.is_dir():
        return []
    return sorted(int(m.group(1)) for p in folder.iterdir() if (m := FINAL.match(p.name)))


def audit_references(root: Path) -> dict[int, str]:
    """Audit-log entry → hash, as the manifests and final marks name them (audit.verify checks them)."""
    found: dict[int, str] = {}
    if not root.is_dir():
        return found
    for path in sorted(root.glob("*/v*/" + MANIFEST)) + sorted(root.glob("*/v*.final.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        ref = data.get("audit") if isinstance(data, dict) else None
        if isinstance(ref, dict) and isinstance(ref.get("entry"), int) and isinstance(ref.get("hash"), str):
            found[ref["entry"]] = ref["hash"]
    return found


def _verify_final(slug: str, path: Path, versions: dict[int, Path]) -> list[str]:
    match = FINAL.match(path.name)
    number = int(match.group(1)) if match else 0
    where = f"{slug}/{path.name}"
    if number not in versions:
        return [f"{where}: ระบุว่าฉบับ v{number:03d} เป็นฉบับสุดท้าย แต่ไม่มีฉบับนั้นในคลัง"]
    try:
        mark = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return [f"{where}: อ่านไม่ได้"]
    manifest = _read_manifest(versions[number]) or {}
    report = (
        manifest.get("files", {}).get(REPORT, {}).get("sha256") if isinstance(manifest.get("files"), dict) else None
    )
    if not isinstance(mark, dict) or mark.get("report_sha256") != report:
        return [f"{where}: SHA-256 ของรายงานไม่ตรงกับ {MANIFEST} ของฉบับ v{number:03d}"]
    return []


# --- verification ------------------------------------------------------------------


def verify(root: Path) -> list[str]:
    """Every version re-hashed against its manifest; the problems found, in Thai (empty: all intact)."""
    problems: list[str] = []
    if not root.is_dir():
        return problems
    for folder in sorted(p for p in root.iterdir() if not p.name.startswith(".")):
        if not folder.is_dir():
            problems.append(f"{folder.name}: ไม่ใช่โฟลเดอร์ของศูนย์ (ไม่ควรมีไฟล์นี้ในคลังเอกสาร)")
            continue
        versions = _versions(folder)
        numbers = [n for n, _ in versions]
        for entry in sorted(folder.iterdir()):
            if FINAL.match(entry.name) and entry.is_file():
                problems += _verify_final(folder.name, entry, dict(versions))
            elif not entry.name.startswith(".") and not (VERSION_DIR.match(entry.name) and entry.is_dir()):
                problems.append(f"{folder.name}/{entry.name}: ไม่ใช่ฉบับในคลัง (ชื่อต้องเป็น v001, v002, …)")
        if not versions:
            problems.append(f"{folder.name}: ไม่มีฉบับใดในคลัง")
        missing = sorted(set(range(1, max(numbers, default=0) + 1)) - set(numbers))
        if missing:
            problems.append(f"{folder.name}: ฉบับ {', '.join(f'v{n:03d}' for n in missing)} หายไป")
        for number, version in versions:
            problems += _verify_version(folder.name, number, version)
    return problems


def _verify_version(slug: str, number: int, version: Path) -> list[str]:
    where = f"{slug}/{version.name}"
    manifest = _read_manifest(version)
    if manifest is None:
        return [f"{where}: ไม่มี {MANIFEST} หรืออ่านไม่ได้"]
    problems = []
    if manifest.get("version") != number or manifest.get("slug") != slug:
        problems.append(f"{where}: {MANIFEST} ระบุเป็น {manifest.get('slug')}/v{manifest.get('version')} ไม่ตรงกับโฟลเดอร์")
    listed = manifest.get("files")
    if not isinstance(listed, dict) or REPORT not in listed:
        return problems + [f"{where}: {MANIFEST} ไม่มีรายการไฟล์ที่ถูกต้อง"]
    present = {p.name for p in version.iterdir()} - {MANIFEST}
    for name in sorted(present - set(listed)):
        problems.append(f"{where}/{name}: ไม่อยู่ใน {MANIFEST} (มีไฟล์เพิ่มเข้ามาภายหลัง)")
    for name, info in listed.items():
        path = version / name
        if not path.is_file():
            problems.append(f"{where}/{name}: ไฟล์หายไป")
            continue
        data = path.read_bytes()
        if not isinstance(info, dict) or len(data) != info.get("size"):
            problems.append(
                f"{where}/{name}: ขนาดไม่ตรงกับ {MANIFEST} "
                f"({len(data)} ไบต์ แทนที่จะเป็น {info.get('size') if isinstance(info, dict) else '?'})"
            )
        elif sha256(data) != info.get("sha256"):
            problems.append(f"{where}/{name}: เนื้อหาถูกแก้ไข (SHA-256 ไม่ตรงกับ {MANIFEST})")
        elif name.startswith("answer.") and info.get("sha256") != manifest.get("answer_digest"):
            problems.append(f"{where}/{name}: answer_digest ใน {MANIFEST} ไม่ตรงกับไฟล์คำตอบ")
    if not any(n.startswith("answer.") for n in listed):
        problems.append(f"{where}: ไม่มีไฟล์คำตอบในฉบับนี้")
    return problems
