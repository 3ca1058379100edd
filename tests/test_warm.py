"""LibreOffice kept warm over UNO (pipeline/convert/warm.py), against the real LibreOffice and python3-uno."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import fitz
import pytest
from campaigns import small_inputs
from test_convert import make_docx, soffice_processes

from pipeline import fonts
from pipeline.convert import How, WarmPool, available, convert
from pipeline.documents import enclosures, letters, reports
from pipeline.load import load_campaign
from pipeline.render import render

pytestmark = pytest.mark.skipif(not available(), reason="python3-uno (Debian's /usr/bin/python3) not installed")
PROJECT = Path(__file__).resolve().parents[1]


def lines(pdf: Path) -> list[tuple[int, float, float, str]]:
    """Every line of every page: page, where it starts (0.1 pt), its text."""
    found = []
    with fitz.open(pdf) as doc:
        for page in doc:
            for block in page.get_text("dict")["blocks"]:
                for line in block.get("lines", []):
                    text = "".join(span["text"] for span in line["spans"])
                    found.append((page.number, round(line["bbox"][0], 1), round(line["bbox"][1], 1), text))
    return found


def test_warm_pdfs_are_line_for_line_those_of_convert_to(tmp_path):
    """A letter, a form (7 pages), the criteria and a PDF/A report: the same pages, lines and text as the batch
    converter's `soffice --convert-to`."""
    inputs = small_inputs(tmp_path)
    campaign = load_campaign(inputs)
    docs = [
        letters.documents(campaign)[0],
        *[d for d in enclosures.documents(campaign) if d.name == enclosures.CRITERIA],
        reports.documents(campaign)[0],
    ]
    from pipeline.documents import forms

    docs.append(forms.documents(campaign)[0])
    conf = fonts.prepare(PROJECT / "build")
    for doc in docs:
        render(doc, PROJECT / "templates", tmp_path / "docx" / f"{doc.name}.docx")
    with WarmPool(conf, tmp_path / "warm") as pool:
        for pdfa in (False, True):
            jobs = [(tmp_path / "docx" / f"{d.name}.docx", Path(d.name)) for d in docs if d.pdfa == pdfa]
            warm = pool([(docx, tmp_path / "w" / f"{name}.pdf") for docx, name in jobs], pdfa)
            batch = convert(
                [(docx, tmp_path / "b" / f"{name}.pdf") for docx, name in jobs],
                How(fontconfig=conf, pdfa=pdfa, profile_root=tmp_path / "batch"),
            )
            assert len(warm.converted) == len(batch.converted) == len(jobs), (warm.failed, batch.failed)
    for doc in docs:
        w, b = tmp_path / "w" / f"{doc.name}.pdf", tmp_path / "b" / f"{doc.name}.pdf"
        assert lines(w) == lines(b), doc.name
        assert len(lines(w)) > 10
        if doc.pdfa:
            with fitz.open(w) as opened:
                assert re.search(r'pdfaid:part(?:>\s*|="\s*)2', opened.get_xml_metadata())


def test_without_numbers_both_converters_leave_libreoffices_page_numbers(tmp_path):
    """``numbers=False`` (the parts compose numbers itself): the warm and the batch converter both leave the
    page numbers as LibreOffice wrote them ("- ข -"); with numbers, both write them in Thai digits."""
    campaign = load_campaign(small_inputs(tmp_path))
    from pipeline.documents import forms

    form = forms.documents(campaign)[0]
    docx = tmp_path / "form.docx"
    render(form, PROJECT / "templates", docx)
    conf = fonts.prepare(PROJECT / "build")
    found = {}
    with WarmPool(conf, tmp_path / "warm") as pool:
        for numbers in (False, True):
            warm, batch = tmp_path / f"w-{numbers}.pdf", tmp_path / f"b-{numbers}.pdf"
            assert pool([(docx, warm)], False, numbers=numbers).converted == [warm]
            how = How(fontconfig=conf, profile_root=tmp_path / "batch", numbers=numbers)
            assert convert([(docx, batch)], how).converted == [batch]
            assert lines(warm) == lines(batch)
            found[numbers] = [
                t.strip() for page, _, _, t in lines(warm) if page == 1 and re.fullmatch(r"-\s*\S{1,2}\s*-", t.strip())
            ]
    assert found == {False: ["- ข -"], True: ["- ๒ -"]}


def test_a_hang_is_bounded_named_and_the_instance_restarted(tmp_path):
    """A document LibreOffice lays out for minutes: killed at the time bound, retried once on a fresh
    instance, named; the documents after it are converted."""
    import docx as python_docx

    hang = tmp_path / "hang.docx"
    document = python_docx.Document()
    document.add_paragraph("ข้อความยาวมาก " * 40000)
    document.save(hang)
    good = [make_docx(tmp_path / f"g{i}.docx", f"GOOD{i}") for i in range(3)]
    jobs = [(hang, tmp_path / "hang.pdf"), *[(g, g.with_suffix(".pdf")) for g in good]]
    with WarmPool(None, tmp_path / "warm", file_timeout=4, workers=1) as pool:
        started = time.monotonic()
        result = pool(jobs, False)
        assert time.monotonic() - started < 60
        assert result.failed == {hang: "LibreOffice timed out after 4 s"}
        assert result.retried == [hang]
        assert sorted(result.converted) == sorted(g.with_suffix(".pdf") for g in good)
        assert pool.instances[0].starts == 3  # the first, after the hang, after the retry's hang
    assert not (tmp_path / "hang.pdf").exists()
    assert soffice_processes(tmp_path / "warm") == []


def test_an_instance_is_started_afresh_after_its_share_of_documents(tmp_path):
    docs = [make_docx(tmp_path / f"d{i}.docx", f"DOC{i}") for i in range(5)]
    with WarmPool(None, tmp_path / "warm", workers=1) as pool:
        pool.restart_after = 2
        result = pool([(d, d.with_suffix(".pdf")) for d in docs], False)
        assert len(result.converted) == 5 and not result.failed
        assert pool.instances[0].starts == 3  # 2 + 2 + 1
        again = pool([(docs[0], tmp_path / "again.pdf")], False)  # the pool stays warm between calls
        assert again.converted == [tmp_path / "again.pdf"] and pool.instances[0].starts == 3
        assert "DOC0" in "".join(page.get_text() for page in fitz.open(tmp_path / "again.pdf"))


def test_no_warm_libreoffice_outlives_the_process_that_started_it(tmp_path):
    """kill -9 of the process holding the pool: its instances and bridges go with it."""
    profiles = tmp_path / "warm"
    script = (
        "import sys; from pathlib import Path; from pipeline.convert import WarmPool; "
        "pool = WarmPool(None, Path(sys.argv[1])); pool.start(); print('ready', flush=True); "
        "import time; time.sleep(300)"
    )
    proc = subprocess.Popen([sys.executable, "-c", script, str(profiles)], cwd=PROJECT, stdout=subprocess.PIPE)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == b"ready"
        running = soffice_processes(profiles)
        kinds = {Path(argv[1] if "python" in argv[0] else argv[0]).name for _, argv in running}
        assert {"soffice.bin", "uno_bridge.py"} <= kinds, running
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        deadline = time.monotonic() + 5
        while soffice_processes(profiles) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert soffice_processes(profiles) == []
    finally:
        proc.kill()
        for pid, _ in soffice_processes(profiles):
            os.kill(pid, signal.SIGKILL)


def test_json_requests_name_their_files(tmp_path):
    """A file LibreOffice cannot open is that file's failure, not the instance's."""
    bad = tmp_path / "bad.docx"
    bad.write_bytes(b"PK\x03\x04 not a zip")
    good = make_docx(tmp_path / "good.docx", "GOOD")
    with WarmPool(None, tmp_path / "warm", workers=1) as pool:
        result = pool([(bad, tmp_path / "bad.pdf"), (good, tmp_path / "good.pdf")], False)
    assert set(result.failed) == {bad} and "not a DOCX" in json.dumps(result.failed[bad])
    assert result.converted == [tmp_path / "good.pdf"]
