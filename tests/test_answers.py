"""inputs/answers/: every problem of every answer file at once, in Thai, with file, line or row, and item."""

import os
import re
import shutil
from datetime import date
from pathlib import Path

import pytest

from pipeline.answer_files import init_answers
from pipeline.load import load_campaign
from pipeline.load.answers import item_id, load_answers

FIRST = "01-สมุทรปราการ-พระสมุทรเจดีย์.yaml"
SECOND = "02-นนทบุรี-บางบัวทอง.yaml"
THIRD = "03-ปทุมธานี-ลำลูกกา.yaml"
COMPACT = "04-พระนครศรีอยุธยา-บางปะหัน.yaml"


def load(inputs: Path):
    campaign = load_campaign(inputs)
    return load_answers(inputs / "answers", inputs, campaign.centers, campaign.criteria)


def problems_of(inputs: Path) -> list[str]:
    return [str(p) for p in load(inputs)[1]]


def centers_of(inputs: Path) -> set[str]:
    return {a.center for a in load(inputs)[0]}


def edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def line_of(path: Path, start: str) -> int:
    """The line number (from 1) of the first line that starts with ``start``."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, start=1) if line.startswith(start))


def item_line(path: Path, item: str, value: str = "") -> int:
    """The line of item ``item`` (with ``value``, when the id stands twice)."""
    return line_of(path, f'  "{item}":' + (f" {value}" if value else ""))


def shown(name: str) -> str:
    return f"inputs/answers/{name}"


# --- the shipped examples ---------------------------------------------------------


def test_shipped_examples_load(inputs):
    answers, problems = load(inputs)
    assert problems == []
    assert len(answers) == 7
    by_center = {a.center: a for a in answers}
    first = by_center["ศูนย์ดำรงธรรมอำเภอพระสมุทรเจดีย์"]
    assert first.assessed_on == date(2021, 2, 15) and all(first.physical.values())
    assert len(first.physical) == 13 and len(first.quality) == 52
    second = by_center["ศูนย์ดำรงธรรมอำเภอบางบัวทอง"]
    assert [k for k, v in second.physical.items() if not v] == ["2", "7", "10"]
    assert second.notes["2"].startswith("ไม่มีรถโดยสารประจำทางผ่าน")
    third = by_center["ศูนย์ดำรงธรรมอำเภอลำลูกกา"]
    assert third.assessed_on == date(2021, 2, 18)  # "๑๘ กุมภาพันธ์ ๒๕๖๔"
    assert third.quality["1.1"] is True and third.quality["24"] is False  # มี / ไม่มี
    from_csv = by_center["ศูนย์ดำรงธรรมอำเภอชัยบาดาล"]
    assert (from_csv.source.name, from_csv.source_where) == ("examples.csv", "แถวที่ 2")
    assert from_csv.quality["1.1"] is True and from_csv.physical["5"] is False
    assert by_center["ศูนย์ดำรงธรรมอำเภอบางระจัน"].assessed_on == date(2021, 3, 1)
    assert all("(ข้อมูลตัวอย่าง)" in a.assessor_name for a in answers)
    for path in (inputs / "answers").glob("*.yaml"):
        assert "ข้อมูลตัวอย่าง (EXAMPLE DATA)" in path.read_text(encoding="utf-8").splitlines()[0]


def test_csv_in_cp874_loads_like_utf8(inputs):
    csv = inputs / "answers" / "examples.csv"
    csv.write_bytes(csv.read_text(encoding="utf-8").encode("cp874"))
    answers, problems = load(inputs)
    assert problems == [] and len(answers) == 7


def test_missing_folder_is_no_answers_and_no_problem(inputs):
    shutil.rmtree(inputs / "answers")
    assert load(inputs) == ([], [])


def test_unquoted_and_thai_digit_keys_are_read(inputs):
    path = inputs / "answers" / COMPACT
    text = path.read_text(encoding="utf-8")
    text = re.sub(r'"([0-9.]+)":', r"\1:", text)  # 1: มี, 1.1: true, 22: false
    text = text.replace("1: มี,", '"๑": มี,', 1).replace("ห้องบริการ", "ห้องบริการ")
    path.write_text(text, encoding="utf-8")
    answers, problems = load(inputs)
    assert problems == []
    compact = next(a for a in answers if a.source.name == COMPACT)
    assert set(compact.quality) >= {"1.1", "10.1", "22"} and compact.physical["6"] is False
    assert compact.notes["20.1"].startswith("ใช้สายด่วน")


def test_an_unquoted_number_that_could_be_two_ids_is_refused():
    assert item_id(1.1, ["1.1", "1.10"]) is None  # written 1.10 or 1.1: the same float
    assert item_id(1.1, ["1.1", "2"]) == "1.1"
    assert item_id(22, ["22"]) == "22"
    assert item_id("๑.๑", ["1.1"]) == "1.1"


# --- one test per rule ---------------------------------------------------------------


def test_unknown_province_is_named_with_a_suggestion(inputs):
    path = inputs / "answers" / FIRST
    edit(path, "province: สมุทรปราการ", "province: สมุทรปราการร")
    found = problems_of(inputs)
    assert found == [
        f"{shown(FIRST)}: บรรทัดที่ {line_of(path, 'province:')}, ช่อง province: "
        "ไม่มีจังหวัด “สมุทรปราการร” ในรายชื่อศูนย์ (inputs/centers.csv) หรือหมายถึง “สมุทรปราการ”? "
        "(ศูนย์ “ศูนย์ดำรงธรรมอำเภอพระสมุทรเจดีย์” อยู่ในจังหวัดสมุทรปราการ)"
    ]
    assert "ศูนย์ดำรงธรรมอำเภอพระสมุทรเจดีย์" not in centers_of(inputs)


def test_unknown_center_is_named_with_a_suggestion(inputs):
    path = inputs / "answers" / FIRST
    edit(path, "center: ศูนย์ดำรงธรรมอำเภอพระสมุทรเจดีย์", "center: ศูนย์ดำรงธรรมอำเภอพระสมุทรเจดี")
    assert problems_of(inputs) == [
        f"{shown(FIRST)}: บรรทัดที่ {line_of(path, 'center:')}, ช่อง center: ไม่มีศูนย์ “ศูนย์ดำรงธรรมอำเภอพระสมุทรเจดี” "
        "ของจังหวัดสมุทรปราการ ในรายชื่อศูนย์ (inputs/centers.csv) หรือหมายถึง “ศูนย์ดำรงธรรมอำเภอพระสมุทรเจดีย์”?"
    ]


def test_center_of_another_province_is_refused(inputs):
    path = inputs / "answers" / FIRST
    edit(path, "center: ศูนย์ดำรงธรรมอำเภอพระสมุทรเจดีย์", "center: ศูนย์ดำรงธรรมอำเภอบางปะหัน")
    (found,) = problems_of(inputs)
    assert found.endswith(
        "ช่อง center: ศูนย์ “ศูนย์ดำรงธรรมอำเภอบางปะหัน” อยู่ในจังหวัดพระนครศรีอยุธยา ไม่ใช่จังหวัดสมุทรปราการ (ตาม inputs/centers.csv)"
    )


def test_unknown_and_missing_item_ids(inputs):
    path = inputs / "answers" / FIRST
    text = path.read_text(encoding="utf-8")
    text = re.sub(r'^  "3": .*\n^  "4": .*\n', "", text, flags=re.M)  # two ids left out
    text = text.replace('  "13": มี', '  "13": มี\n  "14": มี\n  "1.1": มี', 1)  # unknown, and a quality id
    path.write_text(text, encoding="utf-8")
    found = problems_of(inputs)
    physical = line_of(path, "physical:")
    assert (
        f"{shown(FIRST)}: บรรทัดที่ {item_line(path, '14')}, ช่อง physical.14: "
        "ไม่รู้จักข้อ “14” ใน physical (ข้อที่มี: 1–13 ตาม criteria.yaml)" in found
    )
    assert (
        f"{shown(FIRST)}: บรรทัดที่ {item_line(path, '1.1', 'มี')}, ช่อง physical.1.1: "
        "ข้อ 1.1 เป็นข้อของ quality ไม่ใช่ physical" in found
    )
    assert f"{shown(FIRST)}: บรรทัดที่ {physical}, ช่อง physical: ขาดข้อ 3, 4 (ต้องตอบครบทุกข้อ 1–13)" in found
    assert len(found) == 3, found


def test_unknown_quality_and_notes_ids(inputs):
    path = inputs / "answers" / SECOND
    edit(path, '\n  "24": false', '\n  "24": false\n  "24.1": true')
    edit(path, '\n  "7": ยังไม่มีป้าย', '\n  "77": ยังไม่มีป้าย')
    assert problems_of(inputs) == [
        f"{shown(SECOND)}: บรรทัดที่ {item_line(path, '24.1')}, ช่อง quality.24.1: "
        "ไม่รู้จักข้อ “24.1” ใน quality (ข้อที่มี: 1.1–24 ตาม criteria.yaml)",
        f"{shown(SECOND)}: บรรทัดที่ {item_line(path, '77')}, ช่อง notes.77: "
        "ไม่รู้จักข้อ “77” (หมายเหตุต้องเป็นของข้อใน physical หรือ quality)",
    ]


def test_values_not_allowed_list_the_allowed_ones(inputs):
    path = inputs / "answers" / FIRST
    edit(path, '\n  "1": มี ', '\n  "1": x ')
    edit(path, '\n  "1.1": true ', '\n  "1.1": ใช่ ')
    found = problems_of(inputs)
    assert found == [
        f"{shown(FIRST)}: บรรทัดที่ {item_line(path, '1')}, ช่อง physical.1: "
        "คำตอบ “x” ใช้ไม่ได้ (ใช้ได้: มี, ไม่มี, ✓, ✗, 1, 0, TRUE, FALSE)",
        f"{shown(FIRST)}: บรรทัดที่ {item_line(path, '1.1')}, ช่อง quality.1.1: "
        "คำตอบ “ใช่” ใช้ไม่ได้ (ใช้ได้: true, false, มี, ไม่มี, ✓, ✗, 1, 0)",
    ]


def test_values_as_clerks_type_them(inputs):
    """TRUE from Excel, 1/0, ticks and stray (non-breaking) spaces mean the same as มี / ไม่มี."""
    path = inputs / "answers" / FIRST
    edit(path, '\n  "1": มี ', '\n  "1": TRUE ')
    edit(path, '\n  "2": มี ', '\n  "2": 0 ')
    edit(path, '\n  "3": มี ', '\n  "3": " ✓\u00a0" ')
    edit(path, '\n  "1.1": true ', '\n  "1.1": ✗ ')
    edit(path, '\n  "1.2": true ', '\n  "1.2": 1 ')
    assert problems_of(inputs) == []
    answer = next(a for a in load(inputs)[0] if a.source.name == FIRST)
    assert (answer.physical["1"], answer.physical["2"], answer.physical["3"]) == (True, False, True)
    assert (answer.quality["1.1"], answer.quality["1.2"]) == (False, True)


def test_csv_values_are_case_insensitive_but_checked(inputs):
    csv = inputs / "answers" / "examples.csv"
    lines = csv.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    row = lines[1].split(",")
    row[header.index("q1.1")] = "True"  # any case
    row[header.index("q1.2")] = "ไม่มี"
    row[header.index("p3")] = "yes"
    lines[1] = ",".join(row)
    csv.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert problems_of(inputs) == [
        "inputs/answers/examples.csv: แถวที่ 2, ช่อง p3: คำตอบ “yes” ใช้ไม่ได้ (ใช้ได้: มี, ไม่มี, ✓, ✗, 1, 0, TRUE, FALSE)"
    ]


def test_blank_values_are_not_answered_yet_listing_the_ids(inputs):
    path = inputs / "answers" / FIRST
    edit(path, '\n  "2": มี ', '\n  "2":    ')
    edit(path, '\n  "5": มี ', '\n  "5":    ')
    edit(path, '\n  "24": true ', '\n  "24":      ')
    found = problems_of(inputs)
    assert found == [
        f"{shown(FIRST)}: บรรทัดที่ {line_of(path, 'physical:')}, ช่อง physical: ยังไม่ได้ตอบข้อ 2, 5 (ใส่ มี หรือ ไม่มี)",
        f"{shown(FIRST)}: บรรทัดที่ {line_of(path, 'quality:')}, ช่อง quality: "
        "ยังไม่ได้ตอบข้อ 24 (ใส่ true หรือ false; จะใส่ มี หรือ ไม่มี ก็ได้)",
    ]


def test_blank_csv_cells_are_not_answered_yet(inputs):
    csv = inputs / "answers" / "examples.csv"
    lines = csv.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    row = lines[2].split(",")
    for column in ("assessor_name", "p1", "p13", "q24"):
        row[header.index(column)] = ""
    lines[2] = ",".join(row)
    csv.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert problems_of(inputs) == [
        "inputs/answers/examples.csv: แถวที่ 3, ช่อง assessor_name: ยังไม่ได้กรอก",
        "inputs/answers/examples.csv: แถวที่ 3, ช่อง physical: ยังไม่ได้ตอบข้อ p1, p13 (ใส่ มี หรือ ไม่มี)",
        "inputs/answers/examples.csv: แถวที่ 3, ช่อง quality: ยังไม่ได้ตอบข้อ q24 (ใส่ true หรือ false; จะใส่ มี หรือ ไม่มี ก็ได้)",
    ]
    assert "ศูนย์ดำรงธรรมอำเภอบางระจัน" not in centers_of(inputs)
    assert "ศูนย์ดำรงธรรมอำเภอชัยบาดาล" in centers_of(inputs)  # the other row of the same file


def test_duplicate_centers_name_both_places_and_neither_is_used(inputs):
    folder = inputs / "answers"
    shutil.copy(folder / FIRST, folder / "99-สำเนา.yaml")
    csv = folder / "examples.csv"
    lines = csv.read_text(encoding="utf-8").splitlines()
    lines.append(lines[1].replace("ลพบุรี,ศูนย์ดำรงธรรมอำเภอชัยบาดาล", "นนทบุรี,ศูนย์ดำรงธรรมอำเภอบางบัวทอง"))
    csv.write_text("\n".join(lines) + "\n", encoding="utf-8")
    found = problems_of(inputs)
    center = line_of(folder / FIRST, "center:")
    assert found == [
        f"{shown(FIRST)}: บรรทัดที่ {center}, ช่อง center: ศูนย์ “ศูนย์ดำรงธรรมอำเภอพระสมุทรเจดีย์” จังหวัดสมุทรปราการ "
        f"มีคำตอบมากกว่าหนึ่งแห่ง: ซ้ำกับ {shown('99-สำเนา.yaml')} บรรทัดที่ {center} (ให้เหลือไว้แห่งเดียว)",
        f"{shown('99-สำเนา.yaml')}: บรรทัดที่ {center}, ช่อง center: ศูนย์ “ศูนย์ดำรงธรรมอำเภอพระสมุทรเจดีย์” "
        f"จังหวัดสมุทรปราการ มีคำตอบมากกว่าหนึ่งแห่ง: ซ้ำกับ {shown(FIRST)} บรรทัดที่ {center} (ให้เหลือไว้แห่งเดียว)",
        f"{shown(SECOND)}: บรรทัดที่ {center}, ช่อง center: ศูนย์ “ศูนย์ดำรงธรรมอำเภอบางบัวทอง” จังหวัดนนทบุรี "
        "มีคำตอบมากกว่าหนึ่งแห่ง: ซ้ำกับ inputs/answers/examples.csv แถวที่ 4 (ให้เหลือไว้แห่งเดียว)",
        "inputs/answers/examples.csv: แถวที่ 4, ช่อง center: ศูนย์ “ศูนย์ดำรงธรรมอำเภอบางบัวทอง” จังหวัดนนทบุรี "
        f"มีคำตอบมากกว่าหนึ่งแห่ง: ซ้ำกับ {shown(SECOND)} บรรทัดที่ {center} (ให้เหลือไว้แห่งเดียว)",
    ]
    assert len(centers_of(inputs)) == 5


@pytest.mark.parametrize(
    "written, message",
    [
        ("2021-02-30", "วันที่ “2021-02-30” ไม่ถูกต้องหรือไม่มีอยู่จริง"),  # unquoted: PyYAML's own date
        ('"2021-02-30"', "วันที่ “2021-02-30” ไม่ถูกต้องหรือไม่มีอยู่จริง"),
        ("๓๐ กุมภาพันธ์ ๒๕๖๔", "วันที่ “๓๐ กุมภาพันธ์ ๒๕๖๔” ไม่ถูกต้องหรือไม่มีอยู่จริง"),
        ("๑๕ กุมพา ๒๕๖๔", "ไม่รู้จักชื่อเดือน “กุมพา” (ต้องเป็นชื่อเดือนเต็ม เช่น กุมภาพันธ์ หรือชื่อย่อ เช่น ก.พ.)"),
        (
            "15/13/2564",
            "วันที่ “15/13/2564” ไม่ถูกต้องหรือไม่มีอยู่จริง (ต้องเป็น ปปปป-ดด-วว เช่น 2021-02-15, "
            "วัน/เดือน/ปี เช่น 15/2/2564, ๑๕ กุมภาพันธ์ ๒๕๖๔ หรือ ๑๕ ก.พ. ๖๔)",
        ),
        ("15/2/64", "ปีในวันที่ “15/2/64” ต้องมี ๔ หลัก เช่น 15/2/2564"),
        ("2564-02-15", "ปี 2564 ในวันที่ “2564-02-15” น่าจะเป็นปี พ.ศ."),
        ("15/2/2521", "วันที่ “15/2/2521” อยู่นอกช่วงที่เป็นไปได้"),
    ],
)
def test_unreadable_and_impossible_dates(inputs, written, message):
    path = inputs / "answers" / FIRST
    edit(path, "assessed_on: 2021-02-15", f"assessed_on: {written}")
    (found,) = problems_of(inputs)
    assert found.startswith(f"{shown(FIRST)}: บรรทัดที่ {line_of(path, 'assessed_on:')}, ช่อง assessed_on: {message}"), (
        found
    )


def test_csv_dates_are_checked(inputs):
    csv = inputs / "answers" / "examples.csv"
    edit(csv, "2021-02-24", "30/2/2564")
    (found,) = problems_of(inputs)
    assert found.startswith("inputs/answers/examples.csv: แถวที่ 2, ช่อง assessed_on: วันที่ “30/2/2564” ไม่ถูกต้อง")


@pytest.mark.parametrize("written", ["24/2/2564", "24/02/2021", "๒๔ ก.พ. ๖๔", "24 กุมภา 2564", "44251", "๒๔/๒/๒๕๖๔"])
def test_csv_dates_as_excel_shows_them(inputs, written):
    csv = inputs / "answers" / "examples.csv"
    edit(csv, "2021-02-24", written)
    assert problems_of(inputs) == []
    (answer,) = [a for a in load(inputs)[0] if a.center == "ศูนย์ดำรงธรรมอำเภอชัยบาดาล"]
    assert answer.assessed_on == date(2021, 2, 24)


def test_missing_and_blank_required_fields(inputs):
    path = inputs / "answers" / FIRST
    edit(path, "center: ศูนย์ดำรงธรรมอำเภอพระสมุทรเจดีย์\n", "")
    edit(path, "assessed_on: 2021-02-15", "assessed_on:")
    edit(path, "  position: ปลัดอำเภอ", "  position: ''")
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"\nquality:\n(  .*\n)+", "\n", text), encoding="utf-8")
    found = problems_of(inputs)
    assert found == [
        f"{shown(FIRST)}: บรรทัดที่ {line_of(path, 'assessed_on:')}, ช่อง assessed_on: ยังไม่ได้กรอก",
        f"{shown(FIRST)}: บรรทัดที่ {line_of(path, '  position:')}, ช่อง assessor.position: ยังไม่ได้กรอก",
        f"{shown(FIRST)}: ขาดคีย์ “center” ที่ต้องมี",
        f"{shown(FIRST)}: ขาดคีย์ “quality” ที่ต้องมี",
    ]


def test_unknown_keys_get_a_suggestion(inputs):
    path = inputs / "answers" / FIRST
    edit(path, "assessed_on:", "asessed_on:")
    edit(path, "\nnotes:", "\nnote:")
    found = problems_of(inputs)
    assert (
        f"{shown(FIRST)}: บรรทัดที่ {line_of(path, 'asessed_on:')}: ไม่รู้จักคีย์ “asessed_on” หรือหมายถึง “assessed_on”?" in found
    )
    assert f"{shown(FIRST)}: บรรทัดที่ {line_of(path, 'note:')}: ไม่รู้จักคีย์ “note” หรือหมายถึง “notes”?" in found
    assert f"{shown(FIRST)}: ขาดคีย์ “assessed_on” ที่ต้องมี" in found
    assert len(found) == 3, found


def test_yaml_syntax_error_and_csv_header_problems(inputs):
    folder = inputs / "answers"
    (folder / FIRST).write_text("province: สมุทรปราการ\ncenter: [ไม่ปิดวงเล็บ\n", encoding="utf-8")
    csv = folder / "examples.csv"
    edit(csv, ",p13,", ",p31,")
    found = problems_of(inputs)
    assert found[0].startswith(f"{shown(FIRST)}: บรรทัดที่ ") and "คอลัมน์" in found[0] and "YAML" in found[0]
    assert found[1].startswith("inputs/answers/examples.csv: แถวที่ 1: ไม่มีคอลัมน์ p13 ")
    assert found[2].startswith("inputs/answers/examples.csv: แถวที่ 1: มีคอลัมน์ที่ไม่รู้จัก p31 ")
    assert len(found) == 3 and len(load(inputs)[0]) == 4


def test_other_files_in_the_folder(inputs):
    folder = inputs / "answers"
    for name in (".gitkeep", ".DS_Store", "README.txt", "~$examples.xlsx"):
        (folder / name).write_text("x", encoding="utf-8")
    (folder / "บันทึก.txt").write_text("x", encoding="utf-8")
    (folder / "answers.xlsx").write_bytes(b"PK")
    (folder / "answers.ods").write_bytes(b"PK")
    found = problems_of(inputs)
    assert found == [
        "inputs/answers/answers.ods: อ่านไฟล์ชนิดนี้โดยตรงไม่ได้: ให้บันทึกเป็น Excel Workbook (.xlsx) "
        "หรือ CSV (Save As) ไว้ในโฟลเดอร์เดียวกัน",
        "inputs/answers/answers.xlsx: เปิดไฟล์ Excel ไม่ได้ (ไฟล์เสีย ตั้งรหัสผ่านไว้ หรือไม่ใช่ไฟล์ .xlsx จริง): "
        "ให้เปิดใน Excel แล้วบันทึกใหม่เป็น Excel Workbook (.xlsx) หรือ CSV [BadZipFile]",
        "inputs/answers/บันทึก.txt: ไม่รู้จักไฟล์ชนิดนี้ (ไฟล์คำตอบต้องลงท้ายด้วย .yaml, .yml, .csv หรือ .xlsx)",
    ]
    assert len(load(inputs)[0]) == 7


def test_every_problem_of_every_file_comes_back_together(inputs):
    folder = inputs / "answers"
    edit(folder / FIRST, "province: สมุทรปราการ", "province: สมุทรปราการร")
    edit(folder / SECOND, '\n  "2": ไม่มี ', '\n  "2":      ')
    edit(folder / SECOND, "assessed_on: 2021-02-17", "assessed_on: 2021-02-29")
    edit(folder / "examples.csv", ",TRUE,", ",ถูก,")
    answers, problems = load(inputs)
    files = [p.file for p in problems]
    # the unquoted impossible date does not hide the blank answer of the same file
    assert files == [shown(FIRST), shown(SECOND), shown(SECOND), "inputs/answers/examples.csv"], problems
    assert [p.field for p in problems] == ["province", "assessed_on", "physical", "q1.1"]
    assert {a.center for a in answers} == {
        "ศูนย์ดำรงธรรมอำเภอลำลูกกา",
        "ศูนย์ดำรงธรรมอำเภอบางปะหัน",
        "ศูนย์ดำรงธรรมอำเภอเมืองอ่างทอง",
        "ศูนย์ดำรงธรรมอำเภอบางระจัน",
    }


# --- blank answer files ---------------------------------------------------------------


def test_init_writes_only_for_centers_without_answers_and_never_overwrites(inputs):
    campaign = load_campaign(inputs)
    folder = inputs / "answers"
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    written = init_answers(inputs, campaign)
    assert len(written) == 76 - 7
    names = {p.name for p in written}
    answered = {c.slug for c in campaign.centers[:7]}
    assert not names & {f"{s}.yaml" for s in answered}
    assert "08-ชัยนาท-สรรคบุรี.yaml" in names
    assert (
        all(folder / n for n in before)
        and {p.name: p.read_bytes() for p in folder.iterdir() if p.name in before} == before
    )
    assert not [p for p in folder.iterdir() if p.name.startswith(".")]  # no temporary file left behind

    assert init_answers(inputs, campaign) == []  # second run: nothing new
    mine = folder / "08-ชัยนาท-สรรคบุรี.yaml"
    mine.write_text("# my own work\n", encoding="utf-8")
    (folder / "09-สระบุรี-พระพุทธบาท.yaml").unlink()
    assert init_answers(inputs, campaign) == [folder / "09-สระบุรี-พระพุทธบาท.yaml"]
    assert mine.read_text(encoding="utf-8") == "# my own work\n"


def test_init_counts_centers_named_in_any_file_even_a_broken_one(inputs):
    campaign = load_campaign(inputs)
    folder = inputs / "answers"
    (folder / "ชัยนาท.yaml").write_text(
        "province: ชัยนาท\ncenter: ศูนย์ดำรงธรรมอำเภอสรรคบุรี\nphysical: [ไม่ปิด\n", encoding="utf-8"
    )
    edit(folder / "examples.csv", "ลพบุรี,ศูนย์ดำรงธรรมอำเภอชัยบาดาล", "สระบุรี,ศูนย์ดำรงธรรมอำเภอพระพุทธบาท")
    names = {p.name for p in init_answers(inputs, campaign)}
    assert "08-ชัยนาท-สรรคบุรี.yaml" not in names and "09-สระบุรี-พระพุทธบาท.yaml" not in names
    assert "06-ลพบุรี-ชัยบาดาล.yaml" in names and len(names) == 76 - 8  # 1–5, 7 and now 8, 9


def test_init_without_hard_links_still_never_overwrites(inputs, monkeypatch):
    def no_links(*args):
        raise PermissionError("no hard links on this file system")

    monkeypatch.setattr(os, "link", no_links)
    campaign = load_campaign(inputs)
    shutil.rmtree(inputs / "answers")
    assert len(init_answers(inputs, campaign)) == 76
    target = inputs / "answers" / "01-สมุทรปราการ-พระสมุทรเจดีย์.yaml"
    target.write_text("# kept\n", encoding="utf-8")
    target.rename(target.with_name("kept.yaml"))  # names nothing: the center needs a file again
    (inputs / "answers" / "kept.yaml").rename(target)
    assert init_answers(inputs, campaign) == []
    assert target.read_text(encoding="utf-8") == "# kept\n"


def test_blank_file_reports_unanswered_items_and_loads_once_filled(inputs):
    campaign = load_campaign(inputs)
    folder = inputs / "answers"
    shutil.rmtree(folder)
    written = init_answers(inputs, campaign)
    path = written[0]
    text = path.read_text(encoding="utf-8")
    assert "# เวลาเปิดให้บริการ" in text and "มีการให้บริการนอกเวลาราชการ" in text
    found = [str(p) for p in load(inputs)[1] if p.file == shown(path.name)]
    assert (
        f"{shown(path.name)}: บรรทัดที่ {line_of(path, 'physical:')}, ช่อง physical: "
        "ยังไม่ได้ตอบข้อ 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13 (ใส่ มี หรือ ไม่มี)" in found
    )
    assert any("ช่อง quality: ยังไม่ได้ตอบข้อ 1.1, 1.2, 2.1," in p and ", 24 (" in p for p in found)
    assert f"{shown(path.name)}: บรรทัดที่ {line_of(path, 'assessed_on:')}, ช่อง assessed_on: ยังไม่ได้กรอก" in found

    for path in written:  # what a clerk does: fill every blank
        text = path.read_text(encoding="utf-8")
        text = text.replace("assessed_on:\n", "assessed_on: ๑๕ กุมภาพันธ์ ๒๕๖๔\n")
        text = text.replace("  name:\n", "  name: นางสาวสมใจ ใจดี\n").replace("  position:\n", "  position: ปลัดอำเภอ\n")
        physical, _, quality = text.partition("\nquality:\n")
        physical = re.sub(r'^(  "[0-9.]+":) +#', r"\1 มี  #", physical, flags=re.M)
        quality = re.sub(r'^(  "[0-9.]+":) +#', r"\1 true  #", quality, flags=re.M)
        path.write_text(physical + "\nquality:\n" + quality, encoding="utf-8")
    answers, problems = load(inputs)
    assert problems == []
    assert len(answers) == 76
    assert all(all(a.physical.values()) and len(a.quality) == 52 for a in answers)
