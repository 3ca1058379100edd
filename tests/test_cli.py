"""The `gecc` command: one subcommand per task, a documented exit status for every failure, never a traceback."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from campaigns import PROJECT, run, small_inputs

from pipeline.errors import ExitCode, FontMissing, describe
from pipeline.guard import exclusive

GECC = Path(sys.executable).parent / "gecc"


def test_gecc_is_installed_and_reads_like_a_tool():
    assert GECC.is_file(), "make installs the project into the venv (pip install -e .)"
    top = subprocess.run([str(GECC), "--help"], capture_output=True, text=True, check=True).stdout
    for command in ("build", "letters", "forms", "reports", "check", "init-answers", "ingest", "bench"):
        assert f"    {command}" in top
    assert "สถานะเมื่อจบ / exit status" in top and "แบบประเมิน" in top and "circulars" in top
    letters = subprocess.run([str(GECC), "letters", "--help"], capture_output=True, text=True, check=True).stdout
    assert "--inputs" in letters and "--verbose" in letters
    assert "--scale" not in letters and "--centers" not in letters  # the benchmark's options are its own
    assert "--scale" in subprocess.run([str(GECC), "bench", "--help"], capture_output=True, text=True).stdout
    version = subprocess.run([str(GECC), "--version"], capture_output=True, text=True, check=True).stdout
    assert version.startswith("gecc 0.")


def test_set_password_help_lists_its_own_exit_statuses_and_says_it_reads_stdin(tmp_path):
    for name in ("set-password", "users"):
        shown = subprocess.run([str(GECC), name, "--help"], capture_output=True, text=True, check=True).stdout
        assert "stdin" in shown and "standard input" in shown and "printf" in shown
        assert "LibreOffice" not in shown and "ฟอนต์" not in shown  # a build's statuses are not its own
        assert "  1 ไม่ได้เปลี่ยนแปลง" in shown
    # what the help says: piped in on one line, too short is 1 and changes nothing
    short = subprocess.run(
        [str(GECC), "set-password", "--outputs", str(tmp_path / "outputs")],
        input="short\n",
        capture_output=True,
        text=True,
    )
    assert short.returncode == 1 and "ไม่ได้เปลี่ยน" in short.stderr


def test_wrong_inputs_exit_2_naming_the_file(tmp_path):
    inputs = small_inputs(tmp_path)
    (inputs / "centers.csv").write_text("order,province,center,note\nx,นนทบุรี,,\n", encoding="utf-8")
    result = run("letters", "--inputs", str(inputs), "--outputs", str(tmp_path / "out"))
    assert result.returncode == ExitCode.bad_inputs == 2
    assert "inputs/centers.csv: แถวที่ 2" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "out" / "letters").exists()


def test_a_busy_outputs_folder_exits_3(tmp_path):
    inputs, outputs = small_inputs(tmp_path), tmp_path / "out"
    with exclusive(outputs):
        result = run("letters", "--inputs", str(inputs), "--outputs", str(outputs))
    assert result.returncode == ExitCode.busy == 3
    assert "กำลังถูกใช้โดยการรันอื่น" in result.stderr and "Traceback" not in result.stderr


def _path_without_libreoffice(tmp_path: Path) -> str:
    """A PATH holding every program of the machine's PATH except LibreOffice."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for folder in os.environ["PATH"].split(os.pathsep):
        for program in Path(folder).glob("*") if Path(folder).is_dir() else []:
            target = bin_dir / program.name
            if program.name not in ("soffice", "libreoffice", "lowriter") and not target.exists():
                target.symlink_to(program)
    return str(bin_dir)


def test_libreoffice_missing_exits_4_with_what_to_install(tmp_path):
    inputs = small_inputs(tmp_path)
    result = run(
        "letters",
        "--inputs",
        str(inputs),
        "--outputs",
        str(tmp_path / "out"),
        env={"PATH": _path_without_libreoffice(tmp_path), "GECC_LO_PROFILES": str(tmp_path / "profiles")},
    )
    assert result.returncode == ExitCode.office == 4, result.stderr
    assert "ใช้ LibreOffice ไม่ได้" in result.stderr and "libreoffice-writer-nogui" in result.stderr
    assert "Traceback" not in result.stderr


def test_libreoffice_that_cannot_start_exits_4(tmp_path):
    inputs = small_inputs(tmp_path)
    fake = tmp_path / "fake"
    fake.mkdir()
    (fake / "soffice").write_text("#!/bin/sh\necho 'soffice: cannot open display' >&2\nexit 81\n")
    (fake / "soffice").chmod(0o755)
    result = run(
        "letters",
        "--inputs",
        str(inputs),
        "--outputs",
        str(tmp_path / "out"),
        env={"PATH": f"{fake}{os.pathsep}{os.environ['PATH']}", "GECC_LO_PROFILES": str(tmp_path / "profiles")},
    )
    assert result.returncode == ExitCode.office, result.stderr
    assert "ใช้ LibreOffice ไม่ได้" in result.stderr and "Traceback" not in result.stderr


def test_missing_fonts_are_status_5_in_thai():
    failure = describe(FontMissing("fc-match 'TH Sarabun New' gave no font file"))
    assert failure is not None and failure.code == ExitCode.fonts == 5
    assert "ไม่พบฟอนต์ภาษาไทย" in failure.message
    laksaman = describe(FileNotFoundError("Laksaman Regular not found: install the Debian package fonts-thai-tlwg"))
    assert laksaman is not None and laksaman.code == ExitCode.fonts
    assert describe(ValueError("a bug")) is None  # a bug is not dressed up as a clerk's problem


def test_a_form_that_is_not_ours_exits_1(tmp_path):
    inputs = small_inputs(tmp_path)
    not_pdf = tmp_path / "scan.pdf"
    not_pdf.write_bytes(b"hello")
    result = run("ingest", str(not_pdf), "--inputs", str(inputs))
    assert result.returncode == ExitCode.failed == 1
    assert "scan.pdf" in result.stderr and "Traceback" not in result.stderr


def test_the_product_never_reads_shared():
    """Issue 11: nothing under pipeline/ points outside the project (the source comparison is --source)."""
    # a path to it: ../shared, parent / "shared", "shared" / …, "shared/…" (not a name that merely contains the word)
    pointer = re.compile(r"\.\./shared|/\s*[\"']shared[\"']|[\"']shared[\"']\s*/|[\"']shared/")
    for path in (PROJECT / "pipeline").rglob("*.py"):
        assert not pointer.search(path.read_text(encoding="utf-8")), path


@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice is installed by make")
def test_a_source_comparison_that_cannot_run_is_said(tmp_path):
    inputs = small_inputs(tmp_path)
    result = run(
        "forms",
        "--inputs",
        str(inputs),
        "--outputs",
        str(tmp_path / "out"),
        "--source",
        str(tmp_path / "no-such-source.txt"),
    )
    assert result.returncode == ExitCode.failed, result.stderr
    assert "เทียบชุดเอกสารกับหนังสือต้นฉบับไม่ได้: ไม่พบไฟล์หนังสือต้นฉบับ" in result.stderr
