"""A genuine fillable form (our own, made by `gecc forms`) filled by another PDF program, pdftk, with hostile
values in its fields and its identity: every problem is a short Thai message naming the uploaded file."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import fitz
import pytest
from campaigns import copy_shipped

from pipeline.fillable import field_names
from pipeline.ingest import ingest
from pipeline.load import load_campaign

PROJECT = Path(__file__).resolve().parents[2]
HOSTILE = ['=HYPERLINK("http://evil.example/","คลิก")', "<script>alert(1)</script>", "ก" * 20_000, "Off\n", "/Yes"]


@pytest.fixture(scope="module")
def made(tmp_path_factory) -> dict:
    if shutil.which("pdftk") is None:
        pytest.fail("pdftk is missing: tools/install-system.sh installs pdftk-java")
    root = tmp_path_factory.mktemp("hostile-pdf")
    inputs = copy_shipped(root / "inputs")
    lines = (inputs / "centers.csv").read_text(encoding="utf-8").splitlines()
    (inputs / "centers.csv").write_text("\n".join(lines[:2]) + "\n", encoding="utf-8")
    for answer in (inputs / "answers").iterdir():
        if answer.suffix in {".yaml", ".csv"}:
            answer.unlink()
    outputs = root / "outputs"
    subprocess.run(
        [sys.executable, "-m", "pipeline", "forms", "--inputs", str(inputs), "--outputs", str(outputs)],
        cwd=PROJECT,
        capture_output=True,
        timeout=900,
    )
    [fillable] = (outputs / "forms").glob("*-fillable.pdf")
    return {"inputs": inputs, "fillable": fillable, "campaign": load_campaign(inputs)}


def pdftk_fill(source: Path, target: Path, values: dict[str, str]) -> Path:
    """``source`` with its fields set by pdftk from an XFDF (how another program fills a form)."""
    fields = "".join(f'<field name="{n}"><value>{_xml(v)}</value></field>' for n, v in values.items())
    xfdf = target.with_suffix(".xfdf")
    xfdf.write_text(
        '<?xml version="1.0" encoding="UTF-8"?><xfdf xmlns="http://ns.adobe.com/xfdf/"><fields>'
        + fields
        + "</fields></xfdf>",
        encoding="utf-8",
    )
    done = subprocess.run(["pdftk", str(source), "fill_form", str(xfdf), "output", str(target)], capture_output=True)
    assert done.returncode == 0, done.stderr
    return target


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def with_identity(source: Path, target: Path, change: dict[str, object]) -> Path:
    doc = fitz.open(source)
    data = json.loads(doc.metadata["keywords"]) | change
    doc.set_metadata({**doc.metadata, "keywords": json.dumps(data, ensure_ascii=False)})
    doc.save(target)
    doc.close()
    return target


def test_hostile_values_in_the_fields_of_a_genuine_form(made, tmp_path):
    campaign = made["campaign"]
    names = field_names(campaign.criteria)
    # every box "ticked" with a hostile value: both มี and ไม่มี of every item, so nothing is written
    filled = pdftk_fill(
        made["fillable"], tmp_path / "filled.pdf", {n: HOSTILE[i % len(HOSTILE)] for i, n in enumerate(names)}
    )
    written, problems = ingest([filled], made["inputs"], campaign, names=["แบบของศูนย์.pdf"])
    assert written == [] and problems
    for problem in problems:
        assert problem.file == "แบบของศูนย์.pdf"
        assert len(str(problem)) < 400
        assert not any(h in str(problem) for h in HOSTILE[:3])


def test_a_form_ticked_by_pdftk_is_read(made, tmp_path):
    campaign = made["campaign"]
    on = {f"p:{i.id}" for i in campaign.criteria.physical} | {f"q:{i.id}" for i in campaign.criteria.quality[:3]}
    filled = pdftk_fill(made["fillable"], tmp_path / "filled.pdf", dict.fromkeys(on, "Yes"))
    inputs = tmp_path / "inputs"
    shutil.copytree(made["inputs"], inputs)
    written, problems = ingest([filled], inputs, campaign, names=["ส่งมา.pdf"])
    assert problems == [] and len(written) == 1


@pytest.mark.parametrize("value", [*HOSTILE, ["รายการ"] * 5000, {"ชุด": 1}, None, 12])
def test_a_hostile_identity_is_a_short_message_naming_the_upload(made, tmp_path, value):
    forged = with_identity(made["fillable"], tmp_path / "forged.pdf", {"center": value, "province": value})
    written, problems = ingest([forged], made["inputs"], made["campaign"], names=["ปลอม.pdf"])
    assert written == []
    [problem] = problems
    assert problem.file == "ปลอม.pdf" and len(str(problem)) < 400
