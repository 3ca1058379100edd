"""The archive: append-only versions of each checked report with its answers, verifiable years later."""

import hashlib
import json
import os
import stat
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from pipeline.archive import ArchiveEntry, archive, verify

BANGKOK = timezone(timedelta(hours=7))
SLUG = "02-นนทบุรี-บางบัวทอง"
ROOT_USER = hasattr(os, "geteuid") and os.geteuid() == 0


def clock(*times):
    """A now() that returns the given times in turn."""
    it = iter(times)
    return lambda: next(it)


T1 = datetime(2021, 3, 1, 9, 30, tzinfo=BANGKOK)
T2 = datetime(2021, 3, 8, 14, 0, tzinfo=BANGKOK)


@pytest.fixture
def work(tmp_path):
    report = tmp_path / "outputs" / "reports" / f"{SLUG}.pdf"
    report.parent.mkdir(parents=True)
    report.write_bytes(b"%PDF-1.7\n% report made on run 1\n%%EOF\n")
    answer = tmp_path / "inputs" / "answers" / f"{SLUG}.yaml"
    answer.parent.mkdir(parents=True)
    answer.write_text('province: นนทบุรี\ncenter: ศูนย์ดำรงธรรมอำเภอบางบัวทอง\nphysical:\n  "1": มี\n', encoding="utf-8")
    return tmp_path, report, answer, tmp_path / "outputs" / "archive"


def entry(report, answer, digest="inputs-1", row=""):
    return ArchiveEntry(SLUG, report, answer, row, inputs_digest=digest)


def snapshot(root: Path) -> dict[str, tuple[int, int, int]]:
    """Every path under root with its mode, size and modification time (ns)."""
    found = {}
    for path in [root, *sorted(root.rglob("*"))]:
        st = path.lstat()
        found[str(path.relative_to(root))] = (st.st_mode, st.st_size, st.st_mtime_ns)
    return found


def contents(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_first_run_writes_v001_with_a_verifiable_manifest(work):
    tmp, report, answer, root = work
    [result] = archive([entry(report, answer)], root, now=clock(T1))
    v1 = root / SLUG / "v001"
    assert (result.slug, result.version, result.path, result.created) == (SLUG, 1, v1, True)
    assert sorted(p.name for p in v1.iterdir()) == ["answer.yaml", "manifest.json", "report.pdf"]
    assert (v1 / "report.pdf").read_bytes() == report.read_bytes()
    assert (v1 / "answer.yaml").read_bytes() == answer.read_bytes()
    manifest = json.loads((v1 / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["version"] == 1 and manifest["slug"] == SLUG
    assert manifest["inputs_digest"] == "inputs-1"
    assert manifest["answer_digest"] == hashlib.sha256(answer.read_bytes()).hexdigest()
    assert manifest["archived_at"] == "2021-03-01T09:30:00+07:00"
    assert datetime.fromisoformat(manifest["archived_at"]).tzinfo is not None
    for name in ("report.pdf", "answer.yaml"):
        data = (v1 / name).read_bytes()
        assert manifest["files"][name] == {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
    assert verify(root) == []
    # sealed: read-only files and folder, no temporary folder left beside it
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o444 for p in v1.iterdir())
    assert stat.S_IMODE(v1.stat().st_mode) == 0o555
    assert [p.name for p in (root / SLUG).iterdir()] == ["v001"]


def test_default_clock_records_the_local_time_zone(work):
    tmp, report, answer, root = work
    archive([entry(report, answer)], root)
    manifest = json.loads((root / SLUG / "v001" / "manifest.json").read_text(encoding="utf-8"))
    assert datetime.fromisoformat(manifest["archived_at"]).utcoffset() is not None


def test_unchanged_answers_change_nothing(work):
    tmp, report, answer, root = work
    archive([entry(report, answer)], root, now=clock(T1))
    before = snapshot(root)
    report.write_bytes(b"%PDF-1.7\n% the same report made again on run 2: other bytes\n%%EOF\n")
    [result] = archive([entry(report, answer)], root, now=clock(T2))
    assert (result.version, result.created) == (1, False)
    assert snapshot(root) == before  # no file or folder touched, not even a time stamp
    assert verify(root) == []


def test_changed_answers_add_v002_and_leave_v001_alone(work):
    tmp, report, answer, root = work
    archive([entry(report, answer)], root, now=clock(T1))
    v1 = root / SLUG / "v001"
    kept = contents(v1)
    kept_state = snapshot(v1)
    answer.write_text(answer.read_text(encoding="utf-8").replace("มี", "ไม่มี"), encoding="utf-8")
    report.write_bytes(b"%PDF-1.7\n% report of the new answers\n%%EOF\n")
    [result] = archive([entry(report, answer)], root, now=clock(T2))
    assert (result.version, result.created, result.path.name) == (2, True, "v002")
    assert contents(v1) == kept and snapshot(v1) == kept_state
    assert (root / SLUG / "v002" / "answer.yaml").read_bytes() == answer.read_bytes()
    assert (root / SLUG / "v002" / "report.pdf").read_bytes() == report.read_bytes()
    assert json.loads((root / SLUG / "v002" / "manifest.json").read_text(encoding="utf-8"))["version"] == 2
    assert verify(root) == []
    # the same answers again: still v002, nothing added
    assert archive([entry(report, answer)], root, now=clock(T2))[0].created is False
    assert sorted(p.name for p in (root / SLUG).iterdir()) == ["v001", "v002"]


def test_changed_inputs_digest_adds_a_version(work):
    tmp, report, answer, root = work
    archive([entry(report, answer, "inputs-1")], root, now=clock(T1))
    [result] = archive([entry(report, answer, "inputs-2")], root, now=clock(T2))
    assert (result.version, result.created) == (2, True)


def test_same_answer_digest_with_a_changed_report_never_rewrites_v001(work):
    """The structural guarantee (it holds for root too): an existing version is never opened for writing."""
    tmp, report, answer, root = work
    archive([entry(report, answer)], root, now=clock(T1))
    v1 = root / SLUG / "v001"
    kept = contents(v1)
    report.write_bytes(b"%PDF-1.7\n% a different report, same answers and inputs\n%%EOF\n")
    archive([entry(report, answer)], root, now=clock(T2))
    assert contents(v1) == kept
    assert sorted(p.name for p in (root / SLUG).iterdir()) == ["v001"]


@pytest.mark.skipif(ROOT_USER, reason="root ignores file permissions; see the structural test above")
def test_archived_files_refuse_to_be_overwritten(work):
    tmp, report, answer, root = work
    archive([entry(report, answer)], root, now=clock(T1))
    with pytest.raises(PermissionError):
        open(root / SLUG / "v001" / "report.pdf", "wb")
    with pytest.raises(PermissionError):
        (root / SLUG / "v001" / "extra.txt").write_text("x")


def test_csv_answers_archive_their_row(work):
    tmp, report, answer, root = work
    source = tmp / "inputs" / "answers" / "examples.csv"
    source.write_text("province,center,p1\nนนทบุรี,x,มี\nลพบุรี,y,ไม่มี\n", encoding="utf-8")
    row = "province,center,p1\r\nนนทบุรี,x,มี\r\n"
    [result] = archive([entry(report, source, row=row)], root, now=clock(T1))
    assert (result.path / "answer.csv").read_bytes() == row.encode("utf-8")
    assert not (result.path / "answer.yaml").exists()
    manifest = json.loads((result.path / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["answer_source"] == "examples.csv"
    assert manifest["answer_digest"] == hashlib.sha256(row.encode("utf-8")).hexdigest()
    # another row of the same file changing does not make a new version of this center
    source.write_text("province,center,p1\nนนทบุรี,x,มี\nลพบุรี,y,มี\n", encoding="utf-8")
    assert archive([entry(report, source, row=row)], root, now=clock(T2))[0].created is False
    assert verify(root) == []


def test_verify_finds_a_tampered_file(work):
    tmp, report, answer, root = work
    archive([entry(report, answer)], root, now=clock(T1))
    target = root / SLUG / "v001" / "report.pdf"
    size = target.stat().st_size
    target.chmod(0o644)  # what a tamperer would do first (root needs not)
    target.write_bytes(b"%PDF-1.7\n% forged!!!! report made on run 1\n%%EOF\n"[:size])
    problems = verify(root)
    assert len(problems) == 1
    assert problems[0].startswith(f"{SLUG}/v001/report.pdf") and "SHA-256" in problems[0]


def test_verify_finds_missing_extra_and_unlisted(work):
    tmp, report, answer, root = work
    archive([entry(report, answer)], root, now=clock(T1))
    answer.write_text("province: x\n", encoding="utf-8")
    archive([entry(report, answer)], root, now=clock(T2))
    v1, v2 = root / SLUG / "v001", root / SLUG / "v002"
    v2.chmod(0o755)
    (v2 / "answer.yaml").chmod(0o644)
    (v2 / "answer.yaml").write_bytes(b"province: x\n# appended\n")
    (v2 / "note.txt").write_text("added later", encoding="utf-8")
    for path in v1.iterdir():
        path.chmod(0o644)
    v1.chmod(0o755)
    for path in v1.iterdir():
        path.unlink()
    v1.rmdir()
    problems = "\n".join(verify(root))
    assert "v001 หายไป" in problems
    assert "v002/answer.yaml: ขนาดไม่ตรง" in problems
    assert "v002/note.txt: ไม่อยู่ใน manifest.json" in problems


def test_an_interrupted_run_leaves_no_version(work, monkeypatch):
    tmp, report, answer, root = work
    import pipeline.archive as module

    def broken_rename(src, dst):
        raise OSError("disk gone")

    monkeypatch.setattr(module.os, "rename", broken_rename)
    with pytest.raises(OSError):
        archive([entry(report, answer)], root, now=clock(T1))
    monkeypatch.undo()
    assert list((root / SLUG).iterdir()) == []  # no half version, no temporary folder
    [result] = archive([entry(report, answer)], root, now=clock(T2))
    assert result.version == 1 and verify(root) == []


def test_refuses_bad_slugs_and_doubles(work):
    tmp, report, answer, root = work
    for slug in ("", "..", "../x", ".hidden", "a/b"):
        with pytest.raises(ValueError):
            archive([ArchiveEntry(slug, report, answer, inputs_digest="d")], root)
    with pytest.raises(ValueError):
        archive([entry(report, answer), entry(report, answer)], root)
    assert not root.exists() or list(root.iterdir()) == []
