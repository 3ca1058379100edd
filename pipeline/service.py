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
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TextIO

from . import answer_files, check, convert, fonts, runner
from .check.wordbreak import prepare as prepare_checks
from .convert import Conversion
from .documents import Document, reports
from .documents import summary as summary_kind
from .execute import Context, Converter, Outcome, execute
from .files import write_text
from .load import load_campaign
from .load.answers import validate_mapping
from .model import Answer, Campaign, Center
from .plan import Scope, plan
from .problems import Problem
from .registry import KINDS
from .settings import Settings
from .uptodate import Ledger

__all__ = [
    "BuildResult",
    "ReportBuild",
    "Settings",
    "build",
    "build_report",
    "build_reports",
    "load",
    "save_answer",
    "validate_answer",
]

FORM = "แบบประเมินออนไลน์"  # how problems name answers that came as data, not as a file
REPORTS = tuple(k.name for k in KINDS if k.archived)  # the kinds a center's answers make: its report
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
    found = answer_files.answer_files_of(campaign.inputs / "answers", center, campaign.centers) if others else []
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
    text = answer_files.render_answer_file(
        answer_files.TEMPLATE.read_text(encoding="utf-8"), center, campaign.criteria, answer=result
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
        answer_files.remember_answer_file(target, answer.province, answer.center)
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
    """Render, convert, check and archive one center's report, without locking the whole campaign."""
    return build_reports(settings, campaign, [answer])[0]


def build_reports(
    settings: Settings,
    campaign: Campaign,
    answers: Sequence[Answer],
    causes: Mapping[str, tuple[int, str]] | None = None,
) -> list[ReportBuild]:
    """The reports of ``answers`` (at most one per center), made by one plan: rendered together and
    converted in one LibreOffice pass, then checked and archived; one ReportBuild per answer, in order.

    Only what is stale is made, and the build ledger records it, so the next ``gecc build`` does not make
    these reports again. Two calls for one center run one after the other (a lock per center); calls for
    different centers run side by side, their LibreOffice on profiles of their own, apart from a campaign
    build's (a report never waits for one). ``causes``: each report's own audit-log entry (its submit) by
    center slug, named by its archive manifest (default: settings.cause).
    """
    started = time.perf_counter()
    slugs = sorted({reports.center_of(campaign, a).slug for a in answers})
    if len(slugs) != len(answers):
        raise ValueError("build_reports takes at most one answer per center")
    with ExitStack() as locks:
        for slug in slugs:  # in one order: two calls waiting for each other's centers cannot deadlock
            locks.enter_context(_locked(settings.outputs / ".locks" / f"{slug}.lock"))
        ledger = Ledger(settings.outputs)
        planned = plan(campaign, Scope(settings, REPORTS, answers=tuple(answers)))
        try:
            outcome = execute(planned, Context(settings, ledger, converter=_converter(settings), causes=causes or {}))
        finally:
            ledger.save()
        check.update_json(outcome.findings, settings.outputs / "check.json")  # the downloads page shows them
    seconds = time.perf_counter() - started
    return [_report_build(doc, outcome, settings.outputs, seconds) for doc in _in_order(planned.documents, answers)]


def _in_order(docs: Sequence[Document], answers: Sequence[Answer]) -> list[Document]:
    by_answer = {id(d.facts["answer"]): d for d in docs}
    return [by_answer[id(a)] for a in answers]


def _report_build(doc: Document, outcome: Outcome, outputs: Path, seconds: float) -> ReportBuild:
    docx, pdf = outputs / f"{doc.name}.docx", outputs / f"{doc.name}.pdf"
    findings = tuple(f for f in outcome.findings if f.pdf == pdf)
    problems = [outcome.problems[n] for n in (f"docx:{doc.name}", doc.name) if n in outcome.problems]
    if not problems:
        problems = [f"{pdf.relative_to(outputs)}: {f.rule}: {f.detail}" for f in findings if not f.ok]
    # A report that fails its check is never archived.
    version = outcome.versions.get(doc.name) if not problems else None
    return ReportBuild(not problems, docx, pdf, findings, tuple(problems), version, seconds)


def _converter(settings: Settings) -> Converter:
    """LibreOffice for reports made outside a campaign build, on profiles of their own: kept warm in this
    process over UNO (no start-up per report), or, without python3-uno, a batch per call."""
    root = settings.profile_root.parent / f"{settings.profile_root.name}-single"
    fontconfig = fonts.prepare(settings.build)
    if convert.available():
        return convert.process_pool(fontconfig, root, settings.file_timeout)

    def converting(
        jobs: Sequence[tuple[Path, Path]],
        pdfa: bool,
        progress: Callable[[int, int], None],
        destinations: bool = False,
        numbers: bool = True,
    ) -> Conversion:
        return convert.convert(
            jobs,
            convert.How(
                fontconfig=fontconfig,
                pdfa=pdfa,
                profile_root=root,
                batch_timeout=settings.batch_timeout,
                file_timeout=settings.file_timeout,
                destinations=destinations,
                numbers=numbers,
            ),
            progress=progress,
        )

    return converting


def warm_up(settings: Settings) -> None:
    """Start this process's LibreOffice for reports now, and load what the checks read (the word list):
    a report worker's first report then waits for neither."""
    prepare_checks()
    converter = _converter(settings)
    if isinstance(converter, convert.WarmPool):
        converter.start()


@dataclass(frozen=True)
class BuildResult:
    status: int  # the exit status (pipeline.errors.ExitCode)
    outcome: Outcome
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
    result = runner.execute_command(command, settings, runner.Door(io.StringIO(), log, progress, catch=False))
    return BuildResult(result.status, result.outcome, result.findings)


# --- the national figures: results.csv, results.xlsx and the summary ---------------------------


SUMMARY = "summary"  # the registry's kind: the national summary and the results tables


@dataclass(frozen=True)
class ResultsState:
    """How results.csv (and the summary made with it) stands against the answer files."""

    made_at: float | None  # when results.csv was last written (seconds since the epoch); None: never
    current: bool  # made from the answer files as they are now: nothing to refresh


def results_state(settings: Settings, campaign: Campaign) -> ResultsState:
    """Whether results.csv, results.xlsx and the summary are made from ``campaign``'s answers as they
    are now, decided as a build decides it (the build ledger), without making anything."""
    csv = settings.outputs / summary_kind.RESULTS_CSV
    made_at = csv.stat().st_mtime if csv.is_file() else None
    planned = plan(campaign, Scope(settings, (SUMMARY,)))
    ledger = Ledger(settings.outputs)
    making = [t for t in planned.tasks if t.stage != "check"]
    current = made_at is not None and all(ledger.current(t.name, t.key(), t.files) for t in making)
    return ResultsState(made_at, current)


def refresh_results(
    settings: Settings, progress: Callable[[str, int, int], None] | None = None, log: TextIO | None = None
) -> BuildResult:
    """Make results.csv, results.xlsx and the national summary again from the answer files as they are
    now (only them: no report, form or letter), checked; one run at a time per outputs folder, like
    ``build`` (raises Busy while another holds it)."""
    return build(settings, SUMMARY, progress, log)


# --- locks -------------------------------------------------------------------------


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Hold an exclusive flock on ``path`` (waiting for it); the kernel frees it if the holder dies."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield
