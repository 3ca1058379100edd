"""pipeline.edits, the core the web app's editors call: an input file is replaced only by what its own
loader reads back, atomically; a refused edit leaves the file byte for byte and nothing beside it.
(The pages themselves: tests/test_web.py, tests/test_web_pages.py, tests/hostile/test_hostile_web.py.)"""

from __future__ import annotations

from pathlib import Path

from campaigns import small_inputs

from pipeline import edits
from pipeline.load import load_campaign
from pipeline.problems import Problem


def listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_a_circular_edit_is_saved_only_when_it_reads_back(tmp_path):
    inputs = small_inputs(tmp_path)
    path = inputs / "circular.yaml"
    before, names = path.read_bytes(), listing(inputs)
    assert set(edits.circular_values(inputs)) <= set(edits.CIRCULAR_FIELDS)
    problems = edits.edit_circular(inputs, {"date": "๓๑ กุมภาพันธ์ ๒๕๖๔", "number": "ว 1\u2029# 2"})
    assert {p.field for p in problems} == {"number"}  # the one-line rule is seen before anything is written
    assert problems[0].file == "ที่ (เลขที่หนังสือ)" and problems[0].message == edits.ONE_LINE
    problems = edits.edit_circular(inputs, {"date": "๓๑ กุมภาพันธ์ ๒๕๖๔"})
    assert [p.file for p in problems] == ["ลงวันที่ (เช่น ๒๘ ธันวาคม ๒๕๖๓)"]  # the loader's problem, by the form's label
    assert path.read_bytes() == before and listing(inputs) == names  # nothing replaced, nothing left beside it

    assert edits.edit_circular(inputs, {"date": "2021-01-05", "number": 'มท ๐๓๐๗.๒/ว "๙๙๙"', "nope": "x"}) == []
    circular = load_campaign(inputs).circular
    assert circular.number == 'มท ๐๓๐๗.๒/ว "๙๙๙"' and str(circular.date) == "2021-01-05"
    assert edits.circular_values(inputs)["number"] == 'มท ๐๓๐๗.๒/ว "๙๙๙"'
    after = path.read_text(encoding="utf-8")
    assert after.count("#") == before.decode("utf-8").count("#")  # every comment kept
    assert listing(inputs) == names


def test_a_centers_list_replaces_the_old_one_only_when_it_loads(tmp_path):
    inputs = small_inputs(tmp_path)
    path = inputs / "centers.csv"
    before, names = path.read_bytes(), listing(inputs)
    wrong = "order,province,center,note\n1,สมุทรปราการ,,\n".encode()
    assert edits.centers_left_out(inputs, wrong) == []  # an unreadable list leaves nothing out: it is refused
    problems = edits.replace_centers(inputs, wrong)
    assert problems and all(p.file == "centers.csv" for p in problems)
    assert "ไม่ได้ระบุชื่อศูนย์" in " ".join(p.message for p in problems)
    assert edits.replace_centers(inputs, b" \n") == [Problem("centers.csv", "ไฟล์ว่าง")]
    assert path.read_bytes() == before and listing(inputs) == names

    shorter = b"\n".join(before.splitlines()[:3]) + b"\n"
    assert edits.centers_left_out(inputs, shorter) == [("สมุทรปราการ", "ศูนย์ดำรงธรรมอำเภอบางพลี")]
    assert path.read_bytes() == before  # asking what is left out replaces nothing
    assert edits.replace_centers(inputs, shorter) == []
    assert path.read_bytes() == shorter and listing(inputs) == names


def test_uploaded_forms_are_named_by_their_upload_name_and_not_kept(tmp_path):
    inputs = small_inputs(tmp_path)
    answers = listing(inputs / "answers")
    written, problems = edits.ingest_pdfs(
        inputs, load_campaign(inputs), [("../../etc/สอง.pdf", b"not a pdf"), ("แบบ.pdf", b"%PDF-1.4 broken")]
    )
    assert written == [] and [p.file for p in problems] == ["สอง.pdf", "แบบ.pdf"]
    assert problems[0].message == "ไม่ใช่ไฟล์ PDF" and "เปิดไฟล์ PDF ไม่ได้" in problems[1].message
    assert listing(inputs / "answers") == answers
