"""Follow-up and results letters, and the register of outgoing letters, through the real command line
(real LibreOffice, real PDFs read back; the workbook read back with LibreOffice Calc)."""

from __future__ import annotations

import json
import multiprocessing
import shutil
import subprocess
import time
from datetime import date
from pathlib import Path

import fitz
import pytest
from campaigns import run, shipped, small_inputs
from test_workbooks import CSV_EXPORT, calc, read_csv
from web_helpers import TestClient, csrf_of, sign_in, web_config

from pipeline import register, review
from pipeline.check import normalise
from pipeline.load import load_campaign
from pipeline.model import Draft
from pipeline.web.app import create_app

FOLLOW_UP = "letters/follow-up"
DEADLINE = "๒๙ มกราคม ๒๕๖๔"  # the shipped circular's deadline (2021-01-29)


@pytest.fixture
def four(tmp_path: Path) -> Path:
    """Four centers in three provinces; the first two answered (สมุทรปราการ has one out, นนทบุรี none,
    ปทุมธานี its only one)."""
    inputs = small_inputs(tmp_path)
    centers = inputs / "centers.csv"
    centers.write_text(centers.read_text(encoding="utf-8") + "4,ปทุมธานี,ศูนย์ดำรงธรรมอำเภอลำลูกกา,\n", encoding="utf-8")
    return inputs


def _follow_up(inputs: Path) -> subprocess.CompletedProcess:
    result = run("follow-up", "--inputs", str(inputs), "--outputs", str(inputs.parent / "outputs"))
    assert result.returncode == 0, result.stderr
    return result


def _letters(outputs: Path) -> dict[str, str]:
    """Follow-up letter (file stem) → its PDF's text, normalised."""
    found = {}
    for pdf in sorted((outputs / FOLLOW_UP).glob("*.pdf")):
        with fitz.open(pdf) as doc:
            found[pdf.stem] = normalise("".join(page.get_text() for page in doc))
    return found


def _entries(outputs: Path) -> list[dict]:
    if not (outputs / "register.json").is_file():
        return []  # nothing entered yet
    return json.loads((outputs / "register.json").read_text(encoding="utf-8"))["entries"]


def _numbers_once(entries: list[dict]) -> None:
    seen = [(e["series"], e["year"], e["number"]) for e in entries]
    assert len(seen) == len(set(seen)), seen
    assert len({e["key"] for e in entries}) == len(entries)


def test_follow_up_letters_exactly_for_provinces_with_centers_not_in(four):
    outputs = four.parent / "outputs"
    _follow_up(four)
    letters = _letters(outputs)
    assert sorted(letters) == ["01-สมุทรปราการ", "04-ปทุมธานี"]  # นนทบุรี's one center is in: no letter
    assert normalise("ศูนย์ดำรงธรรมอำเภอบางพลี") in letters["01-สมุทรปราการ"]
    assert normalise("ศูนย์ดำรงธรรมอำเภอพระสมุทรเจดีย์") not in letters["01-สมุทรปราการ"]  # it answered
    assert normalise("ศูนย์ดำรงธรรมอำเภอลำลูกกา") in letters["04-ปทุมธานี"]
    for text in letters.values():  # the circular by number and date, and the deadline
        assert normalise("มท ๐๓๐๗.๒/ว ๒๘๘๖๕") in text and normalise("๒๘ ธันวาคม ๒๕๖๓") in text
        assert normalise(DEADLINE) in text
    checks = json.loads((outputs / "check.json").read_text(encoding="utf-8"))["findings"]
    rules = {(Path(r["pdf"]).name, r["rule"]) for r in checks if r["ok"]}
    assert {("01-สมุทรปราการ.pdf", "parts"), ("01-สมุทรปราการ.pdf", "layout"), ("register.pdf", "entries")} <= rules
    assert all(r["ok"] for r in checks)
    entries = _entries(outputs)
    assert [(e["reference"], e["addressee"]) for e in entries] == [
        ("มท ๐๓๐๗.๒/๑", "ที่ทำการปกครองจังหวัดสมุทรปราการ"),
        ("มท ๐๓๐๗.๒/๒", "ที่ทำการปกครองจังหวัดปทุมธานี"),
    ]
    assert normalise("ที่ มท ๐๓๐๗.๒/๑") in letters["01-สมุทรปราการ"]


def test_the_register_numbers_every_letter_once_across_rebuilds_and_runs(four):
    outputs = four.parent / "outputs"
    _follow_up(four)
    first = _entries(outputs)
    again = _follow_up(four)  # a second run: the same letters, nothing new in the register
    assert "ทุกรายการเป็นปัจจุบันแล้ว" in again.stderr
    assert "ลงทะเบียนใหม่ 0 ฉบับ; ที่ลงทะเบียนไว้แล้ว 2 ฉบับ ใช้เลขและวันที่เดิม" in again.stderr
    (outputs / ".build-state.json").unlink()  # a full rebuild keeps the numbers too
    _follow_up(four)
    assert _entries(outputs) == first
    # ปทุมธานี's center answers: its letter goes; สมุทรปราการ's is the same letter, same number.
    shutil.copyfile(shipped() / "answers/03-ปทุมธานี-ลำลูกกา.yaml", four / "answers/04-ปทุมธานี-ลำลูกกา.yaml")
    _follow_up(four)
    assert sorted(_letters(outputs)) == ["01-สมุทรปราการ"]
    assert _entries(outputs) == first
    # พระสมุทรเจดีย์ is returned for correction: สมุทรปราการ's letter now names it too, a new letter, a new number.
    campaign = load_campaign(four)
    answer = next(a for a in campaign.answers if a.center == "ศูนย์ดำรงธรรมอำเภอพระสมุทรเจดีย์")
    slug = next(c.slug for c in campaign.centers if c.name == answer.center)
    review.record(outputs, "user:test", review.Decision(slug, "return", review.answer_digest(answer), "ข้อ ๓ ไม่ครบ"))
    _follow_up(four)
    text = _letters(outputs)["01-สมุทรปราการ"]
    assert normalise("ศูนย์ดำรงธรรมอำเภอพระสมุทรเจดีย์") in text and normalise("ศูนย์ดำรงธรรมอำเภอบางพลี") in text
    entries = _entries(outputs)
    assert entries[:2] == first and entries[2]["reference"] == "มท ๐๓๐๗.๒/๓"
    assert normalise("ที่ มท ๐๓๐๗.๒/๓") in text
    _numbers_once(entries)
    # The register as a document and as a workbook: every entry once, in order.
    with fitz.open(outputs / "register.pdf") as doc:
        printed = normalise("".join(page.get_text() for page in doc))
    assert [printed.count(normalise(e["reference"])) for e in entries] == [1, 1, 1]
    rows = _calc_rows(outputs / "register.xlsx")
    assert rows[0] == ["วันที่ลงทะเบียน", "เลขทะเบียนส่ง", "ที่", "ลงวันที่", "จาก", "ถึง", "เรื่อง", "การปฏิบัติ", "หมายเหตุ"]
    assert [row[1:3] for row in rows[1:]] == [["๑", "มท ๐๓๐๗.๒/๑"], ["๒", "มท ๐๓๐๗.๒/๒"], ["๓", "มท ๐๓๐๗.๒/๓"]]


def _calc_rows(xlsx: Path) -> list[list[str]]:
    """The workbook as LibreOffice Calc shows it (exported to CSV)."""
    out = xlsx.parent / "calc"
    calc(xlsx, CSV_EXPORT, out)
    return read_csv(out / f"{xlsx.stem}-ทะเบียนหนังสือส่ง.csv")


def test_no_follow_up_letter_when_every_center_is_in(four):
    shutil.copyfile(shipped() / "answers/03-ปทุมธานี-ลำลูกกา.yaml", four / "answers/04-ปทุมธานี-ลำลูกกา.yaml")
    (four / "centers.csv").write_text(
        "\n".join(
            line for line in (four / "centers.csv").read_text(encoding="utf-8").splitlines() if "บางพลี" not in line
        )
        + "\n",
        encoding="utf-8",
    )
    outputs = four.parent / "outputs"
    assert "ไม่มีหนังสือที่ต้องส่ง" in _follow_up(four).stderr
    assert _letters(outputs) == {}
    assert [e for e in _entries(outputs) if e["key"].startswith("follow-up:")] == []


def _take(args: tuple[str, int]) -> list[int]:
    outputs, worker = args
    drafts = [Draft(f"letter-{worker}-{i}", "", "มท ๐๓๐๗.๒", "กรมการปกครอง", "ถึง", "เรื่อง") for i in range(20)]
    numbers, _ = register.take(Path(outputs), drafts, date(2026, 12, 5))
    return [e.number for e in numbers.values()]


def test_the_register_gives_each_number_once_to_runs_at_the_same_time(tmp_path):
    with multiprocessing.get_context("spawn").Pool(4) as pool:
        taken = pool.map(_take, [(str(tmp_path), w) for w in range(4)])
    numbers = sorted(n for ns in taken for n in ns)
    assert numbers == list(range(1, 81))
    assert [e.number for e in register.entries(tmp_path)] == list(range(1, 81))
    assert not list(tmp_path.glob(".register.json.part-*"))


def test_numbers_run_per_buddhist_year_and_series(tmp_path):
    def draft(key: str, series: str = "", given: int | None = None, dated: date | None = None) -> Draft:
        return Draft(key, series, "มท ๐๓๐๗.๒", "กรมการปกครอง", "ถึง", "เรื่อง", given, dated)

    numbers, _ = register.take(tmp_path, [draft("a"), draft("w", "ว", 28865, date(2020, 12, 28))], date(2020, 12, 30))
    assert (numbers["a"].number, numbers["a"].year, numbers["w"].reference) == (1, 2563, "มท ๐๓๐๗.๒/ว ๒๘๘๖๕")
    numbers, _ = register.take(tmp_path, [draft("b"), draft("w2", "ว")], date(2020, 12, 31))
    assert (numbers["b"].number, numbers["w2"].number) == (2, 28866)
    numbers, _ = register.take(tmp_path, [draft("c")], date(2021, 1, 4))  # a new year starts again at 1
    assert (numbers["c"].number, numbers["c"].year, numbers["c"].reference) == (1, 2564, "มท ๐๓๐๗.๒/๑")


def test_results_letters_state_the_outcomes_and_enclose_the_accepted_reports(four):
    outputs = four.parent / "outputs"
    made = run("reports", "--inputs", str(four), "--outputs", str(outputs))
    assert made.returncode == 0, made.stderr
    campaign = load_campaign(four)
    answer = next(a for a in campaign.answers if a.center == "ศูนย์ดำรงธรรมอำเภอพระสมุทรเจดีย์")
    slug = next(c.slug for c in campaign.centers if c.name == answer.center)
    review.record(outputs, "user:test", review.Decision(slug, "accept", review.answer_digest(answer), archived="v001"))
    result = run("results-letters", "--inputs", str(four), "--outputs", str(outputs))
    assert result.returncode == 0, result.stderr
    folder = outputs / "letters/results"
    assert sorted(p.name for p in folder.glob("*.pdf")) == [
        "01-สมุทรปราการ-package.pdf",
        "01-สมุทรปราการ.pdf",
        "02-นนทบุรี-package.pdf",
        "02-นนทบุรี.pdf",
        "04-ปทุมธานี-package.pdf",
        "04-ปทุมธานี.pdf",
    ]
    with fitz.open(folder / "01-สมุทรปราการ.pdf") as doc:
        text, letter_pages = normalise("".join(p.get_text() for p in doc)), doc.page_count
    physical = sum(answer.physical.values())
    basic = "ครบตามเงื่อนไขพื้นฐาน" if all(answer.physical.values()) else "ยังไม่ครบตามเงื่อนไขพื้นฐาน"
    said = f"ศูนย์ดำรงธรรมอำเภอพระสมุทรเจดีย์ เกณฑ์ที่ ๑ ด้านกายภาพ มี {physical} จาก 13 ข้อ ({basic})"
    assert normalise(said.replace("13", "๑๓").translate(str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙"))) in text
    assert normalise("ศูนย์ดำรงธรรมอำเภอบางพลี ยังไม่ได้ส่งผลการประเมินตนเอง") in text
    with fitz.open(outputs / "archive" / slug / "v001/report.pdf") as report:
        report_pages = report.page_count
    with fitz.open(folder / "01-สมุทรปราการ-package.pdf") as package:
        assert package.page_count == letter_pages + report_pages  # the accepted report enclosed
    with fitz.open(folder / "02-นนทบุรี-package.pdf") as package, fitz.open(folder / "02-นนทบุรี.pdf") as letter:
        assert package.page_count == letter.page_count  # answered, not accepted: nothing enclosed
    entries = _entries(outputs)
    assert [e["addressee"] for e in entries if e["key"].startswith("results:")] == [
        "ที่ทำการปกครองจังหวัดสมุทรปราการ",
        "ที่ทำการปกครองจังหวัดนนทบุรี",
        "ที่ทำการปกครองจังหวัดปทุมธานี",
    ]
    _numbers_once(entries)


def test_a_wrong_field_in_the_letters_text_is_named(four):
    texts = four / "letters.yaml"
    text = texts.read_text(encoding="utf-8")
    texts.write_text(text.replace("{{ center.name }}", "{{ missing }}", 1), encoding="utf-8")  # follow_up's
    result = run("follow-up", "--inputs", str(four), "--outputs", str(four.parent / "outputs"))
    assert result.returncode == 2, result.stderr
    assert "inputs/letters.yaml: ช่อง follow_up.each_center: ช่องแทนค่าใช้ไม่ได้: 'missing' is undefined" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (four.parent / "outputs/register.json").exists()  # nothing entered for a letter not made


def test_a_subject_that_looks_like_a_formula_stays_text_in_the_workbook(four):
    texts = four / "letters.yaml"
    subject = '=HYPERLINK("http://example.com";"x")'
    texts.write_text(
        texts.read_text(encoding="utf-8").replace(
            "  subject: ติดตามผลการประเมินตนเองตามหลักเกณฑ์มาตรฐานศูนย์ราชการสะดวก (GECC)", f"  subject: '{subject}'"
        ),
        encoding="utf-8",
    )
    _follow_up(four)
    rows = _calc_rows(four.parent / "outputs/register.xlsx")
    assert [row[6] for row in rows[1:]] == [subject, subject]


def test_follow_up_letters_from_the_dashboard(tmp_path):
    """The dashboard's button runs the same core as `gecc follow-up` (three centers, two not in)."""
    config = web_config(tmp_path)
    app = create_app(config)
    with TestClient(app) as client:
        sign_in(client, app.state.site)
        dashboard = client.get("/department").text
        assert 'value="follow-up"' in dashboard and "หนังสือติดตามจังหวัดที่มีศูนย์ยังไม่ส่ง" in dashboard
        response = client.post(
            "/department/build", data={"csrf_token": csrf_of(dashboard), "command": "follow-up"}, follow_redirects=False
        )
        assert response.status_code == 303
        build_id = int(response.headers["location"].rsplit("/", 1)[1])
        deadline = time.monotonic() + 300
        while app.state.site.builds.get(build_id)["state"] in ("queued", "running") and time.monotonic() < deadline:
            time.sleep(0.5)
        row = app.state.site.builds.get(build_id)
        assert row["state"] == "done", row["failures"]
    outputs = config.settings.outputs
    assert sorted(p.name for p in (outputs / FOLLOW_UP).glob("*.pdf")) == ["01-สมุทรปราการ.pdf", "02-นนทบุรี.pdf"]
    assert [e["reference"] for e in _entries(outputs)] == ["มท ๐๓๐๗.๒/๑", "มท ๐๓๐๗.๒/๒"]
    logged = [json.loads(line) for line in (outputs / "audit.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [e["detail"]["reference"] for e in logged if e["action"] == "register"] == ["มท ๐๓๐๗.๒/๑", "มท ๐๓๐๗.๒/๒"]


def test_a_circular_without_a_number_gets_the_next_w_number_of_its_year(inputs, tmp_path):
    """circular.yaml's number ending in "/ว": the register gives it one, and every copy prints it."""
    from pipeline import outgoing
    from pipeline.documents import letters
    from pipeline.registry import drafting
    from pipeline.settings import Settings

    circular = inputs / "circular.yaml"
    circular.write_text(circular.read_text(encoding="utf-8").replace("/ว ๒๘๘๖๕", "/ว"), encoding="utf-8")
    settings = Settings(inputs, tmp_path / "outputs")
    campaign = outgoing.prepare(settings, load_campaign(inputs), drafting(["letters"]), take=True)
    numbers = {d.context["number"] for d in letters.documents(campaign)}
    assert numbers == {"มท ๐๓๐๗.๒/ว ๑"}
    (entry,) = register.entries(settings.outputs)
    assert (entry.series, entry.number, entry.year, entry.dated) == ("ว", 1, 2563, date(2020, 12, 28))
    again = outgoing.prepare(settings, load_campaign(inputs), drafting(["letters"]), take=True)
    assert {d.context["number"] for d in letters.documents(again)} == numbers  # made again: the same number
    assert len(register.entries(settings.outputs)) == 1
