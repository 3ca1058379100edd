"""Changing the campaign's inputs from the browser: the centers list, the circular's example fields,
ticked fillable PDFs. Each is validated by the loader the command line uses before anything is
replaced; a wrong file replaces nothing and every problem is listed."""

from __future__ import annotations

import json
import re
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from .. import intake
from ..files import atomic_path
from ..load.centers import load_centers
from ..load.circular import load_circular
from ..problems import Problem
from ..thai import thai_date

# The circular's fields that are examples in the shipped inputs (dotted: under a top-level key).
# Only those present in circular.yaml are offered: its layout may change.
CIRCULAR_FIELDS = {
    "number": "ที่ (เลขที่หนังสือ)",
    "date": "ลงวันที่ (เช่น ๒๘ ธันวาคม ๒๕๖๓)",
    "deadline": "กำหนดส่ง วันที่ศูนย์ต้องส่งแบบประเมิน (เช่น ๒๙ มกราคม ๒๕๖๔)",
    "subject": "เรื่อง",
    "signer.name": "ผู้ลงนาม (ชื่อ)",
}


def circular_values(inputs: Path) -> dict[str, str]:
    """The editable fields present in circular.yaml and their values, as text."""
    data = yaml.safe_load((inputs / "circular.yaml").read_text(encoding="utf-8")) or {}
    values = {}
    for key in CIRCULAR_FIELDS:
        node: Any = data
        for part in key.split("."):
            node = node.get(part) if isinstance(node, dict) else None
        if node is not None and not isinstance(node, (dict, list)):
            values[key] = thai_date(node) if isinstance(node, date) else str(node)  # as a clerk writes it
    return values


def edit_circular(inputs: Path, changes: dict[str, str]) -> list[Problem]:
    """Replace the given fields' values in circular.yaml, keeping every comment and the rest as is.

    The new text is loaded by the circular's own loader first; it replaces the file only when right."""
    path = inputs / "circular.yaml"
    text = path.read_text(encoding="utf-8")
    problems: list[Problem] = []
    present = circular_values(inputs)
    for key, value in changes.items():
        if key not in present:
            continue
        value = value.strip()
        if value == present[key]:
            continue  # unchanged: the file keeps its own spelling (an ISO date stays one)
        if "\n" in value or "\r" in value:
            problems.append(Problem("circular.yaml", "ต้องเป็นข้อความบรรทัดเดียว", field=key))
            continue
        text, found = _replace_value(text, key, value)
        if not found:
            problems.append(Problem("circular.yaml", "หาบรรทัดของช่องนี้ในไฟล์ไม่พบ (แก้ในไฟล์โดยตรง)", field=key))
    if problems:
        return problems
    try:
        with atomic_path(path) as tmp:
            tmp.write_text(text, encoding="utf-8")
            load_circular(tmp, "circular.yaml", problems)
            if problems:
                raise _Refused()
    except _Refused:
        pass
    return problems


class _Refused(Exception):
    pass


def _replace_value(text: str, dotted: str, value: str) -> tuple[str, bool]:
    """The YAML text with the scalar at ``dotted`` (top-level, or one level down) set to ``value``."""
    parts = dotted.split(".")
    lines = text.split("\n")
    start, indent = 0, ""
    if len(parts) == 2:
        head = next((n for n, line in enumerate(lines) if re.match(rf"{re.escape(parts[0])}\s*:", line)), None)
        if head is None:
            return text, False
        start = head + 1
        indent = lines[start][: len(lines[start]) - len(lines[start].lstrip())] if start < len(lines) else ""
        if not indent:
            return text, False
    key = parts[-1]
    pattern = re.compile(rf"^({re.escape(indent)}{re.escape(key)}\s*:\s*)(.*?)(\s+#.*)?$")
    for n in range(start, len(lines)):
        if len(parts) == 2 and lines[n].strip() and not lines[n].startswith(indent):
            break
        match = pattern.match(lines[n])
        if match:
            lines[n] = match.group(1) + _yaml_scalar(value) + (match.group(3) or "")
            return "\n".join(lines), True
    return text, False


def _yaml_scalar(value: str) -> str:
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return value  # an ISO date stays a date
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a YAML double-quoted string


def replace_centers(inputs: Path, data: bytes) -> list[Problem]:
    """A new centers.csv, loaded by the centers loader before it replaces the old one."""
    problems: list[Problem] = []
    if not data.strip():
        return [Problem("centers.csv", "ไฟล์ว่าง")]
    try:
        with atomic_path(inputs / "centers.csv") as tmp:
            tmp.write_bytes(data)
            load_centers(tmp, "centers.csv", problems)
            if problems:
                raise _Refused()
    except _Refused:
        pass
    return problems


def ingest_pdfs(inputs: Path, campaign: Any, uploads: list[tuple[str, bytes]]) -> tuple[list[Path], list[Problem]]:
    """Ticked fillable forms → answer files (pipeline.intake.ingest), the uploads kept in a temporary folder."""
    problems: list[Problem] = []
    with tempfile.TemporaryDirectory(prefix="gecc-upload-") as folder:
        pdfs = []
        for n, (name, data) in enumerate(uploads, 1):
            shown = Path(name or f"{n}.pdf").name
            if not data.startswith(b"%PDF-"):
                problems.append(Problem(shown, "ไม่ใช่ไฟล์ PDF"))
                continue
            path = Path(folder) / f"{n:03d}-{_safe(shown)}"
            path.write_bytes(data)
            pdfs.append(path)
        written, found = intake.ingest(pdfs, inputs, campaign) if pdfs else ([], [])
    return written, problems + found


def _safe(name: str) -> str:
    return re.sub(r"[^\w.-]", "_", name)[:80] or "form.pdf"
