"""Hostile files made on the fly: what a clerk's e-mail, a broken disk or a prankster delivers."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl

PROJECT = Path(__file__).resolve().parents[2]

LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10))
    + "]>\n"
)


def workbook(rows: list[list[object]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "คำตอบ"
    for values in rows:
        sheet.append(values)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def replace_member(data: bytes, name: str, change) -> bytes:
    """The workbook with member ``name`` replaced by ``change(old bytes)``."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as old, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            body = old.read(info)
            new.writestr(info.filename, change(body) if info.filename == name else body)
    return out.getvalue()


SHEET = "xl/worksheets/sheet1.xml"


def laughs(data: bytes) -> bytes:
    """Billion laughs: a DTD whose entities expand to 10^9 "lol"s, used in a cell."""

    def change(body: bytes) -> bytes:
        body = body.replace(b"<t>province</t>", b"<t>&lol9;</t>", 1)
        return LAUGHS.encode() + body.split(b"?>", 1)[-1] if body.startswith(b"<?xml") else LAUGHS.encode() + body

    return replace_member(data, SHEET, change)


def bomb(data: bytes, megabytes: int = 200) -> bytes:
    """A sheet that unpacks to ``megabytes`` MB of XML (blank space between two tags) from a few hundred kB."""
    return replace_member(
        data, SHEET, lambda body: body.replace(b"</sheetData>", b" " * (megabytes << 20) + b"</sheetData>")
    )


def far_cell(data: bytes) -> bytes:
    """One cell at XFD1048576, the last cell of a sheet: the table's rectangle is 17 billion cells."""
    return replace_member(
        data,
        SHEET,
        lambda body: body.replace(
            b"</sheetData>", b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData>'
        ),
    )


def merged_sheet(data: bytes) -> bytes:
    """The whole sheet merged into one cell (openpyxl makes an object for each cell it covers)."""
    return replace_member(
        data,
        SHEET,
        lambda body: body.replace(
            b"</sheetData>", b'</sheetData><mergeCells count="1"><mergeCell ref="A1:XFD1048576"/></mergeCells>'
        ),
    )


ALIASES = "\n".join(
    ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    + [f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)]
)


def load_in_child(inputs: Path, timeout: float = 90, env: dict[str, str] | None = None) -> dict:
    """load_campaign in a process of its own (a hang or a memory bomb cannot take the tests with it):
    {"answers": [center, …], "problems": [str, …]} or {"error": [str, …]} for an InputError."""
    code = (
        "import json, sys\n"
        "from pipeline.load import load_campaign\n"
        "from pipeline.problems import InputError\n"
        "try:\n"
        "    c = load_campaign(__import__('pathlib').Path(sys.argv[1]))\n"
        "except InputError as e:\n"
        "    print(json.dumps({'error': [str(p) for p in e.problems]}))\n"
        "else:\n"
        "    print(json.dumps({'answers': [a.center for a in c.answers], 'problems': [str(p) for p in c.rejected]}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(inputs)],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result: dict = json.loads(done.stdout)
    return result
