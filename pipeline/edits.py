"""Changing the campaign's inputs in place of the clerk's editor (the web app's pages call it): the
centers list, the circular's example fields, ticked fillable PDFs. Each is validated by the loader the
command line uses before anything is replaced; a wrong file replaces nothing and every problem is listed."""

from __future__ import annotations

import json
import re
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

from .files import atomic_path
from .ingest import ingest
from .load.centers import load_centers
from .load.circular import load_circular
from .load.limits import read_input
from .load.yamlfile import read_yaml
from .model import Campaign
from .problems import Problem
from .thai import parse_date, thai_date

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
    """The editable fields present in circular.yaml and their values, as text (read as the loader
    reads it: a link, an alias or a broken file gives no fields rather than a failure)."""
    file = read_yaml(inputs / "circular.yaml", "circular.yaml", [])
    return _values(file.data if file is not None else None)


def _values(data: object) -> dict[str, str]:
    values = {}
    for key in CIRCULAR_FIELDS:
        node: Any = data
        for part in key.split("."):
            node = node.get(part) if isinstance(node, dict) else None
        if node is not None and not isinstance(node, (dict, list)):
            values[key] = _shown(node)
    return values


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _shown(node: object) -> str:
    """A value as a clerk writes it: a date (the loader keeps YAML dates as their text) in Thai."""
    if isinstance(node, str) and _ISO_DATE.fullmatch(node):
        try:
            return thai_date(date.fromisoformat(node))
        except ValueError:
            return node
    return thai_date(node) if isinstance(node, date) else str(node)


# Characters a one-line field cannot hold: line and paragraph separators (YAML reads U+2028,
# U+2029 and U+0085 as line breaks too) and control characters.
_NOT_ONE_LINE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def edit_circular(inputs: Path, changes: dict[str, str]) -> list[Problem]:
    """Replace the given fields' values in circular.yaml, keeping every comment and the rest as is.

    Nothing is saved that the editor could not read back: the new text must load with the
    circular's own loader, give back each field exactly as typed, and leave every field
    findable for the next edit. Problems name the form's field (its label), never a line
    of a file the department does not see."""
    path = inputs / "circular.yaml"
    raw: list[Problem] = []
    data = read_input(path, "circular.yaml", raw)
    if data is None:
        return [Problem("circular.yaml", p.message) for p in raw]
    text = data.decode("utf-8-sig", errors="replace")
    problems: list[Problem] = []
    present = circular_values(inputs)
    wanted: dict[str, str] = {}
    for key, typed in changes.items():
        if key not in present:
            continue
        value = typed.strip()
        if value == present[key]:
            continue  # unchanged: the file keeps its own spelling (an ISO date stays one)
        if _NOT_ONE_LINE.search(value):
            problems.append(Problem(CIRCULAR_FIELDS[key], ONE_LINE, field=key))
            continue
        if len(value) > MAX_FIELD:
            problems.append(Problem(CIRCULAR_FIELDS[key], f"ยาวเกิน {MAX_FIELD} ตัวอักษร", field=key))
            continue
        text, found = _replace_value(text, key, value)
        if not found:
            problems.append(Problem(CIRCULAR_FIELDS[key], "หาช่องนี้ในไฟล์ circular.yaml ไม่พบ (แก้ในไฟล์โดยตรง)", field=key))
        wanted[key] = value
    if problems:
        return problems
    try:
        with atomic_path(path) as tmp:
            tmp.write_text(text, encoding="utf-8")
            problems = _read_back(tmp, text, wanted)
            if problems:
                raise _Refused()
    except _Refused:
        pass
    return problems


MAX_FIELD = 300  # the form's maxlength
ONE_LINE = "ต้องเป็นข้อความบรรทัดเดียว (มีตัวขึ้นบรรทัดใหม่หรืออักขระควบคุม)"


def _read_back(tmp: Path, text: str, wanted: dict[str, str]) -> list[Problem]:
    """What is wrong with the new circular.yaml, by form field: it must load, and read back as typed."""
    found: list[Problem] = []
    load_circular(tmp, "circular.yaml", found)
    problems = []
    for p in found:
        key = _field_of(p.field, wanted)
        problems.append(Problem(CIRCULAR_FIELDS[key] if key else "หนังสือเวียน", p.message, field=key))
    file = read_yaml(tmp, "circular.yaml", [])
    values = _values(file.data if file is not None else None)
    for key, value in wanted.items():
        shown = values.get(key)
        if shown is not None and shown != value and not _same_date(shown, value):
            problems.append(Problem(CIRCULAR_FIELDS[key], f"บันทึกแล้วอ่านกลับได้เป็น “{shown[:80]}” ไม่ตรงกับที่พิมพ์", field=key))
        if not _replace_value(text, key, value)[1]:
            problems.append(Problem(CIRCULAR_FIELDS[key], "บันทึกแล้วจะแก้ช่องนี้อีกไม่ได้: ใช้ข้อความอื่น", field=key))
    return problems


def _field_of(field: str | None, wanted: dict[str, str]) -> str | None:
    """The form field a loader problem is about: its own key, else the only field changed."""
    if field in CIRCULAR_FIELDS:
        return field
    return next(iter(wanted)) if len(wanted) == 1 else None


def _same_date(shown: str, typed: str) -> bool:
    try:
        return parse_date(shown) == parse_date(typed)
    except ValueError:
        return False


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
    # the value: a double- or single-quoted scalar whole (a " #" inside it is not a comment), or plain text
    scalar = r"\"(?:[^\"\\]|\\.)*\"|'(?:[^']|'')*'|.*?"
    pattern = re.compile(rf"^({re.escape(indent)}{re.escape(key)}\s*:\s*)({scalar})(\s+#.*)?$")
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
    if (inputs / "centers.xlsx").exists():
        return [
            Problem(
                "centers.csv",
                "โฟลเดอร์ข้อมูลนำเข้าใช้ centers.xlsx เป็นรายชื่อศูนย์อยู่: นำ centers.xlsx ออกก่อน "
                "(มีรายชื่อสองไฟล์พร้อมกันไม่ได้) แล้วอัปโหลดใหม่",
            )
        ]
    try:
        with atomic_path(inputs / "centers.csv") as tmp:
            tmp.write_bytes(data)
            load_centers(tmp, "centers.csv", problems)
            if problems:
                raise _Refused()
    except _Refused:
        pass
    return problems


def centers_left_out(inputs: Path, data: bytes) -> list[tuple[str, str]]:
    """(province, center) of each center of the current centers.csv the uploaded list leaves out
    (nothing replaced; an unreadable upload leaves nothing out: replace_centers names its problems)."""
    current = load_centers(inputs / "centers.csv", "centers.csv", [])
    with tempfile.TemporaryDirectory(prefix="gecc-centers-") as folder:
        path = Path(folder) / "centers.csv"
        path.write_bytes(data)
        problems: list[Problem] = []
        new = {(c.province, c.name) for c in load_centers(path, "centers.csv", problems)}
    if problems or not new:
        return []
    return [(c.province, c.name) for c in current if (c.province, c.name) not in new]


def ingest_pdfs(inputs: Path, campaign: Campaign, uploads: list[tuple[str, bytes]]) -> tuple[list[Path], list[Problem]]:
    """Ticked fillable forms → answer files (pipeline.ingest), the uploads kept in a temporary folder."""
    problems: list[Problem] = []
    with tempfile.TemporaryDirectory(prefix="gecc-upload-") as folder:
        pdfs, names = [], []
        for n, (name, data) in enumerate(uploads, 1):
            shown = Path(name.replace("\\", "/") or f"{n}.pdf").name[:120] or f"{n}.pdf"
            if not data.startswith(b"%PDF-"):
                problems.append(Problem(shown, "ไม่ใช่ไฟล์ PDF"))
                continue
            path = Path(folder) / f"{n:03d}-{_safe(shown)}"
            path.write_bytes(data)
            pdfs.append(path)
            names.append(shown)  # messages name the uploaded file, not where it was kept
        written, found = ingest(pdfs, inputs, campaign, names=names) if pdfs else ([], [])
    return written, problems + found


def _safe(name: str) -> str:
    return re.sub(r"[^\w.-]", "_", name)[:80] or "form.pdf"
