from datetime import date, datetime

import pytest

from pipeline.thai import (
    arabic_digit_runs_in_thai,
    parse_date,
    thai_date,
    thai_digits,
    thai_list,
    thai_percent,
    thai_text,
)


def test_be_date_uses_babel_month_names_and_thai_digits():
    assert thai_date(date(2020, 1, 20)) == "๒๐ มกราคม ๒๕๖๓"
    assert thai_date(date(2021, 12, 5)) == "๕ ธันวาคม ๒๕๖๔"


def test_thai_text_keeps_arabic_digits_only_inside_latin_phrases():
    source = "พ.ศ. 2564 (10 Flagships to DOPA New Normal 2021) ภายใน 24 ชั่วโมง ไม่เกิน 5%"
    assert thai_text(source) == "พ.ศ. ๒๕๖๔ (10 Flagships to DOPA New Normal 2021) ภายใน ๒๔ ชั่วโมง ไม่เกิน ๕%"
    assert arabic_digit_runs_in_thai(thai_text(source)) == []
    assert arabic_digit_runs_in_thai("ภายใน 24 ชั่วโมง") == ["24"]


def test_digits_and_lists():
    assert thai_digits(1234) == "๑๒๓๔"
    assert thai_list(["ก"]) == "ก"
    assert thai_list(["ก", "ข", "ค"]) == "ก ข และ ค"
    assert thai_percent(6, 13) == "ร้อยละ ๔๖.๑๕"


@pytest.mark.parametrize(
    "text",
    [
        "2021-02-15",
        "๑๕ กุมภาพันธ์ ๒๕๖๔",
        "15 กุมภาพันธ์ 2564",
        "๑๕ กุมภาพันธ์ พ.ศ. ๒๕๖๔",
        "15/2/2564",
        "15/02/2021",
        "๑๕/๒/๒๕๖๔",
        "15-2-2564",
        "15.2.2564",
        "๑๕ ก.พ. ๒๕๖๔",
        "๑๕ ก.พ. ๖๔",
        "15 ก.พ.64",
        "15 ก. พ. 2564",
        "๑๕ กพ ๖๔",
        "๑๕ กุมภา ๒๕๖๔",
        "\u00a015/2/2564 ",
        "44242",
        44242,
        44242.0,
        date(2021, 2, 15),
        datetime(2021, 2, 15, 9, 30),
        "15/2/2564 0:00",
        "2021-02-15 00:00:00",
        "2021-02-15T09:30",
    ],
)
def test_parse_date_accepts_iso_and_thai(text):
    assert parse_date(text) == date(2021, 2, 15)


@pytest.mark.parametrize(
    "text",
    [
        "๓๑ กุมภาพันธ์ ๒๕๖๔",
        "2021-02-30",
        "๑๕ กุมพา ๒๕๖๔",
        "เมื่อวาน",
        "29/2/2564",
        "15/2/64",
        "2/15/2021",
        "12345",
        "๓๑ ก.พ. ๖๔",
    ],
)
def test_parse_date_refuses_what_does_not_exist(text):
    with pytest.raises(ValueError, match="ไม่ถูกต้อง|ไม่รู้จัก|๔ หลัก"):
        parse_date(text)
