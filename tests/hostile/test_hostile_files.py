"""Each file fails on its own: a broken, hostile or oversized input is one problem in Thai naming that file,
and every other center's answer is still read. Each load runs in a child process with a time bound."""

from __future__ import annotations

import csv
import os
import time
from pathlib import Path

import pytest
from campaigns import run, small_inputs
from corpus import ALIASES, bomb, far_cell, laughs, load_in_child, merged_sheet, workbook

from pipeline.load import load_campaign
from pipeline.load.answers import csv_columns

SHIPPED = 7  # the shipped example answers, all good


def good_rows(inputs: Path) -> list[list[object]]:
    """A workbook's rows answering for a center that has no answer yet (a copy of examples.csv's first row)."""
    campaign = load_campaign(inputs)
    answered = {a.center for a in campaign.answers}
    free = next(c for c in campaign.centers if c.name not in answered)
    with open(inputs / "answers" / "examples.csv", encoding="utf-8-sig") as file:
        header, first, *_ = list(csv.reader(file))
    values = dict(zip(header, first, strict=True)) | {"province": free.province, "center": free.name}
    columns = csv_columns(campaign.criteria)
    return [columns, [values[c] for c in columns]]


def only_problem(result: dict, name: str) -> str:
    mine = [p for p in result["problems"] if p.startswith(f"inputs/answers/{name}:")]
    assert len(mine) == 1, result["problems"]
    return mine[0]


@pytest.mark.parametrize(
    ("name", "make", "said"),
    [
        ("ตัดครึ่ง.xlsx", lambda good: good[: len(good) // 2], "เปิดไฟล์ Excel ไม่ได้"),
        ("laughs.xlsx", laughs, "DTD"),
        ("bomb.xlsx", bomb, "ใหญ่เกินไป"),
        ("merged.xlsx", merged_sheet, "ผสานเซลล์"),
        ("far-cell.xlsx", far_cell, "ไม่มีหัวตาราง"),
    ],
)
def test_a_hostile_workbook_is_one_problem_naming_it(inputs, name, make, said):
    rows = good_rows(inputs)
    (inputs / "answers" / "good.xlsx").write_bytes(workbook(rows))
    (inputs / "answers" / name).write_bytes(make(workbook(rows[:1] + [[rows[1][0], "ศูนย์อื่น"] + rows[1][2:]])))
    started = time.monotonic()
    result = load_in_child(inputs)
    assert time.monotonic() - started < 60
    assert said in only_problem(result, name)
    assert len(result["answers"]) == SHIPPED + 1  # every good answer, the good workbook's too
    assert len(result["problems"]) == 1


def test_yaml_aliases_are_refused_with_the_line(inputs):
    (inputs / "answers" / "aliases.yaml").write_text(ALIASES + "\n", encoding="utf-8")
    (inputs / "answers" / "deep.yaml").write_text("a: " + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")
    result = load_in_child(inputs, timeout=30)
    assert "alias" in only_problem(result, "aliases.yaml") and "บรรทัดที่ 2" in only_problem(result, "aliases.yaml")
    assert "ลึกเกินไป" in only_problem(result, "deep.yaml")
    assert len(result["answers"]) == SHIPPED


def test_circular_yaml_aliases_are_refused_with_the_line(inputs):
    circular = inputs / "circular.yaml"
    circular.write_text(circular.read_text(encoding="utf-8") + "\n" + ALIASES + "\n", encoding="utf-8")
    result = load_in_child(inputs, timeout=30)
    (error,) = [e for e in result["error"] if e.startswith("inputs/circular.yaml")]
    assert "alias" in error and "บรรทัดที่" in error


def test_csv_a_field_past_the_limit_names_row_and_column(inputs):
    rows = good_rows(inputs)
    rows[1][3] = "ก" * 200_000  # assessor_name: past the csv module's own 131 072
    with open(inputs / "answers" / "long.csv", "w", encoding="utf-8", newline="") as file:
        csv.writer(file).writerows(rows)
    (inputs / "answers" / "nul.csv").write_bytes(b"province,center\n\x00,x\n")
    result = load_in_child(inputs, timeout=30)
    long = only_problem(result, "long.csv")
    assert "แถวที่ 2, ช่อง assessor_name:" in long and "ยาวเกินไป" in long
    assert "nul.csv" in only_problem(result, "nul.csv")
    assert len(result["answers"]) == SHIPPED


def test_a_symlink_in_answers_is_named_and_never_followed(inputs, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("รหัสผ่านลับ: hunter2\n", encoding="utf-8")
    os.symlink(secret, inputs / "answers" / "link.yaml")
    os.symlink("/etc/passwd", inputs / "answers" / "passwd.csv")
    result = load_in_child(inputs, timeout=30)
    for name in ("link.yaml", "passwd.csv"):
        assert "ลิงก์" in only_problem(result, name)
    everything = "\n".join(result["problems"])
    assert "hunter2" not in everything and "root" not in everything
    assert len(result["answers"]) == SHIPPED


def test_centers_xlsx_bomb_and_long_csv_field_are_input_errors(inputs):
    rows = good_rows(inputs)
    (inputs / "centers.csv").rename(inputs / "centers.old")
    (inputs / "centers.xlsx").write_bytes(bomb(workbook([["order", "province", "center", "note"], rows[1][:4]])))
    result = load_in_child(inputs, timeout=60)
    assert [e for e in result["error"] if e.startswith("inputs/centers.xlsx") and "ใหญ่เกินไป" in e]
    (inputs / "centers.xlsx").unlink()
    text = (inputs / "centers.old").read_text(encoding="utf-8").splitlines()
    text[2] = text[2] + "x" * (10 << 20)  # a 10 MB line: its note
    (inputs / "centers.csv").write_text("\n".join(text) + "\n", encoding="utf-8")
    result = load_in_child(inputs, timeout=60)
    (error,) = result["error"]
    assert error.startswith("inputs/centers.csv: แถวที่ 3, ช่อง note:") and "ยาวเกินไป" in error


def test_a_workbook_is_read_within_a_time_bound(inputs):
    """GECC_READ_TIMEOUT bounds the parse (60 s by default); at 0 s even a good workbook is refused, named."""
    (inputs / "answers" / "good.xlsx").write_bytes(workbook(good_rows(inputs)))
    result = load_in_child(inputs, timeout=60, env={"GECC_READ_TIMEOUT": "0"})
    assert "อ่านนานเกิน" in only_problem(result, "good.xlsx")
    assert len(result["answers"]) == SHIPPED


def test_the_command_line_names_every_hostile_file_and_archives_every_good_answer(tmp_path):
    inputs, outputs = small_inputs(tmp_path), tmp_path / "outputs"
    answers = inputs / "answers"
    good = workbook([["province", "center"], ["นนทบุรี", "x"]])
    (answers / "ตัด.xlsx").write_bytes(good[: len(good) // 2])
    (answers / "laughs.xlsx").write_bytes(laughs(good))
    (answers / "bomb.xlsx").write_bytes(bomb(good))
    (answers / "aliases.yaml").write_text(ALIASES + "\n", encoding="utf-8")
    os.symlink("/etc/passwd", answers / "passwd.csv")
    done = run("reports", "--inputs", str(inputs), "--outputs", str(outputs), timeout=600)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    for name in ("ตัด.xlsx", "laughs.xlsx", "bomb.xlsx", "aliases.yaml", "passwd.csv"):
        assert f"inputs/answers/{name}:" in done.stderr
    assert "root:" not in done.stderr
    archived = sorted(p.name for p in (outputs / "archive").iterdir())
    assert archived == ["01-สมุทรปราการ-พระสมุทรเจดีย์", "02-นนทบุรี-บางบัวทอง"]  # both good answers
