"""The core API as a request handler uses it: a dict in, an answer file and one checked, archived report out."""

from __future__ import annotations

import threading
from pathlib import Path

import fitz
import pytest
from campaigns import small_inputs

from pipeline import service
from pipeline.check import normalise
from pipeline.load import load_campaign
from pipeline.model import Answer
from pipeline.settings import Settings

CENTER = ("นนทบุรี", "ศูนย์ดำรงธรรมอำเภอบางบัวทอง")


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    inputs = small_inputs(tmp_path)
    (inputs / "answers" / "02-นนทบุรี-บางบัวทอง.yaml").unlink()
    return Settings(inputs, tmp_path / "outputs", profiles=tmp_path / "profiles")


def form(campaign, **changes) -> dict:
    data = {
        "province": CENTER[0],
        "center": CENTER[1],
        "assessed_on": "๑๕ กุมภาพันธ์ ๒๕๖๔",
        "assessor": {"name": "นางสาว<script>alert(1)</script> ใจดี", "position": "ปลัดอำเภอ"},
        "physical": {i.id: "มี" for i in campaign.criteria.physical},
        "quality": {i.id: i.id != "1.2" for i in campaign.criteria.quality},
        "notes": {"2": "ไม่มีรถโดยสาร & เรือ"},
    }
    data.update(changes)
    return data


def test_every_problem_names_its_field(settings):
    campaign = service.load(settings)
    data = form(campaign, assessed_on="๓๑ กุมภาพันธ์ ๒๕๖๔", assessor={"name": "", "position": "ปลัด"})
    data["physical"] = {**data["physical"], "3": None, "7": "บางที"}
    problems = service.validate_answer(data, campaign)
    assert isinstance(problems, list)
    by_field = {p.field: p.message for p in problems}
    assert set(by_field) == {"assessed_on", "assessor.name", "physical.3", "physical.7"}
    assert by_field["physical.3"] == "ยังไม่ได้ตอบข้อ 3 (ใส่ มี หรือ ไม่มี)"
    assert by_field["physical.7"] == "คำตอบ “บางที” ใช้ไม่ได้ (ใช้ได้: มี, ไม่มี, ✓, ✗, 1, 0, TRUE, FALSE)"
    assert by_field["assessor.name"] == "ยังไม่ได้กรอก"
    assert "ไม่ถูกต้องหรือไม่มีอยู่จริง" in by_field["assessed_on"]
    assert not (settings.inputs / "answers" / "02-นนทบุรี-บางบัวทอง.yaml").exists()


def test_a_center_not_on_the_list_is_refused(settings):
    campaign = service.load(settings)
    problems = service.validate_answer(form(campaign, center="ศูนย์ดำรงธรรมอำเภอบางใหญ่"), campaign)
    assert isinstance(problems, list) and [p.field for p in problems] == ["center"]


def test_the_saved_answer_is_what_the_command_line_reads(settings):
    campaign = service.load(settings)
    answer = service.validate_answer(form(campaign), campaign)
    assert isinstance(answer, Answer)
    path = service.save_answer(settings, campaign, answer)
    assert path == settings.inputs / "answers" / "02-นนทบุรี-บางบัวทอง.yaml"
    (reread,) = [a for a in load_campaign(settings.inputs).answers if (a.province, a.center) == CENTER]
    assert (reread.physical, reread.quality, reread.notes) == (answer.physical, answer.quality, answer.notes)
    assert (reread.assessor_name, reread.assessed_on) == ("นางสาว<script>alert(1)</script> ใจดี", answer.assessed_on)
    # A revision replaces the file; the earlier one is kept, hidden from the loader.
    second = service.validate_answer(form(campaign, assessor={"name": "นายสมชาย", "position": "ปลัดอำเภอ"}), campaign)
    service.save_answer(settings, campaign, second)
    kept = list((settings.inputs / "answers" / service.HISTORY / "02-นนทบุรี-บางบัวทอง").glob("*.yaml"))
    assert len(kept) == 1 and "alert(1)" in kept[0].read_text(encoding="utf-8")
    assert "นายสมชาย" in path.read_text(encoding="utf-8")
    assert not load_campaign(settings.inputs).rejected


def test_an_answer_already_in_another_file_is_not_doubled(settings):
    campaign = service.load(settings)
    answer = service.validate_answer(
        form(campaign, province="สมุทรปราการ", center="ศูนย์ดำรงธรรมอำเภอพระสมุทรเจดีย์"), campaign
    )
    assert isinstance(answer, Answer)  # its own file (named by its slug) is the one replaced
    other = settings.inputs / "answers" / "extra.yaml"
    other.write_text(
        (settings.inputs / "answers" / "01-สมุทรปราการ-พระสมุทรเจดีย์.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    problems = service.validate_answer(
        form(campaign, province="สมุทรปราการ", center="ศูนย์ดำรงธรรมอำเภอพระสมุทรเจดีย์"), campaign
    )
    assert [p.field for p in problems] == ["center"] and "extra.yaml" in problems[0].message


def test_one_report_is_built_checked_and_archived_in_three_calls(settings):
    campaign = service.load(settings)
    answer = service.validate_answer(form(campaign), campaign)
    service.save_answer(settings, campaign, answer)
    built = service.build_report(settings, campaign, answer)
    assert built.ok, built.problems
    assert built.archived_version == "v001"
    assert {f.rule for f in built.findings} >= {"ticks", "expected_text", "fonts_embedded"}
    with fitz.open(built.pdf) as doc:
        text = normalise("".join(page.get_text() for page in doc))
    assert normalise("นางสาว<script>alert(๑)</script> ใจดี") in text
    archived = settings.outputs / "archive" / "02-นนทบุรี-บางบัวทอง" / "v001"
    assert (archived / "report.pdf").read_bytes() == built.pdf.read_bytes()
    assert (archived / "answer.yaml").read_bytes() == answer.source.read_bytes()
    assert not (settings.outputs / ".lock").exists()  # the campaign's lock was never taken


def test_concurrent_revisions_of_one_center_keep_every_version(settings):
    campaign = service.load(settings)
    answers = [
        service.validate_answer(form(campaign, assessor={"name": name, "position": "ปลัด"}), campaign)
        for name in ("นายหนึ่ง", "นายสอง")
    ]
    results: list = []

    def submit(answer):
        service.save_answer(settings, campaign, answer)
        results.append(service.build_report(settings, campaign, answer))

    threads = [threading.Thread(target=submit, args=(a,)) for a in answers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(r.ok for r in results), [r.problems for r in results]
    assert sorted(r.archived_version for r in results) == ["v001", "v002"]


def test_reports_waiting_together_are_one_plan_and_the_next_build_keeps_them(settings):
    """build_reports makes several centers' reports in one plan (one LibreOffice pass) and records them in
    the build ledger: the command line's next build converts none of them again."""
    campaign = service.load(settings)
    (settings.inputs / "answers" / "01-สมุทรปราการ-พระสมุทรเจดีย์.yaml").unlink()
    mine = service.validate_answer(form(campaign), campaign)
    other = service.validate_answer(
        form(campaign, province="สมุทรปราการ", center="ศูนย์ดำรงธรรมอำเภอพระสมุทรเจดีย์"), campaign
    )
    for answer in (mine, other):
        service.save_answer(settings, campaign, answer)
    built = service.build_reports(settings, campaign, [mine, other])
    assert [b.ok for b in built] == [True, True], [b.problems for b in built]
    assert [b.pdf.name for b in built] == ["02-นนทบุรี-บางบัวทอง.pdf", "01-สมุทรปราการ-พระสมุทรเจดีย์.pdf"]
    assert [b.archived_version for b in built] == ["v001", "v001"]
    result = service.build(settings, "reports")
    assert result.status == 0, result.failures
    assert not any(name.startswith("reports/") for name in result.outcome.rebuilt), result.outcome.rebuilt
    again = service.build_report(settings, campaign, mine)  # nothing changed: nothing made, same version
    assert again.ok and again.archived_version == "v001"


def test_results_are_refreshed_by_one_call_and_say_when_they_are_older(settings):
    """What the dashboard offers when results.csv is older than the answers: one call, nothing else made."""
    campaign = service.load(settings)
    assert service.results_state(settings, campaign) == service.ResultsState(None, False)
    first = service.refresh_results(settings)
    assert first.status == 0, first.failures
    table = settings.outputs / "summary" / "results.csv"
    assert table.is_file() and (settings.outputs / "summary" / "summary.pdf").is_file()
    assert not (settings.outputs / "reports").exists() and not (settings.outputs / "letters").exists()
    state = service.results_state(settings, service.load(settings))
    assert state.current and state.made_at == table.stat().st_mtime
    assert CENTER[1] not in table.read_text(encoding="utf-8-sig")

    campaign = service.load(settings)
    service.save_answer(settings, campaign, service.validate_answer(form(campaign), campaign))
    assert not service.results_state(settings, service.load(settings)).current  # a new answer: older now
    again = service.refresh_results(settings)
    assert again.status == 0, again.failures
    assert CENTER[1] in table.read_text(encoding="utf-8-sig")
    assert service.results_state(settings, service.load(settings)).current
    checked = {f.pdf.name for f in again.findings}
    assert checked == {"summary.pdf", "results.csv"}, checked
