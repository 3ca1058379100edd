"""No live formula in anything written for Excel: every export read back with LibreOffice Calc."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest

from pipeline import exports, workbooks
from pipeline.documents import summary
from pipeline.links import Link, write_links
from pipeline.load import load_campaign

HYPERLINK = '=HYPERLINK("http://evil.example/","คลิก")'
TYPED = {
    "center": "=1+1 ศูนย์ทดลอง",
    "assessor_name": HYPERLINK,
    "assessor_position": "@SUM(1+1)",
    "note": "-2+3 หมายเหตุ",
}


def calc_xlsx(source: Path, outdir: Path, infilter: str | None = None) -> Path:
    """``source`` opened by LibreOffice Calc and saved as .xlsx: a formula Calc saw is a formula there."""
    outdir.mkdir(parents=True, exist_ok=True)
    profile = outdir / ".calc-profile"
    command = ["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore"]
    command += ["--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(outdir)]
    command += [f"--infilter={infilter}"] if infilter else []
    done = subprocess.run([*command, str(source)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    shutil.rmtree(profile, ignore_errors=True)
    return outdir / (source.stem + ".xlsx")


def cells(path: Path) -> list[tuple[object, str]]:
    book = openpyxl.load_workbook(path)
    return [(c.value, c.data_type) for sheet in book.worksheets for row in sheet.iter_rows() for c in row]


def texts_and_formulas(path: Path) -> tuple[set[str], list[object]]:
    found = cells(path)
    return {exports.csv_text(v) for v, _ in found if isinstance(v, str)}, [v for v, t in found if t == "f"]


@pytest.fixture
def campaign(inputs: Path):
    with open(inputs / "centers.csv", "a", encoding="utf-8") as file:
        file.write(f"77,ยะลา,{TYPED['center']},{TYPED['note']}\n")
    answer = (inputs / "answers" / "01-สมุทรปราการ-พระสมุทรเจดีย์.yaml").read_text(encoding="utf-8")
    answer = answer.replace("province: สมุทรปราการ", "province: ยะลา")
    answer = answer.replace("center: ศูนย์ดำรงธรรมอำเภอพระสมุทรเจดีย์", f"center: '{TYPED['center']}'")
    lines = answer.splitlines()
    for n, line in enumerate(lines):
        if line.strip().startswith("name:"):
            lines[n] = line.split("name:")[0] + "name: '" + HYPERLINK.replace("'", "''") + "'"
        if line.strip().startswith("position:"):
            lines[n] = line.split("position:")[0] + f"position: '{TYPED['assessor_position']}'"
    (inputs / "answers" / "77.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    loaded = load_campaign(inputs)
    assert not loaded.rejected, loaded.rejected
    assert TYPED["center"] in {a.center for a in loaded.answers}
    return loaded


def test_results_csv_has_no_live_formula(campaign, tmp_path):
    target = tmp_path / "results.csv"
    exports.write_csv(summary.results_rows(campaign), target, summary.results_columns(campaign.criteria))
    texts, formulas = texts_and_formulas(calc_xlsx(target, tmp_path / "calc", infilter="CSV:44,34,76,1"))
    assert formulas == [] and TYPED["center"] in texts


def test_results_xlsx_has_no_live_formula(campaign, tmp_path):
    target = tmp_path / "results.xlsx"
    workbooks.results_workbook(campaign, target)
    assert [v for v, t in cells(target) if t == "f"] == []
    texts, formulas = texts_and_formulas(calc_xlsx(target, tmp_path / "calc"))
    assert formulas == []
    assert {TYPED["center"], HYPERLINK, TYPED["assessor_position"]} <= texts


def test_answers_xlsx_has_no_live_formula(campaign, tmp_path):
    target = tmp_path / "answers.xlsx"
    center = next(c for c in campaign.centers if c.name == TYPED["center"])
    workbooks.answers_workbook(campaign, target, [center])
    texts, formulas = texts_and_formulas(calc_xlsx(target, tmp_path / "calc"))
    assert formulas == [] and TYPED["center"] in texts


def test_every_csv_cell_that_would_be_a_formula_is_text(tmp_path):
    values = ["=1+1", "+1", "-1", "@A1", "\t=1", "\r=1", "ปกติ", HYPERLINK]
    target = write_links(tmp_path, [Link(v, v, "https://x/c/a") for v in values])  # links.csv as gecc links writes it
    found = cells(calc_xlsx(target, tmp_path / "calc", infilter="CSV:44,34,76,1"))
    assert [v for v, t in found if t == "f"] == []
    assert [v for v, t in found if t == "n"] == []  # "+1" and "-1" are text too: nobody typed them as numbers
