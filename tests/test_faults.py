"""Faults are survived: the CLI against real LibreOffice, killed, hung, interrupted, raced, out of disk.

No mocks: every run is ``python -m pipeline`` in a subprocess on a small campaign.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import time
from datetime import datetime
from pathlib import Path

import fitz
import pytest
from campaigns import command, run, small_inputs

from pipeline import archive
from pipeline.uptodate import STATE

PROJECT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.skipif(
    not (shutil.which("soffice") or shutil.which("libreoffice")), reason="LibreOffice not installed"
)


def start(*args: str, env: dict | None = None) -> subprocess.Popen:
    # Ctrl-C as at a terminal: a shell starting the tests in the background (`cmd &`) passes
    # SIGINT on as ignored, and the run would rightly keep ignoring it.
    return subprocess.Popen(
        command(*args),
        cwd=PROJECT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )


# -- processes ---------------------------------------------------------------------------


def _proc(pid: int) -> tuple[int, str, list[str]] | None:
    """(parent pid, state, argv) of a live process; None when gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        argv = [a.decode(errors="replace") for a in Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0") if a]
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2 :].split()
    return int(fields[1]), fields[0], argv


def descendants(root: int) -> dict[int, list[str]]:
    """pid -> argv of every live process below ``root``."""
    table = {}
    for entry in Path("/proc").glob("[0-9]*"):
        info = _proc(int(entry.name))
        if info:
            table[int(entry.name)] = info
    found: dict[int, list[str]] = {}
    frontier = [root]
    while frontier:
        parent = frontier.pop()
        for pid, (ppid, _, argv) in table.items():
            if ppid == parent and pid not in found:
                found[pid] = argv
                frontier.append(pid)
    return found


def alive(pid: int) -> bool:
    info = _proc(pid)
    return info is not None and info[1] != "Z"


def offices(root: int) -> dict[int, list[str]]:
    return {pid: argv for pid, argv in descendants(root).items() if argv and "soffice" in argv[0]}


# -- what an interrupted run may not leave ---------------------------------------------------


def leftovers(outputs: Path) -> list[str]:
    bad = []
    for path in outputs.rglob("*"):
        name = path.name
        if (
            ".part-" in name
            or name.endswith(".pdf.tmp")
            or name.startswith(".incoming-")
            or re.match(r"^\..*\.json\..*\.tmp$", name)
        ):
            bad.append(str(path))
        elif path.is_file() and path.suffix in {".pdf", ".docx", ".png", ".csv", ".json"} and path.stat().st_size == 0:
            bad.append(f"{path} (0 bytes)")
    return bad


def broken_pdfs(outputs: Path) -> list[str]:
    bad = []
    for pdf in outputs.rglob("*.pdf"):
        try:
            with fitz.open(pdf) as doc:
                if doc.page_count < 1:
                    bad.append(str(pdf))
        except Exception:  # noqa: BLE001 - any failure to open is a broken file
            bad.append(str(pdf))
    return bad


@pytest.fixture(scope="module")
def killed_build(tmp_path_factory):
    """`build` on the small campaign, its LibreOffice worker SIGKILLed mid-batch once the first PDF is out."""
    root = tmp_path_factory.mktemp("killed")
    inputs, outputs = small_inputs(root), root / "outputs"
    proc = start("build", "--inputs", str(inputs), "--outputs", str(outputs))
    killed = []
    while proc.poll() is None and not killed:
        for pid, argv in offices(proc.pid).items():
            if argv[0].endswith("soffice.bin") and "--outdir" in argv:
                outdir = Path(argv[argv.index("--outdir") + 1])
                inputs_given = len(argv) - argv.index("--outdir") - 2
                if inputs_given >= 3 and any(outdir.glob("*.pdf")):
                    os.kill(pid, signal.SIGKILL)
                    killed.append(pid)
                    break
        time.sleep(0.01)
    out, err = proc.communicate(timeout=600)
    return inputs, outputs, proc.returncode, err, killed


def test_worker_killed_mid_batch_the_run_still_finishes(killed_build):
    inputs, outputs, code, err, killed = killed_build
    assert killed, "the batch ended before the test could kill it"
    assert code == 0, err
    assert "died" in err and "one by one" in err, err
    for name in [
        "letters/01-สมุทรปราการ",
        "letters/02-นนทบุรี",
        "letters/all-provinces",
        "forms/01-สมุทรปราการ-พระสมุทรเจดีย์",
        "forms/02-นนทบุรี-บางบัวทอง",
        "forms/03-สมุทรปราการ-บางพลี",
        "enclosures/centers",
        "enclosures/criteria",
        "reports/01-สมุทรปราการ-พระสมุทรเจดีย์",
        "reports/02-นนทบุรี-บางบัวทอง",
        "summary/summary",
    ]:
        assert (outputs / f"{name}.pdf").is_file(), name
    assert broken_pdfs(outputs) == [] and leftovers(outputs) == []


def test_a_document_that_hangs_libreoffice_is_named_and_the_rest_is_made(tmp_path):
    """A 560 000-character note makes LibreOffice 7.4 lay out for minutes: the time bound ends it."""
    inputs, outputs = small_inputs(tmp_path), tmp_path / "outputs"
    answer = inputs / "answers" / "01-สมุทรปราการ-พระสมุทรเจดีย์.yaml"
    text = answer.read_text(encoding="utf-8")
    assert re.search(r"^notes:\s*$", text, re.M)
    answer.write_text(
        re.sub(r"^notes:\s*$", 'notes:\n  "3": ' + "ข้อความยาวมาก " * 40000, text, count=1, flags=re.M), encoding="utf-8"
    )
    proc = start(
        "reports",
        "--inputs",
        str(inputs),
        "--outputs",
        str(outputs),
        env={"GECC_BATCH_TIMEOUT": "5", "GECC_FILE_TIMEOUT": "10"},
    )
    seen: set[int] = set()
    while proc.poll() is None:
        seen.update(offices(proc.pid))
        time.sleep(0.1)
    _, err = proc.communicate()
    assert proc.returncode == 1, err
    assert re.search(
        r"reports/01-สมุทรปราการ-พระสมุทรเจดีย์\.docx: แปลงเป็น PDF ไม่สำเร็จ \(LibreOffice timed out after 10 s\)", err
    ), err
    assert not (outputs / "reports" / "01-สมุทรปราการ-พระสมุทรเจดีย์.pdf").exists()
    assert (outputs / "reports" / "02-นนทบุรี-บางบัวทอง.pdf").is_file()
    assert (outputs / "summary" / "summary.pdf").is_file()
    assert seen and not [pid for pid in seen if alive(pid)]
    assert leftovers(outputs) == []


def _first_new(outputs: Path, suffix: str, since: float) -> bool:
    return any(p.stat().st_mtime > since for p in outputs.rglob(f"*{suffix}") if p.is_file())


def test_interrupted_anywhere_leaves_no_partial_file_and_the_next_run_completes(tmp_path):
    inputs, outputs = small_inputs(tmp_path), tmp_path / "outputs"
    # (signal, what must have appeared before it is sent): during render, during conversion.
    for signum, trigger in [
        (signal.SIGINT, ".docx"),
        (signal.SIGTERM, ".pdf"),
        (signal.SIGTERM, ".docx"),
        (signal.SIGINT, ".pdf"),
    ]:
        started = time.time() - 0.01
        # Forget what the run before finished (its DOCX are recorded though their PDFs were not): every run
        # here renders and converts again, so it can be interrupted in either stage.
        (outputs / STATE).unlink(missing_ok=True)
        proc = start("build", "--inputs", str(inputs), "--outputs", str(outputs))
        seen: set[int] = set()
        while proc.poll() is None and not (outputs.is_dir() and _first_new(outputs, trigger, started)):
            seen.update(offices(proc.pid))
            time.sleep(0.01)
        seen.update(offices(proc.pid))
        assert proc.poll() is None, f"the run ended before {trigger} appeared"
        proc.send_signal(signum)
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == {signal.SIGINT: 130, signal.SIGTERM: 143}[signum], err
        assert "ถูกขัดจังหวะ" in err and "Traceback" not in err, err
        assert leftovers(outputs) == [], (signum, trigger)
        assert broken_pdfs(outputs) == []
        time.sleep(0.5)  # SIGKILLed processes are reaped by init
        assert [pid for pid in seen if alive(pid)] == [], (signum, trigger, seen)
    again = run("build", "--inputs", str(inputs), "--outputs", str(outputs))
    assert again.returncode == 0, again.stderr
    assert leftovers(outputs) == [] and broken_pdfs(outputs) == []


def test_a_second_run_on_the_same_outputs_is_refused(killed_build):
    inputs, outputs, *_ = killed_build
    (outputs / STATE).unlink(missing_ok=True)  # forget what was built, so the first run has work to do
    first = start("reports", "--inputs", str(inputs), "--outputs", str(outputs))
    lock = outputs / ".lock"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and first.poll() is None:
        if lock.is_file() and lock.read_text().strip() == str(first.pid):
            break
        time.sleep(0.01)
    before = {p: p.stat().st_mtime_ns for p in outputs.rglob("*") if p.is_file() and p.name != ".lock"}
    second = run("letters", "--inputs", str(inputs), "--outputs", str(outputs))
    assert first.poll() is None, "the first run ended before the second started"
    assert second.returncode == 3, second.stderr
    assert f"กำลังถูกใช้โดยการรันอื่น (pid {first.pid})" in second.stderr
    assert str(outputs) in second.stderr
    # the second run wrote nothing: the letters the first run does not make are untouched
    letters = {p: t for p, t in before.items() if "letters" in p.parts}
    assert letters and all(p.stat().st_mtime_ns == t for p, t in letters.items())
    _, err = first.communicate(timeout=600)
    assert first.returncode == 0, err
    # the lock went with its holder: the next run is not refused
    assert run("check", "--inputs", str(inputs), "--outputs", str(outputs)).returncode == 0


def test_a_full_disk_is_named_and_earlier_outputs_stay_intact(tmp_path, killed_build):
    _, built, *_ = killed_build
    inputs, outputs = small_inputs(tmp_path), tmp_path / "outputs"
    outputs.mkdir()
    if (
        os.geteuid() != 0
        or subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(outputs)], capture_output=True
        ).returncode
        != 0
    ):
        pytest.skip("cannot mount a small tmpfs here")
    try:
        good = outputs / "letters" / "01-สมุทรปราการ.pdf"
        good.parent.mkdir()
        shutil.copyfile(built / "letters" / "01-สมุทรปราการ.pdf", good)
        before = good.read_bytes()
        free = shutil.disk_usage(outputs).free
        (outputs / "filler").write_bytes(b"\0" * (free - 16 * 1024))  # room for less than one DOCX
        result = run("letters", "--inputs", str(inputs), "--outputs", str(outputs))
        assert result.returncode == 1, result.stderr
        assert re.search(r"เขียนไฟล์ outputs/letters/\S+\.docx ไม่ได้: พื้นที่ดิสก์เต็ม", result.stderr), result.stderr
        assert "Traceback" not in result.stderr
        assert good.read_bytes() == before
        assert leftovers(outputs) == []
    finally:
        subprocess.run(["umount", str(outputs)], check=True)


def test_the_archive_only_ever_adds(killed_build, tmp_path):
    inputs, outputs, *_ = killed_build
    folder = outputs / "archive" / "02-นนทบุรี-บางบัวทอง"
    v001 = {p.name: p.read_bytes() for p in (folder / "v001").iterdir()}
    # The report PDF changes (tampered here) and the same answers are run again: v001 stays, no v002.
    report = outputs / "reports" / "02-นนทบุรี-บางบัวทอง.pdf"
    with fitz.open(report) as doc:
        doc.set_metadata({"title": "tampered"})
        doc.save(tmp_path / "t.pdf")
    shutil.copyfile(tmp_path / "t.pdf", report)
    again = run("reports", "--inputs", str(inputs), "--outputs", str(outputs))
    assert again.returncode == 0, again.stderr
    assert [p.name for p in folder.iterdir()] == ["v001"]
    assert {p.name: p.read_bytes() for p in (folder / "v001").iterdir()} == v001
    assert archive.verify(outputs / "archive") == []

    # A crafted write over an existing version: another writer takes the version number between
    # the choice and the rename (simulated by the clock hook) — refused, v001 untouched.
    root = tmp_path / "archive"
    answer = tmp_path / "answer.yaml"
    answer.write_text("a: 1\n", encoding="utf-8")
    pdf = tmp_path / "t.pdf"
    first = archive.archive([archive.ArchiveEntry("x", pdf, answer, inputs_digest="d")], root)
    assert first[0].version == 1 and first[0].created
    kept = {p.name: p.read_bytes() for p in (root / "x" / "v001").iterdir()}
    answer.write_text("a: 2\n", encoding="utf-8")

    def racing_clock() -> datetime:
        (root / "x" / "v002").mkdir()
        (root / "x" / "v002" / "report.pdf").write_bytes(b"another writer")
        return datetime.now().astimezone()

    with pytest.raises(FileExistsError):
        archive.archive([archive.ArchiveEntry("x", pdf, answer, inputs_digest="d")], root, now=racing_clock)
    assert (root / "x" / "v002" / "report.pdf").read_bytes() == b"another writer"
    assert {p.name: p.read_bytes() for p in (root / "x" / "v001").iterdir()} == kept
    assert not [p for p in (root / "x").iterdir() if p.name.startswith(".incoming-")]
    # and v001 itself cannot be written through: its files and folder are read-only
    assert not (root / "x" / "v001").stat().st_mode & 0o222
    assert json.loads((root / "x" / "v001" / "manifest.json").read_text(encoding="utf-8"))["version"] == 1
