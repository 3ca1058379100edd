"""Bad input gets a clear error, and nothing is lost: one case per problem under tests/data/bad/.

Each case folder holds ``case.yaml`` (the command, the exit status, and how the
shipped inputs are changed: ``edits`` of text, ``append``, an ``inputs/``
folder of files laid over them, or a ``generate``d binary or large file) and
``expected.txt``: lines that must each appear in the error output, exactly.

For input errors the command is run for real (``python -m pipeline``) on a
copy of inputs/ whose outputs folder already holds a sentinel file: the exit
status must be the case's, every expected line must be printed, the sentinel
must be byte-identical and no other file may appear. Answer-file cases are
loaded in-process (an answer file only rejects its own center; the command
that would show it is ``reports``, which renders every other center), template
cases render a template made in tmp. The one case that must render
(render-names) shares a single letters + forms run on a 2-center campaign.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import fitz
import pytest
import yaml
from campaigns import copy_shipped
from docx import Document as Docx

from pipeline.check import normalise
from pipeline.documents import Document
from pipeline.load import load_campaign
from pipeline.render import TemplateProblem, render

PROJECT = Path(__file__).resolve().parents[1]
CASES = PROJECT / "tests" / "data" / "bad"
SENTINEL = b"%PDF-1.7\n% an earlier good output: must survive a failed run untouched\n"
PDF_NAME = "form.pdf"


def case_names(*commands: str) -> list[str]:
    return sorted(
        p.name for p in CASES.iterdir() if (p / "case.yaml").is_file() and spec_of(p.name)["command"] in commands
    )


def spec_of(name: str) -> dict:
    return yaml.safe_load((CASES / name / "case.yaml").read_text(encoding="utf-8"))


def expected_of(name: str) -> list[str]:
    lines = (CASES / name / "expected.txt").read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line.strip()]


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(PROJECT)}
    return subprocess.run(
        [sys.executable, "-m", "pipeline", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600
    )


def prepare(name: str, root: Path) -> Path:
    """inputs/ copied to ``root`` with the case laid over it; the inputs folder."""
    spec = spec_of(name)
    inputs = root / "inputs"
    copy_shipped(inputs)
    overlay = CASES / name / "inputs"
    if overlay.is_dir():
        shutil.copytree(overlay, inputs, dirs_exist_ok=True)
    for edit in spec.get("edits", []):
        path = inputs / edit["file"]
        text = path.read_text(encoding="utf-8")
        assert edit["old"] in text, (name, edit["old"])
        path.write_text(text.replace(edit["old"], edit["new"], 1), encoding="utf-8")
    if "append" in spec:
        with open(inputs / spec["append"]["file"], "a", encoding="utf-8") as out:
            out.write(spec["append"]["text"])
    if "generate" in spec:
        GENERATORS[spec["generate"]](inputs, root)
    return inputs


# --- generated files: binary, or too big to keep in the repository ------------------


def _undecodable(inputs: Path, root: Path) -> None:
    csv = inputs / "centers.csv"
    csv.write_bytes(csv.read_bytes().replace("นนทบุรี".encode(), b"\xfc\xfd\xfe\xff", 1))


def _huge(inputs: Path, root: Path) -> None:
    with open(inputs / "centers.csv", "r+b") as out:  # sparse: instant, takes no disk
        out.truncate(21 * 1024 * 1024)


def _docx_as_pdf(inputs: Path, root: Path) -> None:
    Docx().save(root / PDF_NAME)


def _sample_pdf() -> fitz.Document:
    doc = fitz.open()
    page = doc.new_page()
    page.insert_text((72, 72), "แบบประเมินตนเอง " * 20)
    widget = fitz.Widget()
    widget.field_type, widget.field_name, widget.rect = (
        fitz.PDF_WIDGET_TYPE_CHECKBOX,
        "p:1",
        fitz.Rect(72, 100, 90, 118),
    )
    page.add_widget(widget)
    return doc


def _truncated_pdf(inputs: Path, root: Path) -> None:
    with _sample_pdf() as doc:
        data = doc.tobytes()
    (root / PDF_NAME).write_bytes(data[: len(data) // 2])


def _encrypted_pdf(inputs: Path, root: Path) -> None:
    with _sample_pdf() as doc:
        doc.save(root / PDF_NAME, encryption=fitz.PDF_ENCRYPT_AES_256, owner_pw="owner", user_pw="user")


def _zip_bomb(inputs: Path, root: Path) -> None:
    chunk = bytes(1 << 20)
    with (
        zipfile.ZipFile(root / PDF_NAME, "w", zipfile.ZIP_DEFLATED) as archive,
        archive.open("form.pdf", "w", force_zip64=True) as member,
    ):
        for _ in range(256):
            member.write(chunk)
    assert (root / PDF_NAME).stat().st_size < 2 * 1024 * 1024


GENERATORS = {
    "undecodable": _undecodable,
    "huge": _huge,
    "docx-as-pdf": _docx_as_pdf,
    "truncated-pdf": _truncated_pdf,
    "encrypted-pdf": _encrypted_pdf,
    "zip-bomb": _zip_bomb,
}


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# --- the cases ------------------------------------------------------------------------


def test_every_case_folder_is_complete():
    names = [p.name for p in CASES.iterdir() if p.is_dir()]
    assert len(names) >= 20
    for name in names:
        assert (CASES / name / "case.yaml").is_file() and expected_of(name), name


@pytest.mark.parametrize("name", case_names("letters"))
def test_bad_inputs_stop_with_a_clear_error_and_touch_nothing(name, tmp_path):
    spec = spec_of(name)
    inputs = prepare(name, tmp_path)
    outputs = tmp_path / "outputs"
    (outputs / "letters").mkdir(parents=True)
    (outputs / "letters" / "keep.pdf").write_bytes(SENTINEL)
    before = tree(outputs)
    result = run(spec["command"], "--inputs", str(inputs), "--outputs", str(outputs), cwd=tmp_path)
    assert result.returncode == spec["exit"] == 2, result.stderr
    for line in expected_of(name):
        assert f"  - {line}\n" in result.stderr, f"{name}: expected\n  {line}\nin\n{result.stderr}"
    assert tree(outputs) == before  # sentinel byte-identical, nothing new


@pytest.mark.parametrize("name", case_names("ingest"))
def test_bad_pdfs_are_refused_and_no_answer_file_is_written(name, tmp_path):
    spec = spec_of(name)
    inputs = prepare(name, tmp_path)
    before = tree(inputs)
    result = run("ingest", PDF_NAME, "--inputs", str(inputs), cwd=tmp_path)
    assert result.returncode == spec["exit"] == 1, result.stderr
    for line in expected_of(name):
        assert f"  - {line}\n" in result.stderr, f"{name}: expected\n  {line}\nin\n{result.stderr}"
    assert tree(inputs) == before
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("name", case_names("answers"))
def test_a_bad_answer_file_rejects_its_center_only(name, tmp_path):
    inputs = prepare(name, tmp_path)
    campaign = load_campaign(inputs)
    rejected = [str(p) for p in campaign.rejected]
    for line in expected_of(name):
        assert line in rejected, f"{name}: expected\n  {line}\nin\n" + "\n".join(rejected)
    assert len(rejected) == len(expected_of(name)), rejected
    assert len(campaign.answers) == 6  # the other shipped answers still count


@pytest.mark.parametrize("name", case_names("render"))
def test_template_problems_name_the_template_and_the_tag(name, tmp_path):
    spec = spec_of(name)
    doc = Docx()
    doc.add_paragraph("ย่อหน้าแรก")
    doc.add_paragraph(spec["template"])
    doc.add_paragraph("ย่อหน้าท้าย")
    doc.save(tmp_path / "t.docx")
    with pytest.raises(TemplateProblem) as caught:
        render(Document("t", "out", "t.docx", spec["context"]), tmp_path, tmp_path / "out.docx")
    message = str(caught.value).replace(str(tmp_path) + os.sep, "")
    for line in expected_of(name):
        assert line in message, f"{name}: expected\n  {line}\nin\n{message}"
    assert not (tmp_path / "out.docx").exists()


# --- the one case that renders: cleaned values, markup characters, a 300-character name --------


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    root = tmp_path_factory.mktemp("render-names")
    inputs = prepare("render-names", root)
    shutil.rmtree(inputs / "answers")  # the shipped answers are for centers this campaign does not have
    outputs = root / "outputs"
    letters = run("letters", "--inputs", str(inputs), "--outputs", str(outputs), cwd=root)
    forms = run("forms", "--inputs", str(inputs), "--outputs", str(outputs), cwd=root)
    return letters, forms, outputs


def test_names_render_as_written_and_cleaned(rendered):
    letters, forms, outputs = rendered
    assert letters.returncode == 0, letters.stdout + letters.stderr
    # ก + ํ + า read as กำ, NBSP and stray spaces trimmed: the file and the letter use the cleaned name
    with fitz.open(outputs / "letters" / "01-กำแพงเพชร.pdf") as doc:
        text = normalise("".join(page.get_text() for page in doc))
    assert normalise("ถึง ที่ทำการปกครองจังหวัดกำแพงเพชร") in text
    for line in expected_of("render-names"):
        assert normalise(line) in text
    assert "\u200b" not in text and "\u00a0" not in text


def test_a_300_character_name_wraps_and_passes_the_checks(rendered):
    letters, forms, outputs = rendered
    assert letters.returncode == 0, letters.stdout + letters.stderr
    assert forms.returncode == 0, forms.stdout + forms.stderr
    with fitz.open(outputs / "letters" / "02-ขอนแก่น.pdf") as doc:
        text = normalise("".join(page.get_text() for page in doc))
    assert normalise("ศูนย์ดำรงธรรมอำเภอ../..\\ชนบท/สาขาบริการประชาชน") in text


def test_output_file_names_stay_inside_outputs(rendered):
    _, _, outputs = rendered
    root = outputs.resolve()
    produced = [p for p in outputs.rglob("*") if p.is_file()]
    assert len(produced) > 6
    for path in produced:
        assert path.resolve().is_relative_to(root), path
        assert "\\" not in path.name and ".." not in path.name, path
    # nothing escaped next to outputs/ either
    assert sorted(p.name for p in outputs.parent.iterdir()) == ["inputs", "outputs"]
