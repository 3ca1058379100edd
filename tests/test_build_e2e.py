"""`build` end to end on a small campaign: every document kind, real LibreOffice, PDFs read back."""

import csv
import json
from pathlib import Path

import fitz
import pytest
from campaigns import run, small_inputs

from pipeline.check import normalise

PROJECT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def campaign(tmp_path_factory):
    """Three centers, two of them in one province; answers for two; one answer file that is wrong."""
    root = tmp_path_factory.mktemp("small")
    inputs = small_inputs(root)
    answers = inputs / "answers"
    bad = (answers / "01-สมุทรปราการ-พระสมุทรเจดีย์.yaml").read_text(encoding="utf-8")
    bad = bad.replace("ศูนย์ดำรงธรรมอำเภอพระสมุทรเจดีย์", "ศูนย์ดำรงธรรมอำเภอบางพลี").replace('"13":', '"14":')
    (answers / "03-bad.yaml").write_text(bad, encoding="utf-8")
    outputs = root / "outputs"
    return inputs, outputs, run("build", "--inputs", str(inputs), "--outputs", str(outputs))


def text_of(pdf: Path) -> str:
    with fitz.open(pdf) as doc:
        return normalise("".join(page.get_text() for page in doc))


def test_a_bad_answer_file_is_named_and_the_others_go_on(campaign):
    inputs, outputs, result = campaign
    assert result.returncode == 1
    assert "inputs/answers/03-bad.yaml: บรรทัดที่" in result.stderr
    assert "ไม่รู้จักข้อ “14”" in result.stderr
    assert sorted(p.name for p in (outputs / "reports").glob("*.pdf")) == [
        "01-สมุทรปราการ-พระสมุทรเจดีย์.pdf",
        "02-นนทบุรี-บางบัวทอง.pdf",
    ]
    report = json.loads((outputs / "check.json").read_text(encoding="utf-8"))
    assert report["totals"]["pdfs_failed"] == 0, [f for f in report["findings"] if not f["ok"]]


def test_one_letter_per_province_naming_all_its_centers(campaign):
    _, outputs, _ = campaign
    assert sorted(p.name for p in (outputs / "letters").glob("*.pdf")) == [
        "01-สมุทรปราการ.pdf",
        "02-นนทบุรี.pdf",
        "all-provinces.pdf",
    ]
    text = text_of(outputs / "letters" / "01-สมุทรปราการ.pdf")
    assert normalise("ศูนย์ดำรงธรรมอำเภอพระสมุทรเจดีย์ และ ศูนย์ดำรงธรรมอำเภอบางพลี") in text


def test_forms_start_on_odd_pages_of_the_print_file(campaign):
    _, outputs, _ = campaign
    forms = sorted((outputs / "forms").glob("0?-*[!e].pdf"))
    assert [p.stem for p in forms] == ["01-สมุทรปราการ-พระสมุทรเจดีย์", "02-นนทบุรี-บางบัวทอง", "03-สมุทรปราการ-บางพลี"]
    with fitz.open(outputs / "print" / "forms.pdf") as doc:
        starts = [i for i, page in enumerate(doc) if "ลงชื่อ" in page.get_text()]
    assert len(starts) == 3 and all(i % 2 == 0 for i in starts)  # page index 0, 2, 4 … = odd page numbers


def test_fillable_forms_carry_a_named_field_per_box(campaign):
    _, outputs, _ = campaign
    with fitz.open(outputs / "forms" / "03-สมุทรปราการ-บางพลี-fillable.pdf") as doc:
        names = [w.field_name for page in doc for w in page.widgets()]
    assert len(names) == 78 and names[:3] == ["p:1", "pn:1", "p:2"] and "q:21.1" in names and "q:24" in names


def test_packages_regenerate_the_source(campaign):
    _, outputs, _ = campaign
    text = text_of(outputs / "package" / "all-provinces.pdf")
    assert normalise("ถึง ที่ทำการปกครองจังหวัด ทุกจังหวัด") in text
    assert normalise("๗.๒ เกิดผลลัพธ์ความพึงพอใจของผู้รับบริการไม่น้อยกว่าร้อยละ ๘๐") in text
    assert normalise("ข้อมูล ณ ๒๐ มกราคม ๒๕๖๓") in text
    province = text_of(outputs / "package" / "01-สมุทรปราการ.pdf")
    assert province.count(normalise("แบบประเมินตนเอง (Self Checklist)")) >= 2  # both centers' forms


def test_reports_are_pdfa_and_results_csv_agrees(campaign):
    _, outputs, _ = campaign
    with fitz.open(outputs / "reports" / "02-นนทบุรี-บางบัวทอง.pdf") as doc:
        assert "pdfaid:part" in doc.get_xml_metadata()
        assert "บางบัวทอง" in doc.metadata["title"]
    raw = (outputs / "summary" / "results.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(raw.decode("utf-8-sig").splitlines()))
    assert [(r["center"], r["physical_met"], r["basic_condition_met"]) for r in rows] == [
        ("ศูนย์ดำรงธรรมอำเภอพระสมุทรเจดีย์", "13", "TRUE"),
        ("ศูนย์ดำรงธรรมอำเภอบางบัวทอง", "10", "FALSE"),
    ]
    summary = text_of(outputs / "summary" / "summary.pdf")
    assert normalise("ศูนย์ดำรงธรรมอำเภอบางพลี") in summary  # listed as not answered yet


def test_archive_is_append_only_and_stable(campaign):
    inputs, outputs, _ = campaign
    archive = outputs / "archive" / "02-นนทบุรี-บางบัวทอง"
    assert [p.name for p in archive.iterdir()] == ["v001"]
    manifest = json.loads((archive / "v001" / "manifest.json").read_text(encoding="utf-8"))
    before = {p.name: p.stat().st_mtime_ns for p in (archive / "v001").iterdir()}
    again = run("reports", "--inputs", str(inputs), "--outputs", str(outputs))
    assert "ไม่เปลี่ยนแปลง 2 ฉบับ" in again.stderr
    assert [p.name for p in archive.iterdir()] == ["v001"]
    assert {p.name: p.stat().st_mtime_ns for p in (archive / "v001").iterdir()} == before
    answer = inputs / "answers" / "02-นนทบุรี-บางบัวทอง.yaml"
    answer.write_text(answer.read_text(encoding="utf-8").replace('  "1": มี', '  "1": ไม่มี', 1), encoding="utf-8")
    run("reports", "--inputs", str(inputs), "--outputs", str(outputs))
    assert sorted(p.name for p in archive.iterdir()) == ["v001", "v002"]
    assert json.loads((archive / "v001" / "manifest.json").read_text(encoding="utf-8")) == manifest
    # Each manifest names the audit entry of the build that made it (the command line's, here).
    log = [json.loads(line) for line in (outputs / "audit.jsonl").read_text(encoding="utf-8").splitlines()]
    made = {e["n"]: e for e in log}
    v002 = json.loads((archive / "v002" / "manifest.json").read_text(encoding="utf-8"))
    for m in (manifest, v002):
        entry = made[m["audit"]["entry"]]
        assert (entry["hash"], entry["action"], entry["actor"][:4]) == (m["audit"]["hash"], "build", "cli:")
    assert manifest["audit"]["entry"] < v002["audit"]["entry"]
    verified = run("audit", "verify", "--outputs", str(outputs))
    assert verified.returncode == 0, verified.stderr
