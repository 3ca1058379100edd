"""The audit log (hash chain, concurrent writers, tamper detection) and review state as core data."""

from __future__ import annotations

import json
import multiprocessing
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from campaigns import PROJECT, small_inputs

from pipeline import archive, audit, review, service
from pipeline.settings import Settings


def _append_many(outputs: str, who: int, count: int) -> None:
    for i in range(count):
        audit.append(Path(outputs), f"user:w{who}", "test", {"i": i, "text": "ทดสอบ"})


def test_entries_chain_and_verify(tmp_path):
    first = audit.append(tmp_path, "user:สมชาย", "sign-in", {"address": "127.0.0.1"})
    second = audit.append(tmp_path, "center:01-x", "submit", {"center": "01-x"})
    assert (first.n, second.n) == (1, 2)
    assert first.prev == audit.GENESIS and second.prev == first.hash
    lines = audit.log_path(tmp_path).read_bytes().splitlines()
    assert len(lines) == 2 and json.loads(lines[1])["prev"] == json.loads(lines[0])["hash"]
    assert audit.verify(audit.log_path(tmp_path)) is None
    assert [e.action for e in audit.recent(audit.log_path(tmp_path))] == ["submit", "sign-in"]


def test_entries_written_together_chain_like_one_by_one(tmp_path):
    audit.append(tmp_path, "user:สมชาย", "sign-in")
    together = audit.append_many(tmp_path, [(f"center:0{n}-x", "submit", {"center": f"0{n}-x"}) for n in (1, 2, 3)])
    assert [e.n for e in together] == [2, 3, 4] and together[1].prev == together[0].hash
    found = [e for _, e in audit.entries(audit.log_path(tmp_path))]
    assert found[1:] == together and found[1].prev == found[0].hash
    assert audit.verify(audit.log_path(tmp_path)) is None


def test_concurrent_writers_keep_one_chain(tmp_path):
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_append_many, args=(str(tmp_path), w, 40)) for w in range(4)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
    assert all(w.exitcode == 0 for w in workers)
    found = list(audit.entries(audit.log_path(tmp_path)))
    assert [e.n for _, e in found] == list(range(1, 161))
    assert audit.verify(audit.log_path(tmp_path)) is None


@pytest.mark.parametrize("target", [1, 3, 5])
def test_one_byte_edited_is_found_at_its_entry(tmp_path, target):
    for i in range(5):
        audit.append(tmp_path, "user:somchai", "review", {"center": f"0{i}-x", "comment": "ขาดเอกสาร"})
    path = audit.log_path(tmp_path)
    data = bytearray(path.read_bytes())
    lines = data.split(b"\n")
    start = sum(len(line) + 1 for line in lines[: target - 1])
    where = start + lines[target - 1].index(b'"actor":"user:') + len(b'"actor":"user:')
    data[where] = ord("X")  # somchai → Xomchai: still valid, canonical JSON
    path.write_bytes(bytes(data))
    broken = audit.verify(path)
    assert broken is not None and broken.n == target, broken
    assert "SHA-256" in broken.reason


def test_removed_or_swapped_entries_are_found(tmp_path):
    for i in range(4):
        audit.append(tmp_path, "user:a", "edit", {"i": i})
    path = audit.log_path(tmp_path)
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(b"".join([lines[0], lines[2], lines[3]]))
    assert audit.verify(path).n == 2
    path.write_bytes(b"".join([lines[0], lines[1], lines[2]]))  # a cut tail: the chain alone holds …
    assert audit.verify(path) is None
    assert audit.verify(path, {4: json.loads(lines[3])["hash"]}).n == 4  # … the archive's reference does not


def test_a_broken_tail_is_named_and_appending_goes_on(tmp_path):
    audit.append(tmp_path, "user:a", "edit", {})
    path = audit.log_path(tmp_path)
    with open(path, "ab") as handle:
        handle.write(b'{"n":2,"act')  # a crash in the middle of a line
    entry = audit.append(tmp_path, "user:a", "edit", {})
    assert entry.n == 3
    broken = audit.verify(path)
    assert broken is not None and broken.n == 2


def test_gecc_audit_verify_exit_status_and_thai_message(tmp_path):
    def verify():
        return subprocess.run(
            [sys.executable, "-m", "pipeline", "audit", "verify", "--outputs", str(tmp_path)],
            cwd=PROJECT,
            capture_output=True,
            text=True,
            timeout=60,
        )

    for i in range(3):
        audit.append(tmp_path, "user:a", "edit", {"i": i})
    ok = verify()
    assert ok.returncode == 0, ok.stderr
    assert "3 รายการ" in ok.stdout
    path = audit.log_path(tmp_path)
    data = path.read_bytes()
    second = data.index(b"\n") + 1
    at = data.index(b'"i":1', second) + 4
    path.write_bytes(data[:at] + b"7" + data[at + 1 :])
    bad = verify()
    assert bad.returncode == 1
    assert "รายการที่ 2" in bad.stderr and "Traceback" not in bad.stderr


# --- review state ---------------------------------------------------------------------------


@pytest.fixture
def campaign(tmp_path):
    inputs = small_inputs(tmp_path)
    settings = Settings(inputs, tmp_path / "outputs")
    return settings, service.load(settings)


def test_states_follow_decisions_and_resubmissions(campaign):
    settings, c = campaign
    outputs = settings.outputs
    first, second, third = sorted(c.centers, key=lambda x: x.order)
    answer = next(a for a in c.answers if a.center == first.name)
    states = review.states(outputs, c)
    assert states[first.slug].state == review.SUBMITTED and states[third.slug].state == review.NOT_STARTED
    assert [x.slug for x in review.missing(outputs, c)] == [third.slug]

    digest = review.answer_digest(answer)
    with pytest.raises(review.ReviewError):
        review.record(outputs, "user:a", review.Decision(first.slug, review.RETURN, digest))  # no comment
    review.record(outputs, "user:a", review.Decision(first.slug, review.RETURN, digest, "ขาดหลักฐาน", {"1": "ไม่มีรูปถ่าย"}))
    status = review.states(outputs, c)[first.slug]
    assert status.state == review.RETURNED and status.decision.items == {"1": "ไม่มีรูปถ่าย"}
    assert status.decision.by == "user:a"
    assert [x.slug for x in review.missing(outputs, c)] == [first.slug, third.slug]

    changed = replace(answer, notes={**answer.notes, "1": "แนบรูปแล้ว"})  # the center edits …
    assert review.status(outputs, first, changed).state == review.SUBMITTED
    review.submitted(outputs, f"center:{first.slug}", first, answer)  # … or sends the same again
    assert review.states(outputs, c)[first.slug].state == review.SUBMITTED

    review.record(outputs, "user:a", review.Decision(first.slug, review.ACCEPT, digest))
    assert review.states(outputs, c)[first.slug].state == review.ACCEPTED
    assert review.with_draft(review.NOT_STARTED, True) == review.DRAFT


def test_accept_marks_the_archived_version_final(campaign, tmp_path):
    settings, c = campaign
    outputs = settings.outputs
    center = sorted(c.centers, key=lambda x: x.order)[0]
    answer = next(a for a in c.answers if a.center == center.name)
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(b"%PDF-1.7\n%%EOF\n")
    cause = audit.append(outputs, "center:x", "submit", {"center": center.slug})
    entry = archive.ArchiveEntry(center.slug, pdf, answer.source, inputs_digest="d", audit=cause.ref())
    (kept,) = archive.archive([entry], outputs / "archive")
    manifest = json.loads((kept.path / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["audit"] == {"entry": cause.n, "hash": cause.hash}

    review.record(
        outputs, "user:a", review.Decision(center.slug, review.ACCEPT, review.answer_digest(answer), archived="v001")
    )
    mark = outputs / "archive" / center.slug / "v001.final.json"
    assert json.loads(mark.read_text(encoding="utf-8"))["report_sha256"] == manifest["files"]["report.pdf"]["sha256"]
    assert archive.final_versions(outputs / "archive", center.slug) == [1]
    assert archive.verify(outputs / "archive") == []
    refs = archive.audit_references(outputs / "archive")
    assert refs[cause.n] == cause.hash and len(refs) == 2
    assert audit.verify(audit.log_path(outputs), refs) is None


def test_recent_reads_from_the_end(tmp_path, monkeypatch):
    monkeypatch.setattr(audit, "TAIL_CHUNK", 300)  # a few entries a chunk: several reads
    for i in range(40):
        audit.append(tmp_path, "user:a", "edit", {"i": i})
    assert [e.detail["i"] for e in audit.recent(audit.log_path(tmp_path), 7)] == list(range(39, 32, -1))
    assert len(audit.recent(audit.log_path(tmp_path), 100)) == 40
    assert audit.recent(tmp_path / "none.jsonl") == []
