"""pipeline.convert against the real LibreOffice: no mocks."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import docx
import fitz
import pytest

from pipeline.convert import How, convert
from pipeline.convert.pdfs import screen

pytestmark = pytest.mark.skipif(
    not (shutil.which("soffice") or shutil.which("libreoffice")), reason="LibreOffice not installed"
)


def make_docx(path: Path, marker: str, pages: int = 1) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    document = docx.Document()
    for page in range(pages):
        document.add_paragraph(f"{marker} page {page + 1} " + "filler text " * 40)
        if page < pages - 1:
            document.add_page_break()
    document.save(path)
    return path


def corrupt_docx(path: Path, good: Path) -> Path:
    """A real zip with every DOCX part, but word/document.xml cut short: LibreOffice cannot load it."""
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(path, "w") as dst:
        for name in src.namelist():
            data = src.read(name)
            dst.writestr(name, data[:200] if name == "word/document.xml" else data)
    return path


def pdf_text(pdf: Path) -> str:
    with fitz.open(pdf) as doc:
        assert doc.page_count >= 1
        return "".join(page.get_text() for page in doc)


def soffice_processes(profile_root: Path) -> list[tuple[int, list[str]]]:
    """(pid, argv) of live processes whose command line names a profile under profile_root."""
    found = []
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            argv = [a.decode(errors="replace") for a in (entry / "cmdline").read_bytes().split(b"\0") if a]
        except OSError:
            continue
        if argv and any(str(profile_root) in a for a in argv):
            found.append((int(entry.name), argv))
    return found


def test_converts_in_parallel_to_the_given_paths(tmp_path):
    # Two inputs share a stem: LibreOffice names outputs after inputs, so they must not collide.
    sources = [
        make_docx(tmp_path / "in" / ("a" if i % 2 else "b") / f"letter{i // 2}.docx", f"MARKER{i}") for i in range(6)
    ]
    jobs = [(src, tmp_path / "out" / f"dir{i}" / f"province-{i}.pdf") for i, src in enumerate(sources)]
    calls = []
    result = convert(
        jobs, How(workers=2, profile_root=tmp_path / "profiles"), progress=lambda d, t: calls.append((d, t))
    )
    assert result.failed == {}
    assert result.retried == []
    assert result.converted == [pdf for _, pdf in jobs]
    for i, (_, pdf) in enumerate(jobs):
        text = pdf_text(pdf)
        assert f"MARKER{i} " in text
        assert not any(f"MARKER{j} " in text for j in range(6) if j != i)
    assert calls[-1] == (6, 6) and len(calls) == 6
    assert not list((tmp_path / "out").rglob("*.tmp"))
    assert soffice_processes(tmp_path / "profiles") == []


def test_broken_inputs_fail_alone(tmp_path):
    good = [make_docx(tmp_path / f"good{i}.docx", f"GOOD{i}") for i in range(3)]
    random_bytes = tmp_path / "random.docx"
    random_bytes.write_bytes(os.urandom(4000))
    truncated = tmp_path / "truncated.docx"
    truncated.write_bytes(good[0].read_bytes()[:1500])
    unloadable = corrupt_docx(tmp_path / "unloadable.docx", good[0])
    bad = [random_bytes, truncated, unloadable]
    jobs = [(src, tmp_path / "out" / f"{src.stem}.pdf") for src in good + bad]

    result = convert(jobs, How(workers=2, profile_root=tmp_path / "profiles"))

    assert set(result.failed) == set(bad)
    assert "LibreOffice" in result.failed[unloadable]  # this one reached LibreOffice and came back
    for src in good:
        assert f"GOOD{src.stem[-1]}" in pdf_text(tmp_path / "out" / f"{src.stem}.pdf")
    for src in bad:
        assert not (tmp_path / "out" / f"{src.stem}.pdf").exists()
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["good0.pdf", "good1.pdf", "good2.pdf"]


def test_inputs_that_cannot_be_docx_are_screened_out_with_their_reason(tmp_path):
    """pdfs.screen, the one screen of the batch converter and the warm pool: what it keeps, in order."""
    good = [make_docx(tmp_path / f"good{i}.docx", f"GOOD{i}") for i in range(2)]
    not_zip = tmp_path / "random.docx"
    not_zip.write_bytes(b"PK\x03\x04 not a zip")
    no_body = tmp_path / "nobody.docx"
    with zipfile.ZipFile(no_body, "w") as z:
        z.writestr("word/styles.xml", "<w:styles/>")
    missing = tmp_path / "missing.docx"
    jobs = [(src, tmp_path / f"{src.stem}.pdf") for src in (good[0], not_zip, no_body, missing, good[1])]
    failed: dict[Path, str] = {}
    log: list[str] = []
    assert screen(jobs, failed, log) == [jobs[0], jobs[4]]
    assert failed == {
        not_zip: "not a DOCX file (not a valid zip archive)",
        no_body: "not a DOCX file (no word/document.xml)",
        missing: "input file not found",
    }
    assert log == [f"{src.name}: {failed[src]}" for src in (not_zip, no_body, missing)]


def test_failed_job_keeps_the_existing_good_pdf(tmp_path):
    good = make_docx(tmp_path / "old.docx", "OLDVERSION")
    pdf = tmp_path / "out" / "letter.pdf"
    assert convert([(good, pdf)], How(profile_root=tmp_path / "profiles")).converted == [pdf]
    before = pdf.read_bytes()

    broken = corrupt_docx(tmp_path / "new.docx", good)
    result = convert([(broken, pdf)], How(profile_root=tmp_path / "profiles"))

    assert broken in result.failed and result.converted == []
    assert not any("template" in line for line in result.log)  # second call reused the profiles
    assert pdf.read_bytes() == before
    assert not pdf.with_suffix(".pdf.tmp").exists()


def test_worker_killed_mid_batch_is_retried(tmp_path):
    profiles = tmp_path / "profiles"
    jobs = [
        (make_docx(tmp_path / "in" / f"d{i}.docx", f"KILLED{i}", pages=3), tmp_path / "out" / f"d{i}.pdf")
        for i in range(24)
    ]
    finished = threading.Event()
    killed: list[int] = []

    def killer() -> None:
        # Find the batch's soffice.bin by its profile; kill it once a third of the PDFs are out,
        # so the batch is surely still running and both halves (kept, retried) are exercised.
        while not finished.is_set():
            for pid, argv in soffice_processes(profiles):
                if argv[0].endswith("soffice.bin") and "--outdir" in argv and len(argv) > 20:
                    outdir = Path(argv[argv.index("--outdir") + 1])
                    if len(list(outdir.glob("*.pdf"))) >= 8:
                        os.kill(pid, signal.SIGKILL)
                        killed.append(pid)
                        return
            time.sleep(0.01)

    thread = threading.Thread(target=killer)
    thread.start()
    try:
        result = convert(jobs, How(workers=1, profile_root=profiles))
    finally:
        finished.set()
        thread.join()

    assert killed, "the batch ended before the test could kill it"
    assert result.failed == {}
    assert 0 < len(result.retried) < len(jobs), result.log
    assert any("died" in line and "one by one" in line for line in result.log), result.log
    for i, (_, pdf) in enumerate(jobs):
        assert f"KILLED{i} " in pdf_text(pdf)
    assert soffice_processes(profiles) == []


def test_batch_timeout_kills_and_retries_one_by_one(tmp_path):
    profiles = tmp_path / "profiles"
    jobs = [(make_docx(tmp_path / f"t{i}.docx", f"SLOW{i}"), tmp_path / "out" / f"t{i}.pdf") for i in range(4)]

    result = convert(jobs, How(workers=2, batch_timeout=0.1, file_timeout=60, profile_root=profiles))

    assert soffice_processes(profiles) == []
    assert result.failed == {}
    assert sorted(result.retried) == sorted(src for src, _ in jobs)
    assert sum("timed out after 0.1 s" in line for line in result.log) == 2, result.log
    for i, (_, pdf) in enumerate(jobs):
        assert f"SLOW{i} " in pdf_text(pdf)


def test_pdfa_2b(tmp_path):
    src = make_docx(tmp_path / "archive.docx", "ARCHIVE")
    pdf = tmp_path / "archive.pdf"
    result = convert([(src, pdf)], How(pdfa=True, profile_root=tmp_path / "profiles"))
    assert result.converted == [pdf]
    with fitz.open(pdf) as doc:
        xmp = doc.get_xml_metadata()
    assert re.search(r"pdfaid:part(>|=\")2", xmp)
    assert re.search(r"pdfaid:conformance(>|=\")B", xmp)


def _wait_for_batch(profiles: Path, pdfs_out: int, proc: subprocess.Popen | None = None, limit: float = 120) -> int:
    """The pid of a soffice.bin converting a batch under ``profiles`` once ``pdfs_out`` PDFs are written."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline and (proc is None or proc.poll() is None):
        for pid, argv in soffice_processes(profiles):
            if argv[0].endswith("soffice.bin") and "--outdir" in argv:
                outdir = Path(argv[argv.index("--outdir") + 1])
                if len(list(outdir.glob("*.pdf"))) >= pdfs_out:
                    return pid
        time.sleep(0.02)
    pytest.fail("no batch reached the point where the test acts on it")


def test_no_libreoffice_outlives_the_process_that_started_it(tmp_path):
    profiles = tmp_path / "profiles"
    jobs = [
        (str(make_docx(tmp_path / "in" / f"o{i}.docx", f"ORPHAN{i}", pages=3)), str(tmp_path / "out" / f"o{i}.pdf"))
        for i in range(30)
    ]
    script = (
        "import sys, json; from pipeline.convert import How, convert; "
        "convert(json.loads(sys.argv[1]), How(workers=1, profile_root=sys.argv[2]))"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", script, json.dumps(jobs), str(profiles)], cwd=Path(__file__).resolve().parents[1]
    )
    try:
        _wait_for_batch(profiles, 2, proc)
        assert soffice_processes(profiles), "LibreOffice should be converting now"
        proc.kill()
        proc.wait()
        deadline = time.monotonic() + 3
        while soffice_processes(profiles) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert soffice_processes(profiles) == []
        assert len(list((tmp_path / "out").glob("*.pdf"))) < len(jobs)  # it was killed mid-conversion
    finally:
        proc.kill()
        for pid, _ in soffice_processes(profiles):
            os.kill(pid, signal.SIGKILL)


def test_a_new_run_never_shares_a_profile_with_an_old_instance(tmp_path):
    profiles = tmp_path / "profiles"
    first = make_docx(tmp_path / "first.docx", "FIRST")
    assert convert([(first, tmp_path / "first.pdf")], How(workers=1, profile_root=profiles)).failed == {}
    [profile] = [p for p in profiles.glob("lo-*/worker-1") if p.is_dir()]
    assert not (profile / ".lock").exists()  # a clean exit removes LibreOffice's lock
    # An instance left on that profile by a run that was not tied to its parent.
    slow = [str(make_docx(tmp_path / "old" / f"s{i}.docx", f"OLD{i}", pages=3)) for i in range(30)]
    old = subprocess.Popen(
        [
            "soffice",
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path / "old-out"),
            *slow,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        _wait_for_batch(profiles, 1, old)
        assert (profile / ".lock").exists()
        (profile / "left-by-the-old-instance").touch()
        jobs = [(make_docx(tmp_path / f"new{i}.docx", f"NEW{i}"), tmp_path / "new" / f"new{i}.pdf") for i in range(3)]
        result = convert(jobs, How(workers=1, profile_root=profiles))
        assert old.poll() is not None, "the old instance still runs"
        assert result.failed == {} and result.retried == [], result.log
        for i, (_, pdf) in enumerate(jobs):
            assert f"NEW{i} " in pdf_text(pdf)
        # Its instance was killed, so the profile was made afresh from the template.
        assert not (profile / "left-by-the-old-instance").exists()
        assert soffice_processes(profiles) == []
    finally:
        if old.poll() is None:
            os.killpg(old.pid, signal.SIGKILL)
        old.wait()


THAI = "ศูนย์ดำรงธรรมอำเภอพระสมุทรเจดีย์ ได้ดำเนินการตามแนวทางการให้บริการที่ง่ายต่อการรับบริการ ๑๒๓ "


def _thai_docx(path: Path, pages: int) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    document = docx.Document()
    for page in range(pages):
        document.add_paragraph(f"หน้า {page + 1} " + THAI * 12)
        if page < pages - 1:
            document.add_page_break()
    document.save(path)
    return path


def _converted_with(allocator: str | None, sources: list[Path], out: Path, profiles: Path) -> list[bool]:
    """Convert ``sources`` into ``out`` with LibreOffice's malloc as ``allocator`` says ("system":
    glibc's; None: ours); whether each soffice.bin seen meanwhile had jemalloc mapped."""
    from pipeline.convert import soffice

    before = os.environ.get("GECC_SOFFICE_MALLOC")
    if allocator:
        os.environ["GECC_SOFFICE_MALLOC"] = allocator
    soffice.allocator.cache_clear()
    seen: list[bool] = []
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            for pid, argv in soffice_processes(profiles):
                if argv[0].endswith("soffice.bin"):
                    with contextlib.suppress(OSError):  # it ended meanwhile
                        maps = Path(f"/proc/{pid}/maps").read_text()
                        # Judged once the loader has mapped libc, which it does after the preloaded
                        # libraries: a process just exec'd (or ending) has not (or no longer) (seen in a
                        # fresh clone: one False among many True)
                        if "/libc.so" in maps:
                            seen.append("libjemalloc" in maps)
            time.sleep(0.02)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        jobs = [(s, out / f"{s.stem}.pdf") for s in sources]
        result = convert(jobs, How(workers=1, profile_root=profiles))
        assert len(result.converted) == len(sources), result.failed
    finally:
        done.set()
        watcher.join()
        if before is None:
            os.environ.pop("GECC_SOFFICE_MALLOC", None)
        else:
            os.environ["GECC_SOFFICE_MALLOC"] = before
        soffice.allocator.cache_clear()
    return seen


def test_libreoffice_runs_with_jemalloc_and_writes_the_same_pdfs(tmp_path):
    """LibreOffice converts with jemalloc preloaded (about a fifth less CPU, measured), which
    tools/install-system.sh installs; its PDFs are those it writes with glibc's malloc, content
    stream for content stream and character for character."""
    from pipeline.convert import soffice

    assert soffice.allocator(), "libjemalloc2 is not installed: run tools/install-system.sh"
    sources = [_thai_docx(tmp_path / "in" / f"t{i}.docx", pages=4) for i in range(6)]
    profiles = tmp_path / "profiles"
    ours = _converted_with(None, sources, tmp_path / "jemalloc", profiles)
    assert ours and all(ours), "a soffice.bin ran without jemalloc"
    plain = _converted_with("system", sources, tmp_path / "glibc", profiles)
    assert plain and not any(plain), "GECC_SOFFICE_MALLOC=system still preloaded jemalloc"
    for source in sources:
        with (
            fitz.open(tmp_path / "jemalloc" / f"{source.stem}.pdf") as a,
            fitz.open(tmp_path / "glibc" / f"{source.stem}.pdf") as b,
        ):
            assert a.page_count == b.page_count == 4
            for page_a, page_b in zip(a, b, strict=True):
                assert page_a.read_contents() == page_b.read_contents()
                assert page_a.get_text("rawdict") == page_b.get_text("rawdict")
