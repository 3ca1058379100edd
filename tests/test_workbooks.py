""".xlsx in and out, as Thai clerks use Excel: workbooks made by openpyxl and by LibreOffice Calc,
cp874 CSV, Buddhist-year and Excel dates, awkward values, and every problem naming its cell."""

from __future__ import annotations

import csv
import re
import shutil
import subprocess
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from campaigns import run, small_inputs

from pipeline.cli import main
from pipeline.documents import summary
from pipeline.exports import write_csv
from pipeline.load import load_campaign
from pipeline.load.answers import csv_columns
from pipeline.problems import InputError
from pipeline.workbooks import results_workbook

EXAMPLES = "examples.csv"
CHAIBADAN = "ศูนย์ดำรงธรรมอำเภอชัยบาดาล"
BANGRACHAN = "ศูนย์ดำรงธรรมอำเภอบางระจัน"


# --- LibreOffice Calc, headless, with a profile of its own ------------------------------------


def calc(source: Path, to: str, outdir: Path, infilter: str | None = None) -> None:
    """Convert ``source`` with Calc; its own profile, so it never meets another soffice of the machine."""
    profile = outdir / ".calc-profile"
    command = [
        "soffice",
        f"-env:UserInstallation={profile.as_uri()}",
        "--headless",
        "--norestore",
        "--convert-to",
        to,
        "--outdir",
        str(outdir),
    ]
    if infilter:
        command.append(f"--infilter={infilter}")
    done = subprocess.run([*command, str(source)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    shutil.rmtree(profile, ignore_errors=True)


# UTF-8, comma, quote, every sheet to its own file (results-<sheet>.csv), cells as shown.
CSV_EXPORT = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1"
CSV_IMPORT = "CSV:44,34,76,1"


def read_csv(path: Path) -> list[list[str]]:
    return list(csv.reader(path.read_text(encoding="utf-8-sig").splitlines()))


# --- helpers -----------------------------------------------------------------------------------


def csv_rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(path.read_text(encoding="utf-8-sig").splitlines()))


def sheet_from_rows(
    path: Path, columns: list[str], rows: list[list[object]], *, title: str = "Sheet1", before: list[str] = ()
) -> openpyxl.Workbook:
    """A workbook as a clerk makes one: the table on ``title``, other sheets named ``before`` first."""
    book = openpyxl.Workbook()
    first = book.active
    first.title = title
    for name in before:
        book.create_sheet(name, 0)["A1"] = "ไม่ใช่ตาราง"
    sheet = book[title]
    sheet.append(columns)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return book


def answers_by_center(inputs: Path) -> dict[str, object]:
    campaign = load_campaign(inputs)
    return {a.center: a for a in campaign.answers}, [str(p) for p in campaign.rejected]


def problems(inputs: Path) -> list[str]:
    with pytest.raises(InputError) as error:
        load_campaign(inputs)
    return [str(p) for p in error.value.problems]


# --- centers.xlsx --------------------------------------------------------------------------


def test_centers_xlsx_instead_of_csv_merged_and_formatted_cells(inputs):
    wanted = load_campaign(inputs).centers
    rows = csv_rows(inputs / "centers.csv")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "รายชื่อศูนย์"
    book.create_sheet("หมายเหตุ", 0)["A1"] = "ชีตนี้ไม่ใช่รายชื่อ"  # the named sheet is read, not the first
    sheet.append([])  # a blank row above the table
    sheet.append(["Order", "province", "center", "note", None])
    for r in rows:
        sheet.append([float(r["order"]), r["province"], f"\u00a0{r['center']} ", r["note"] or None])
    # a province merged down over its rows, as clerks lay out a list by province
    sheet.append([999.0, "สระบุรี", "ศูนย์ทดสอบหนึ่ง", None])
    sheet.append([1000.0, None, "ศูนย์ทดสอบสอง", None])
    last = sheet.max_row
    sheet.merge_cells(f"B{last - 1}:B{last}")
    for row in range(last + 1, last + 20):  # formatted but empty rows and columns after the table
        sheet.cell(row, 6).number_format = "0.00"
        sheet.cell(row, 1).font = openpyxl.styles.Font(bold=True)
    book.save(inputs / "centers.xlsx")
    (inputs / "centers.csv").unlink()
    centers = load_campaign(inputs).centers
    assert centers[:-2] == wanted
    assert [(c.order, c.province, c.name) for c in centers[-2:]] == [
        (999, "สระบุรี", "ศูนย์ทดสอบหนึ่ง"),
        (1000, "สระบุรี", "ศูนย์ทดสอบสอง"),
    ]


def test_centers_xlsx_problems_name_sheet_row_and_column(inputs):
    rows = [[r["order"], r["province"], r["center"], r["note"]] for r in csv_rows(inputs / "centers.csv")]
    rows[3][1] = "กรุงเทพ"
    rows[5][0] = "ห้า"
    sheet_from_rows(inputs / "centers.xlsx", ["order", "province", "center", "note"], rows)
    (inputs / "centers.csv").unlink()
    assert problems(inputs) == [
        "inputs/centers.xlsx: ชีต “Sheet1” แถวที่ 5 คอลัมน์ B, ช่อง province: ไม่รู้จักจังหวัด “กรุงเทพ” หรือหมายถึง “กรุงเทพมหานคร”?",
        "inputs/centers.xlsx: ชีต “Sheet1” แถวที่ 7 คอลัมน์ A, ช่อง order: ลำดับ “ห้า” ต้องเป็นจำนวนเต็มบวก",
    ]


def test_centers_csv_and_xlsx_together_or_neither(inputs):
    shutil.copy(inputs / "centers.csv", inputs / "centers.xlsx")
    assert problems(inputs) == [
        "inputs/centers.csv: มีทั้ง inputs/centers.csv และ inputs/centers.xlsx: "
        "ให้เหลือรายชื่อศูนย์ไว้ไฟล์เดียว (ลบหรือย้ายไฟล์ที่ไม่ใช้ออก)"
    ]
    (inputs / "centers.csv").unlink()
    (inputs / "centers.xlsx").unlink()
    assert problems(inputs) == ["inputs/centers.csv: ไม่พบไฟล์ (ต้องมี centers.csv หรือ centers.xlsx ในโฟลเดอร์ข้อมูลนำเข้า)"]


def test_a_broken_or_empty_workbook(inputs):
    (inputs / "centers.csv").unlink()
    (inputs / "centers.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    assert problems(inputs) == [
        "inputs/centers.xlsx: เปิดไฟล์ Excel ไม่ได้ (ไฟล์เสีย ตั้งรหัสผ่านไว้ หรือไม่ใช่ไฟล์ .xlsx จริง): "
        "ให้เปิดใน Excel แล้วบันทึกใหม่เป็น Excel Workbook (.xlsx) หรือ CSV [BadZipFile]"
    ]
    openpyxl.Workbook().save(inputs / "centers.xlsx")
    assert problems(inputs) == ["inputs/centers.xlsx: ชีต “Sheet” ว่าง: ต้องมีหัวตาราง order, province, center, note"]


# --- answer workbooks ----------------------------------------------------------------------------


def test_answer_workbook_cells_as_excel_stores_them(inputs):
    """Date cells, serials, BE text, TRUE/FALSE cells, 1/0 numbers, ticks and NBSP read like the CSV."""
    from_csv, _ = answers_by_center(inputs)
    columns = csv_columns(load_campaign(inputs).criteria)
    rows = [[r[c] for c in columns] for r in csv_rows(inputs / "answers" / EXAMPLES)]
    (inputs / "answers" / EXAMPLES).unlink()
    first, second = rows
    first[2] = datetime(2564, 2, 24)  # a date cell, typed 24/2/2564 where Excel counts in CE
    second[2] = 44256  # 2021-03-01 as a serial: the cell lost its date format
    for row in rows:
        for i, name in enumerate(columns):
            value = row[i]
            if value in ("TRUE", "FALSE"):
                row[i] = value == "TRUE"  # Excel's own TRUE / FALSE cells
            elif name.startswith("q") and value == "มี":
                row[i] = 1  # numbers
            elif name.startswith("q") and value == "ไม่มี":
                row[i] = "\u00a0✗ "  # a tick with stray spaces
    book = sheet_from_rows(inputs / "answers" / "รวม.xlsx", columns, rows, title="คำตอบ", before=["คำอธิบาย"])
    book["คำตอบ"]["C2"].number_format = "d/m/yyyy"
    book.save(inputs / "answers" / "รวม.xlsx")
    from_xlsx, rejected = answers_by_center(inputs)
    assert rejected == []
    for name in (CHAIBADAN, BANGRACHAN):
        a, b = from_xlsx[name], from_csv[name]
        assert (a.assessed_on, a.physical, a.quality) == (b.assessed_on, b.physical, b.quality)
        assert a.source_where == ("ชีต “คำตอบ” แถวที่ 2" if name == CHAIBADAN else "ชีต “คำตอบ” แถวที่ 3")


def test_answer_workbook_problems_name_the_cell(inputs):
    columns = csv_columns(load_campaign(inputs).criteria)
    rows = [[r[c] for c in columns] for r in csv_rows(inputs / "answers" / EXAMPLES)]
    (inputs / "answers" / EXAMPLES).unlink()
    rows[0][2] = "30/2/2564"
    rows[0][columns.index("p3")] = "ใช่"
    rows[1][columns.index("q2.1")] = "ผ่าน"
    rows[1][columns.index("p1")] = None
    rows[1][2] = datetime(2564, 2, 29)  # typed 29/2/2564 in a Christian-calendar Excel: no such day in 2021
    sheet_from_rows(inputs / "answers" / "รวม.xlsx", columns, rows)
    _, rejected = answers_by_center(inputs)
    assert rejected == [
        "inputs/answers/รวม.xlsx: ชีต “Sheet1” แถวที่ 2 คอลัมน์ C, ช่อง assessed_on: วันที่ “30/2/2564” "
        "ไม่ถูกต้องหรือไม่มีอยู่จริง (ต้องเป็น ปปปป-ดด-วว เช่น 2021-02-15, วัน/เดือน/ปี เช่น 15/2/2564, "
        "๑๕ กุมภาพันธ์ ๒๕๖๔ หรือ ๑๕ ก.พ. ๖๔)",
        "inputs/answers/รวม.xlsx: ชีต “Sheet1” แถวที่ 2 คอลัมน์ H, ช่อง p3: คำตอบ “ใช่” ใช้ไม่ได้ "
        "(ใช้ได้: มี, ไม่มี, ✓, ✗, 1, 0, TRUE, FALSE)",
        "inputs/answers/รวม.xlsx: ชีต “Sheet1” แถวที่ 3 คอลัมน์ C, ช่อง assessed_on: วันที่ “29/2/2564” "
        "ไม่ถูกต้องหรือไม่มีอยู่จริง (ต้องเป็น ปปปป-ดด-วว เช่น 2021-02-15, วัน/เดือน/ปี เช่น 15/2/2564, "
        "๑๕ กุมภาพันธ์ ๒๕๖๔ หรือ ๑๕ ก.พ. ๖๔)",
        "inputs/answers/รวม.xlsx: ชีต “Sheet1” แถวที่ 3, ช่อง physical: ยังไม่ได้ตอบข้อ p1 (ใส่ มี หรือ ไม่มี)",
        "inputs/answers/รวม.xlsx: ชีต “Sheet1” แถวที่ 3 คอลัมน์ U, ช่อง q2.1: คำตอบ “ผ่าน” ใช้ไม่ได้ "
        "(ใช้ได้: true, false, มี, ไม่มี, ✓, ✗, 1, 0)",
    ]


def test_data_without_a_header_is_named(inputs):
    columns = csv_columns(load_campaign(inputs).criteria)
    rows = [[r[c] for c in columns] + [None, "จดไว้"] for r in csv_rows(inputs / "answers" / EXAMPLES)]
    (inputs / "answers" / EXAMPLES).unlink()
    sheet_from_rows(inputs / "answers" / "รวม.xlsx", columns, rows)
    _, rejected = answers_by_center(inputs)
    assert rejected == [
        "inputs/answers/รวม.xlsx: ชีต “Sheet1” แถวที่ 2 คอลัมน์ BT: มีข้อมูล “จดไว้” ในคอลัมน์ที่ไม่มีหัวตาราง (ใส่หัวตารางหรือลบข้อมูลออก)"
    ]


def test_cp874_csv_with_buddhist_dates_and_excel_values(inputs):
    """What Excel on a Thai Windows saves: Windows-874, 24/2/2564, TRUE in a physical column."""
    path = inputs / "answers" / EXAMPLES
    text = path.read_text(encoding="utf-8").replace("2021-02-24", "24/2/2564").replace("๑ มีนาคม ๒๕๖๔", "1/3/2564")
    header, first, second = text.splitlines()
    first = first.replace(",มี,", ",TRUE,", 1)
    path.write_bytes("\r\n".join([header, first, second]).encode("cp874"))
    found, rejected = answers_by_center(inputs)
    assert rejected == []
    assert found[CHAIBADAN].assessed_on == date(2021, 2, 24)
    assert found[BANGRACHAN].assessed_on == date(2021, 3, 1)
    assert found[CHAIBADAN].physical["1"] is True


def test_workbook_made_by_calc_from_a_csv(inputs, tmp_path):
    """LibreOffice Calc turns the CSV into a workbook (dates into date cells, TRUE into booleans): read alike."""
    from_csv, _ = answers_by_center(inputs)
    source = tmp_path / "calc" / "คำตอบ.csv"
    source.parent.mkdir()
    text = (inputs / "answers" / EXAMPLES).read_text(encoding="utf-8")
    source.write_text(text.replace("๑ มีนาคม ๒๕๖๔", "2021-03-01"), encoding="utf-8")
    calc(source, "xlsx:Calc MS Excel 2007 XML", source.parent, infilter=CSV_IMPORT)
    made = source.with_suffix(".xlsx")
    cells = openpyxl.load_workbook(made).active
    assert isinstance(cells["C2"].value, datetime) and cells["S2"].value is True  # Calc typed them
    (inputs / "answers" / EXAMPLES).unlink()
    shutil.copy(made, inputs / "answers" / made.name)
    from_xlsx, rejected = answers_by_center(inputs)
    assert rejected == []
    for name in (CHAIBADAN, BANGRACHAN):
        a, b = from_xlsx[name], from_csv[name]
        assert (a.assessed_on, a.physical, a.quality) == (b.assessed_on, b.physical, b.quality)


# --- answers.xlsx to send out, and back ----------------------------------------------------------------


def test_answers_workbook_is_locked_with_drop_downs_and_refuses_to_overwrite(inputs, tmp_path, capsys):
    outputs = tmp_path / "outputs"
    assert main(["init-answers", "--xlsx", "--inputs", str(inputs), "--outputs", str(outputs)]) == 0
    book = openpyxl.load_workbook(outputs / "answers.xlsx")
    sheet = book.active
    assert capsys.readouterr().err == (  # the command line says it (runner.py), the core returned the rows
        f"สร้าง outputs/answers.xlsx: {sheet.max_row - 1} แถว (ศูนย์ที่ยังไม่มีคำตอบ) "
        f"กรอกแล้วบันทึกไว้ใน {inputs.name}/answers/ เพื่อใช้เป็นไฟล์คำตอบ\n"
    )
    campaign = load_campaign(inputs)
    answered = {a.center for a in campaign.answers}
    names = [sheet.cell(r, 2).value for r in range(2, sheet.max_row + 1)]
    assert names == [c.name for c in campaign.centers if c.name not in answered]
    assert [c.value for c in sheet[1]] == csv_columns(campaign.criteria)
    assert sheet.protection.sheet and sheet["A2"].protection.locked and sheet["B2"].protection.locked
    assert not sheet["C2"].protection.locked and not sheet["F2"].protection.locked
    assert sheet.freeze_panes == "C2"
    lists = {v.formula1: str(v.sqref) for v in sheet.data_validations.dataValidation}
    assert set(lists) == {'"มี,ไม่มี"', '"✓"'} and f"F2:F{sheet.max_row}" in lists['"มี,ไม่มี"'].split()
    assert sheet["F1"].comment.text.startswith("เกณฑ์ที่ ๑ ข้อ ๑ ")
    assert sheet.column_dimensions["B"].width > 25  # the longest center name fits
    assert main(["init-answers", "--xlsx", "--inputs", str(inputs), "--outputs", str(outputs)]) == 1
    assert capsys.readouterr().err == (
        "มีไฟล์ outputs/answers.xlsx อยู่แล้ว (อาจมีคำตอบที่กำลังรวบรวมอยู่): ไม่ได้เขียนทับ "
        "ถ้าต้องการสร้างใหม่แทนไฟล์เดิม ให้สั่งอีกครั้งพร้อม --replace\n"
    )
    assert main(["init-answers", "--xlsx", "--replace", "--inputs", str(inputs), "--outputs", str(outputs)]) == 0


def test_answers_workbook_round_trip_to_reports_and_results_xlsx(tmp_path):
    """Sent out, filled in as a clerk would, dropped into inputs/answers: reports and results.xlsx follow,
    and Calc reads in results.xlsx the figures of results.csv."""
    inputs, outputs = small_inputs(tmp_path), tmp_path / "outputs"
    done = run("init-answers", "--xlsx", "--inputs", str(inputs), "--outputs", str(outputs))
    assert done.returncode == 0, done.stderr
    book = openpyxl.load_workbook(outputs / "answers.xlsx")
    sheet = book.active
    header = [c.value for c in sheet[1]]
    assert [sheet.cell(r, 2).value for r in range(2, sheet.max_row + 1)] == ["ศูนย์ดำรงธรรมอำเภอบางพลี"]
    sheet["C2"] = "๒๔ ก.พ. ๖๔"
    sheet["D2"], sheet["E2"] = "นางสาวทดสอบ กรอกเอง", "ปลัดอำเภอ"
    for col, name in enumerate(header, start=1):
        if re.fullmatch(r"p\d+", name):
            sheet.cell(2, col, "ไม่มี" if name == "p5" else "มี")
        elif name in ("q1.1", "q1.2", "q24"):
            sheet.cell(2, col, "✓")  # every other quality cell left blank: not met
    book.save(inputs / "answers" / "answers.xlsx")
    done = run("reports", "--inputs", str(inputs), "--outputs", str(outputs))
    assert done.returncode == 0, done.stdout + done.stderr
    assert (outputs / "reports" / "03-สมุทรปราการ-บางพลี.pdf").is_file()
    results = read_csv(outputs / "summary" / "results.csv")
    assert [r[1] for r in results[1:]] == [
        "ศูนย์ดำรงธรรมอำเภอพระสมุทรเจดีย์",
        "ศูนย์ดำรงธรรมอำเภอบางบัวทอง",
        "ศูนย์ดำรงธรรมอำเภอบางพลี",
    ]
    assert results[3][2:8] == ["12", "13", "FALSE", "3", "52", "2"]
    calc(outputs / "summary" / "results.xlsx", CSV_EXPORT, tmp_path)
    shown = read_csv(tmp_path / "results-สรุปผล.csv")
    assert len(shown) == len(results)
    width = len(results[0])
    for ours, calcs in zip(results[1:], shown[1:], strict=True):
        assert [{"ผ่าน": "TRUE", "ไม่ผ่าน": "FALSE"}.get(v, v) for v in calcs[:width]] == ours
    assert shown[3][width:] == ["92.31%", "5.77%"]  # 12/13 and 3/52 in the percent format
    answers = read_csv(tmp_path / "results-คำตอบรายข้อ.csv")
    assert answers[3][:6] == [
        "3",
        "สมุทรปราการ",
        "ศูนย์ดำรงธรรมอำเภอบางพลี",
        "24/2/2021",
        "นางสาวทดสอบ กรอกเอง",
        "ปลัดอำเภอ",
    ]
    assert answers[3][6:11] == ["มี", "มี", "มี", "มี", "ไม่มี"]
    parts = sorted(tmp_path.glob("results-ส่วนที่ *.csv"))
    assert len(parts) == len(load_campaign(inputs).criteria.parts)
    assert read_csv(parts[-1])[3][2:] == ["✗", "✗", "✓", "1", "33.33%"]


def test_results_xlsx_has_the_figures_of_results_csv(inputs, tmp_path):
    campaign = load_campaign(inputs)
    write_csv(summary.results_rows(campaign), tmp_path / "results.csv", summary.results_columns(campaign.criteria))
    results_workbook(campaign, tmp_path / "results.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "results.xlsx")["สรุปผล"]
    rows = read_csv(tmp_path / "results.csv")
    assert sheet.max_row == len(rows) and sheet.freeze_panes == "A2" and sheet.auto_filter.ref.startswith("A1:")
    for number, row in enumerate(rows[1:], start=2):
        cells = [sheet.cell(number, c).value for c in range(1, len(row) + 1)]
        assert [{"ผ่าน": "TRUE", "ไม่ผ่าน": "FALSE"}.get(v, str(v)) for v in cells] == row
    assert sheet.cell(2, len(rows[0]) + 1).number_format == "0.00%"


def test_workbook_blank_quality_is_not_met_and_rows_naming_only_a_center_are_skipped(inputs):
    """The sent-out workbook's convention: quality ✓ or blank; a row nobody filled in is no answer yet."""
    columns = csv_columns(load_campaign(inputs).criteria)
    rows = [[r[c] for c in columns] for r in csv_rows(inputs / "answers" / EXAMPLES)]
    (inputs / "answers" / EXAMPLES).unlink()
    quality = [i for i, c in enumerate(columns) if c.startswith("q")]
    for i in quality:
        rows[0][i] = "✓" if i == quality[0] else None  # one ticked, the rest blank: not met
        rows[1][i] = None  # none at all: unfinished, reported
    untouched = ["ชัยนาท", "ศูนย์ดำรงธรรมอำเภอสรรคบุรี"] + [None] * (len(columns) - 2)
    sheet_from_rows(inputs / "answers" / "รวม.xlsx", columns, [rows[0], untouched, rows[1]])
    found, rejected = answers_by_center(inputs)
    assert sum(found[CHAIBADAN].quality.values()) == 1 and found[CHAIBADAN].quality["1.1"] is True
    assert "ศูนย์ดำรงธรรมอำเภอสรรคบุรี" not in found
    assert len(rejected) == 1 and rejected[0].startswith(
        "inputs/answers/รวม.xlsx: ชีต “Sheet1” แถวที่ 4, ช่อง quality: ยังไม่ได้ตอบข้อ q1.1, q1.2, "
    )
    # in a CSV a blank stays "not answered yet", as before
    path = inputs / "answers" / "คำตอบ.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([columns, ["" if v is None else v for v in rows[0]]])
    (inputs / "answers" / "รวม.xlsx").unlink()
    _, rejected = answers_by_center(inputs)
    assert len(rejected) == 1 and rejected[0].startswith(
        "inputs/answers/คำตอบ.csv: แถวที่ 2, ช่อง quality: ยังไม่ได้ตอบข้อ q1.2, q2.1, "
    )


def test_init_answers_knows_the_centers_a_returned_workbook_answers(inputs, tmp_path):
    """A filled-in row counts as that center's answer file (no YAML, no new row); a row left as sent out does not."""
    from pipeline.answer_files import init_answers

    outputs = tmp_path / "outputs"
    assert main(["init-answers", "--xlsx", "--inputs", str(inputs), "--outputs", str(outputs)]) == 0
    book = openpyxl.load_workbook(outputs / "answers.xlsx")
    sheet = book.active
    filled, left = sheet["B2"].value, sheet["B3"].value
    sheet["D2"] = "ชื่อผู้ประเมิน"  # begun, not finished: still this center's answer being written
    book.save(inputs / "answers" / "ส่งคืน.xlsx")
    written = {p.name for p in init_answers(inputs, load_campaign(inputs))}
    assert not any(filled.removeprefix("ศูนย์ดำรงธรรมอำเภอ") in name for name in written)
    assert any(left.removeprefix("ศูนย์ดำรงธรรมอำเภอ") in name for name in written)


def test_init_answers_speaks_to_stderr_as_it_is_when_the_command_runs(inputs, tmp_path, capsys):
    """The runner's words go to the sys.stderr of the moment (a door or a test may have replaced it),
    not to the one bound when the module was imported."""
    for path in (inputs / "answers").glob("*.yaml"):
        path.unlink()
    assert main(["init-answers", "--inputs", str(inputs), "--outputs", str(tmp_path / "outputs")]) == 0
    assert re.match(f"สร้างไฟล์คำตอบเปล่า [0-9]+ ไฟล์ใน {inputs.name}/answers ", capsys.readouterr().err)
