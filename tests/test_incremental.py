"""Re-runs redo only what changed, decided from content hashes; and the benchmark's smoke run."""

import json
import os
import re
from pathlib import Path

import pytest
import yaml
from campaigns import run, small_inputs

from pipeline.uptodate import Ledger, fingerprint

REPORT = "reports/01-สมุทรปราการ-พระสมุทรเจดีย์"


def built(outputs: Path) -> dict[str, int]:
    """Every PDF and DOCX by name → inode: a rewritten file (always renamed into place) gets a new one."""
    return {
        str(p.relative_to(outputs)): p.stat().st_ino
        for p in outputs.rglob("*")
        if p.suffix in (".pdf", ".docx") and "archive" not in p.parts
    }


def rewritten(before: dict[str, int], after: dict[str, int]) -> set[str]:
    return {name for name, inode in after.items() if before.get(name) != inode}


@pytest.fixture(scope="module")
def campaign(tmp_path_factory):
    root = tmp_path_factory.mktemp("incremental")
    inputs, outputs = small_inputs(root), root / "outputs"
    first = run("build", "--inputs", str(inputs), "--outputs", str(outputs))
    assert first.returncode == 0, first.stderr
    assert "สร้างใหม่" in first.stderr
    return inputs, outputs


def build(inputs: Path, outputs: Path):
    result = run("build", "--inputs", str(inputs), "--outputs", str(outputs))
    assert result.returncode == 0, result.stderr
    return result


def test_nothing_changed_nothing_redone(campaign):
    inputs, outputs = campaign
    before = built(outputs)
    result = build(inputs, outputs)
    assert "ทุกรายการเป็นปัจจุบันแล้ว" in result.stderr
    assert "แปลงเป็น PDF" not in result.stderr and "ตรวจ PDF" not in result.stderr
    assert rewritten(before, built(outputs)) == set()
    assert "ผ่านการตรวจทั้งหมด" in result.stderr  # the earlier checks' results still stand


def test_a_partial_build_keeps_the_check_results_of_the_documents_it_did_not_touch(campaign):
    inputs, outputs = campaign

    def checked() -> set[str]:
        report = json.loads((outputs / "check.json").read_text(encoding="utf-8"))
        return {str(Path(f["pdf"]).relative_to(outputs)) for f in report["findings"]}

    everything = checked()
    assert {f"{REPORT}.pdf", "letters/01-สมุทรปราการ.pdf", "summary/summary.pdf"} <= everything
    result = run("letters", "--inputs", str(inputs), "--outputs", str(outputs))
    assert result.returncode == 0, result.stderr
    shown = int(re.search(r"PDF (\d+) ไฟล์ผ่านการตรวจทั้งหมด", result.stderr).group(1))
    assert shown < len({p for p in everything if p.endswith(".pdf")}) / 2  # the run checked its letters only …
    assert checked() == everything  # … and check.json still holds the forms', reports' and summary's results
    (outputs / "print" / "forms.pdf").rename(outputs / "forms.pdf.moved")  # a PDF gone: its result goes too
    try:
        run("letters", "--inputs", str(inputs), "--outputs", str(outputs))
        assert checked() == everything - {"print/forms.pdf"}
    finally:
        (outputs / "forms.pdf.moved").rename(outputs / "print" / "forms.pdf")
        build(inputs, outputs)


def test_one_changed_answer_redoes_its_report_the_summary_and_its_archive_entry(campaign):
    inputs, outputs = campaign
    before = built(outputs)
    answer = inputs / "answers" / f"{Path(REPORT).name}.yaml"
    data = yaml.safe_load(answer.read_text(encoding="utf-8"))
    data["physical"]["1"] = "ไม่มี" if data["physical"]["1"] == "มี" else "มี"
    answer.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = build(inputs, outputs)
    assert rewritten(before, built(outputs)) == {
        f"{REPORT}.docx",
        f"{REPORT}.pdf",
        "summary/summary.docx",
        "summary/summary.pdf",
    }
    assert "จัดเก็บ: รายงานใหม่ 1 ฉบับ, ไม่เปลี่ยนแปลง 1 ฉบับ" in result.stderr
    assert sorted(p.name for p in (outputs / "archive" / Path(REPORT).name).iterdir()) == ["v001", "v002"]


def test_changed_criteria_redo_everything_that_uses_them_and_nothing_else(campaign):
    inputs, outputs = campaign
    before = built(outputs)
    criteria = inputs / "criteria.yaml"
    text = criteria.read_text(encoding="utf-8")
    criteria.write_text(
        text.replace("มีการจัดให้มีแสงสว่างอย่างเพียงพอ", "มีการจัดให้มีแสงสว่างอย่างเพียงพอทุกจุด", 1), encoding="utf-8"
    )
    try:
        build(inputs, outputs)
        again = rewritten(before, built(outputs))
        assert not any(name.startswith("letters/") for name in again)  # letters do not print the criteria
        for name in (
            "forms/01-สมุทรปราการ-พระสมุทรเจดีย์.pdf",
            "enclosures/criteria.pdf",
            f"{REPORT}.pdf",
            "summary/summary.pdf",
            "print/forms.pdf",
        ):
            assert name in again
    finally:
        criteria.write_text(text, encoding="utf-8")
        build(inputs, outputs)  # back to the shipped criteria for the tests after this one


def test_a_damaged_output_is_rebuilt_though_its_inputs_did_not_change(campaign):
    inputs, outputs = campaign
    letter = next((outputs / "letters").glob("01-*.pdf"))
    letter.write_bytes(b"%PDF-1.7 cut short")
    before = built(outputs)
    build(inputs, outputs)
    again = rewritten(before, built(outputs))
    # Converted again from its DOCX, which was intact and is left alone (render and convert are two tasks).
    assert f"letters/{letter.name}" in again and f"letters/{letter.stem}.docx" not in again
    assert not any(name.startswith(("forms/", "reports/")) for name in again)
    (outputs / f"letters/{letter.stem}.docx").unlink()
    before = built(outputs)
    build(inputs, outputs)
    assert f"letters/{letter.stem}.docx" in rewritten(before, built(outputs))  # a missing DOCX is made again


def test_ledger_trusts_content_not_times(tmp_path):
    out = tmp_path / "outputs"
    out.mkdir()
    pdf = out / "a.pdf"
    pdf.write_bytes(b"one")
    ledger = Ledger(out)
    key = fingerprint("template bytes", {"center": "ก"}, tmp_path / "missing.yaml")
    ledger.record("a", key, [pdf])
    ledger.save()
    again = Ledger(out)
    os.utime(pdf, (0, 0))  # an old time on the same bytes: still current
    assert again.current("a", key, [pdf])
    assert not again.current("a", fingerprint("template bytes", {"center": "ข"}, tmp_path / "missing.yaml"), [pdf])
    pdf.write_bytes(b"two")
    assert not again.current("a", key, [pdf])


def test_bench_smoke_run_writes_its_table(tmp_path):
    result = run("bench", "--centers", "1", "--no-web", "--outputs", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "| run " in result.stderr and "one soffice per file" in result.stderr
    report = json.loads((tmp_path / "bench.json").read_text(encoding="utf-8"))
    labels = [r["label"] for r in report["runs"]]
    assert labels == ["cold", "warm, nothing changed", "one answer changed"]
    cold, warm, changed = report["runs"]
    assert cold["documents"] > 0 and cold["pages"] >= cold["documents"] and cold["peak_mb"] > 0
    assert warm["rebuilt"] == [] and warm["checked"] == 0
    assert sorted(changed["rebuilt"]) == [REPORT, "summary/results", "summary/summary"]  # results: csv + xlsx
    assert report["conversion_speedup"] > 0
