"""Typed text: one rule renders it and the check applies the same rule, so a note can never fail a report."""

from __future__ import annotations

from pathlib import Path

import fitz
import pytest
from campaigns import small_inputs

from pipeline import service
from pipeline.check import normalise
from pipeline.model import Answer
from pipeline.settings import Settings
from pipeline.thai import arabic_digit_runs_in_thai, thai_text

CENTER = ("นนทบุรี", "ศูนย์ดำรงธรรมอำเภอบางบัวทอง")


@pytest.mark.parametrize(
    ("typed", "printed"),
    [
        ("24/7 Call Center", "24/7 Call Center"),
        ("5G และ Wi-Fi ฟรี", "5G และ Wi-Fi ฟรี"),
        ("เปิดบริการ 24/7 Call Center", "เปิดบริการ 24/7 Call Center"),
        ("เปิดบริการ 24/7 ทุกวัน", "เปิดบริการ ๒๔/๗ ทุกวัน"),
        ("โทร. 0 2356 9556", "โทร. ๐ ๒๓๕๖ ๙๕๕๖"),
        ("ตามเกณฑ์ (GECC 2564) ปี 2564", "ตามเกณฑ์ (GECC 2564) ปี ๒๕๖๔"),
        ("COVID-19 ระลอก 3", "COVID-19 ระลอก ๓"),
    ],
)
def test_the_rule(typed, printed):
    assert thai_text(typed) == printed
    assert arabic_digit_runs_in_thai(printed) == []  # the check finds nothing in what the renderer made
    # Whatever Thai text stands around it (a label, a table cell), the rule says the same.
    assert arabic_digit_runs_in_thai(f"หมายเหตุ: {printed} ครับ") == []
    assert arabic_digit_runs_in_thai(f"หมายเหตุ:\n{printed}\n") == []


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    inputs = small_inputs(tmp_path)
    (inputs / "answers" / "02-นนทบุรี-บางบัวทอง.yaml").unlink()
    return Settings(inputs, tmp_path / "outputs", profiles=tmp_path / "profiles")


def test_notes_as_clerks_write_them_pass_the_report_check(settings):
    campaign = service.load(settings)
    physical = [i.id for i in campaign.criteria.physical]
    notes = {
        "1": "24/7 Call Center",
        "2": "5G และ Wi-Fi ฟรี",
        "3": "เปิดบริการ 24/7 ทุกวัน",
    }
    # "24/7 Call Center" after more and more text: somewhere a cell wraps between "24/7" and "Call".
    for n, item in enumerate(physical[3:] + [i.id for i in campaign.criteria.quality], start=1):
        notes[item] = "ให้บริการ " * (n // 3) + "ดี" * n + " 24/7 Call Center"
    data = {
        "province": CENTER[0],
        "center": CENTER[1],
        "assessed_on": "๑๕ กุมภาพันธ์ ๒๕๖๔",
        "assessor": {"name": "Mr. John Smith 3rd", "position": "นักวิชาการ ระดับ 5 (Wi-Fi 6 admin)"},
        "physical": {i: "มี" for i in physical},
        "quality": {i.id: True for i in campaign.criteria.quality},
        "notes": notes,
    }
    answer = service.validate_answer(data, campaign)
    assert isinstance(answer, Answer), answer
    service.save_answer(settings, campaign, answer)
    built = service.build_report(settings, campaign, answer)
    assert built.ok, built.problems
    with fitz.open(built.pdf) as doc:
        pages = [page.get_text() for page in doc]
    text = normalise("".join(pages))
    for typed in ("24/7CallCenter", "5GและWi-Fiฟรี", "เปิดบริการ๒๔/๗ทุกวัน", "ระดับ๕(Wi-Fi6admin)"):
        assert normalise(typed) in text
    wrapped = [line for page in pages for line in page.splitlines() if line.rstrip().endswith("24/7")]
    assert wrapped, "precondition: some note wraps between 24/7 and Call Center"
