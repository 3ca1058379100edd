"""The core any door calls: validate one center's answers, keep them, build its report, build a campaign.

The command line and the web app are thin doors onto these functions; they
hold no validation, document logic or file writing of their own. The state of
a call lives in the call, files are written atomically, and what must not run
twice at once (one center's report, one LibreOffice profile, a whole build of an
outputs folder) is guarded by a file lock, which also holds between processes.
Threads may call these functions at once; PyMuPDF, which reads the PDFs, is not
made for threads, so its work here (the check) is done one call at a time per
process. A server that builds many reports at once runs build_report in a few
worker processes (the web app does).

    campaign = service.load(settings)
    answer = service.validate_answer(form_data, campaign)     # Answer, or the problems
    service.save_answer(settings, campaign, answer)            # inputs/answers/<center>.yaml
    built = service.build_report(settings, campaign, answer)   # reports/<center>.pdf, checked, archived
"""

from __future__ import annotations

import fcntl
import io
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TextIO

from . import archive, check, convert, fonts, intake, runner
from .documents import reports
from .files import write_text
from .load import load_campaign
from .load.answers import validate_mapping
from .model import Answer, Campaign, Center
from .problems import Problem
from .registry import RULES_BY_KIND
from .render import TemplateProblem, render
from .settings import Settings
from .workers import cores

__all__ = ["BuildResult", "ReportBuild", "Settings", "build", "build_report", "load", "save_answer", "validate_answer"]

FORM = "แบบประเมินออนไลน์"  # how problems name answers that came as data, not as a file
_PYMUPDF = threading.Lock()  # PyMuPDF is not thread-safe: one check at a time in this process
HISTORY = ".history"  # inputs/answers/.history/<center>/: every answer file a newer one replaced (hidden: not read)


def load(settings: Settings) -> Campaign:
    """The validated campaign of ``settings.inputs``; InputError lists every problem."""
    return load_campaign(settings.inputs, settings.links_file)


def center_of(campaign: Campaign, province: str, name: str) -> Center | None:
    return next((c for c in campaign.centers if (c.province, c.name) == (province, name)), None)


def answer_path(campaign: Campaign, center: Center) -> Path:
    """Where a center's answers given as data are kept: the answer file the command line reads."""
    return campaign.inputs / "answers" / f"{center.slug}.yaml"


def validate_answer(mapping: Mapping[str, Any], campaign: Campaign, *, others: bool = True) -> Answer | list[Problem]:
    """One center's answers, given in the answer file's shape, checked by the answer file's rules.

    ``mapping``: province, center, assessed_on (ISO or Thai date), assessor {name,
    position}, physical {id: มี/ไม่มี}, quality {id: bool}, notes {id: text}. The
    problems name their field: "assessor.name", "physical.3", "quality.1.1" …
    The Answer returned carries the text of its answer file (``source_text``). ``others``: also refuse
    an answer whose center another answer file names (off for an answer kept already, checked then).
    """
    center = center_of(campaign, str(mapping.get("province") or ""), str(mapping.get("center") or ""))
    target = answer_path(campaign, center) if center else campaign.inputs / "answers" / "_.yaml"
    result = validate_mapping(dict(mapping), FORM, target, campaign.centers, campaign.criteria)
    if isinstance(result, list):
        return result
    assert center is not None  # the validator accepts only listed centers
    found = intake.answer_files_of(campaign.inputs / "answers", center, campaign.centers) if others else []
    others_found = [p for p in found if p != target]
    if others_found:
        shown = ", ".join(str(p.relative_to(campaign.inputs.parent)) for p in others_found)
        return [
            Problem(
                FORM,
                f"มีคำตอบของ{center.name} จังหวัด{center.province} ในไฟล์ {shown} อยู่แล้ว: "
                "ให้เจ้าหน้าที่ย้ายไฟล์นั้นออกจากโฟลเดอร์ answers ก่อน แล้วส่งใหม่",
                field="center",
            )
        ]
    text = intake.render_answer_file(
        intake.TEMPLATE.read_text(encoding="utf-8"), center, campaign.criteria, answer=result
    )
    return replace(result, source_text=text)


def save_answer(settings: Settings, campaign: Campaign, answer: Answer) -> Path:
    """Write ``answer`` (from validate_answer) as its center's answer file, atomically.

    The file it replaces, if any, is kept under answers/.history/ first: no answer is lost.
    """
    target = answer.source
    if target.parent != settings.inputs / "answers" or not answer.source_text:
        raise ValueError("save_answer takes an answer from validate_answer of this campaign")
    with _locked(settings.inputs / "answers" / HISTORY / f"{target.stem}.lock"):
        if target.is_file():
            old = target.read_bytes()
            if old == answer.source_text.encode("utf-8"):
                return target
            stamp = time.strftime("%Y%m%dT%H%M%S") + f"-{time.time_ns() % 1_000_000_000:09d}"
            kept = target.parent / HISTORY / target.stem / f"{stamp}.yaml"
            kept.parent.mkdir(parents=True, exist_ok=True)
            write_text(kept, old.decode("utf-8", errors="replace"))
        write_text(target, answer.source_text)
        intake.remember_answer_file(target, answer.province, answer.center)
    return target


@dataclass(frozen=True)
class ReportBuild:
    """One center's report: made, checked and archived (``ok``), or what went wrong (``problems``)."""

    ok: bool
    docx: Path
    pdf: Path
    findings: tuple[check.Finding, ...] = ()
    problems: tuple[str, ...] = ()
    archived_version: str | None = None  # "v003": the archive version holding this report
    seconds: float = 0.0


def build_report(settings: Settings, campaign: Campaign, answer: Answer) -> ReportBuild:
    """Render, convert, check and archive one center's report, without locking the whole campaign.

    Two calls for one center run one after the other (a lock per center); calls for
    different centers run side by side, each LibreOffice on a profile of its own.
    """
    started = time.perf_counter()
    doc = reports.documents(campaign, [answer])[0]
    docx, pdf = settings.outputs / f"{doc.name}.docx", settings.outputs / f"{doc.name}.pdf"

    def done(problems: list[str], findings: Sequence[check.Finding] = (), version: str | None = None) -> ReportBuild:
        return ReportBuild(
            not problems, docx, pdf, tuple(findings), tuple(problems), version, time.perf_counter() - started
        )

    slug = Path(doc.name).name
    with _locked(settings.outputs / ".locks" / f"{slug}.lock"):
        try:
            render(doc, settings.templates, docx)
        except TemplateProblem as problem:
            return done([str(problem)])
        with _profile_slot(settings) as profiles:
            result = convert.convert(
                [(docx, pdf)],
                fontconfig=fonts.prepare(settings.build),
                pdfa=doc.pdfa,
                workers=1,
                profile_root=profiles,
                batch_timeout=settings.batch_timeout,
                file_timeout=settings.file_timeout,
            )
        if pdf not in result.converted:
            reason = result.failed.get(docx, "ไม่ทราบสาเหตุ")
            return done([f"{docx.relative_to(settings.outputs)}: แปลงเป็น PDF ไม่สำเร็จ ({reason})"])
        exp = check.Expectation(pdf, doc.kind, dict(doc.expect), pdfa=doc.pdfa, facts=doc.facts)
        with _PYMUPDF:
            findings = check.check_pdf(exp, RULES_BY_KIND.get(doc.kind, {}))
        failed = [f"{pdf.relative_to(settings.outputs)}: {f.rule}: {f.detail}" for f in findings if not f.ok]
        if failed:
            return done(failed, findings)  # a report that fails its check is never archived
        # The answer's own text: its file may already hold a newer revision.
        row, text = (answer.source_text, "") if answer.source_where else ("", answer.source_text)
        entry = archive.ArchiveEntry(
            slug, pdf, answer.source, row, answer_text=text, inputs_digest=runner.inputs_digest(campaign, settings)
        )
        (kept,) = archive.archive([entry], settings.outputs / "archive")
        return done([], findings, kept.path.name)


@dataclass(frozen=True)
class BuildResult:
    status: int  # the exit status (pipeline.errors.ExitCode)
    outcome: runner.Outcome
    findings: tuple[check.Finding, ...] = ()

    @property
    def failures(self) -> list[str]:
        return self.outcome.failures


def build(
    settings: Settings,
    command: str = "build",
    progress: Callable[[str, int, int], None] | None = None,
    log: TextIO | None = None,
) -> BuildResult:
    """A whole build of ``command``'s documents ("build", "letters", "forms", "reports", "check").

    Raises Busy when another build holds the outputs folder, InputError for bad inputs.
    ``log`` receives the run's Thai account of what it did (default: dropped).
    """
    log = log if log is not None else io.StringIO()
    result = runner.execute(command, settings, io.StringIO(), log, progress=progress, catch=False)
    return BuildResult(result.status, result.outcome, result.findings)


# --- locks -------------------------------------------------------------------------


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Hold an exclusive flock on ``path`` (waiting for it); the kernel frees it if the holder dies."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


@contextmanager
def _profile_slot(settings: Settings) -> Iterator[Path]:
    """A LibreOffice profile folder no other call is using (waits until one is free).

    Kept apart from a whole build's profiles, so one report never waits for a campaign build.
    """
    root = settings.profile_root.parent / f"{settings.profile_root.name}-single"
    root.mkdir(parents=True, exist_ok=True)
    slots = max(2, cores())
    while True:
        for n in range(slots):
            with open(root / f"{n}.lock", "a+b") as handle:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    continue  # in use: try the next one
                yield root / str(n)
                return
        time.sleep(0.05)
