"""The stages in order: render → convert → compose → assemble → check → archive.

``execute(plan, context)`` runs the tasks of a plan (pipeline/plan.py) that are not up
to date, stage after stage, and says what it did in an Outcome. Each stage takes what
the ones before wrote and nothing else. A task is up to date when the ledger holds its
key and its files are as written then (pipeline/uptodate.py); a stale one is forgotten
first, and recorded again once it is whole.

This module says nothing to a person. It emits events (stage, done, total) and each
door turns them into its own Thai words: the command line's progress lines, the web
app's progress bar; the outcome's failures are already in Thai, naming the file.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from . import archive, check, convert, fonts
from .convert.compose import Shared, convert_composing
from .plan import STAGES, Plan, Task
from .registry import COMPOSED, RULES_BY_KIND
from .render import render_all
from .settings import Settings
from .uptodate import Ledger
from .workers import parallel_map

_PYMUPDF = threading.Lock()  # PyMuPDF is not thread-safe: checks in this process one call at a time


@dataclass(frozen=True)
class Event:
    """Progress: ``done`` of ``total`` tasks of ``stage``; ``variant`` "pdfa" for the PDF/A pass."""

    stage: str
    done: int
    total: int
    variant: str = ""


class Converter(Protocol):
    """Turns DOCX into PDF (pipeline.convert): the batch converter, or warm LibreOffice instances.
    ``destinations``: bookmarks exported as PDF named destinations (pipeline/convert/compose.py);
    ``numbers``: page numbers in Thai digits (compose numbers the parts it converts itself)."""

    def __call__(
        self,
        jobs: Sequence[tuple[Path, Path]],
        pdfa: bool,
        progress: Callable[[int, int], None],
        destinations: bool = False,
        numbers: bool = True,
    ) -> convert.Conversion: ...


@dataclass
class Context:
    """What a run works with: where (``settings``), its record (``ledger``), who hears of its progress
    (``events``), and which LibreOffice converts (``converter``; default: batches as settings say)."""

    settings: Settings
    ledger: Ledger
    events: Callable[[Event], None] = lambda event: None
    converter: Converter | None = None
    # Each report's own audit-log entry by center slug (reports made together, each for its own submit);
    # a report not named here is archived with settings.cause.
    causes: Mapping[str, tuple[int, str]] = field(default_factory=dict)

    def convert(
        self,
        jobs: Sequence[tuple[Path, Path]],
        pdfa: bool,
        progress: Callable[[int, int], None],
        destinations: bool = False,
        numbers: bool = True,
    ) -> Any:
        if self.converter is not None:
            return self.converter(jobs, pdfa, progress, destinations, numbers)
        s = self.settings
        return convert.convert(
            jobs,
            convert.How(
                fontconfig=fonts.prepare(s.build),
                pdfa=pdfa,
                profile_root=s.profile_root,
                batch_timeout=s.batch_timeout,
                file_timeout=s.file_timeout,
                destinations=destinations,
                numbers=numbers,
            ),
            progress=progress,
        )


@dataclass
class Outcome:
    """What a run did; non-empty ``failures`` means a non-zero exit."""

    documents: int = 0
    failures: list[str] = field(default_factory=list)  # in Thai, each naming its file
    checks: int = 0  # rules run or recalled on every PDF
    checks_failed: int = 0
    rebuilt: list[str] = field(default_factory=list)  # outputs made this run (names as in outputs/)
    current: int = 0  # outputs found up to date and left alone
    checked: int = 0  # PDFs checked this run (the others' results were still valid)
    archived: list[str] = field(default_factory=list)  # centers with a new archive version
    versions: dict[str, str] = field(default_factory=dict)  # document name → archive version ("v003")
    findings: list[check.Finding] = field(default_factory=list)
    log: list[str] = field(default_factory=list)  # LibreOffice's account of retries and failures
    seconds: dict[str, float] = field(default_factory=dict)  # stage → wall seconds
    problems: dict[str, str] = field(default_factory=dict)  # task name → why it failed

    @property
    def ok(self) -> bool:
        return not self.failures and all(f.ok for f in self.findings)


def execute(plan: Plan, context: Context) -> Outcome:
    """Run what is stale in ``plan``, stage after stage; what a stage could not make is in the failures,
    and the stages after it still run for everything else."""
    outcome = Outcome(documents=len(plan.documents))
    if plan.source_problem:
        outcome.failures.append(f"เทียบชุดเอกสารกับหนังสือต้นฉบับไม่ได้: {plan.source_problem}")
    for stage in STAGES:
        tasks = plan.stage(stage)
        if tasks:
            with _timed(outcome, stage):
                STAGE[stage](tasks, context, outcome)
    return outcome


@contextmanager
def _timed(outcome: Outcome, stage: str) -> Iterator[None]:
    start = time.perf_counter()
    try:
        yield
    finally:
        outcome.seconds[stage] = outcome.seconds.get(stage, 0.0) + time.perf_counter() - start


def _stale(tasks: Sequence[Task], context: Context, outcome: Outcome, counted: bool = True) -> list[Task]:
    """The tasks not up to date (forgotten until made again); the others counted as current."""
    ledger = context.ledger
    stale = [t for t in tasks if not ledger.current(t.name, t.key(), t.files)]
    for t in stale:
        ledger.forget(t.name)
    if counted:
        outcome.current += len(tasks) - len(stale)
    return stale


def _progress(context: Context, stage: str, variant: str = "") -> Callable[[int, int], None]:
    return lambda done, total: context.events(Event(stage, done, total, variant))


def _made(task: Task, context: Context, outcome: Outcome, problem: str | None, counted: bool = True) -> None:
    """Record ``task`` as made, or its problem."""
    if problem:
        outcome.failures.append(problem)
        outcome.problems[task.name] = problem
        return
    context.ledger.record(task.name, task.key(), task.files)
    if counted:
        outcome.rebuilt.append(task.name)


# --- the stages ----------------------------------------------------------------------


def render(tasks: Sequence[Task], context: Context, outcome: Outcome) -> None:
    """Each stale document's DOCX from its template and context (docxtpl), one process per core."""
    stale = _stale(tasks, context, outcome, counted=False)
    s = context.settings
    problems = render_all([t.what for t in stale], s.templates, s.outputs, progress=_progress(context, "render"))
    for t in stale:
        _made(t, context, outcome, problems.get(t.what.name), counted=False)


def to_pdf(tasks: Sequence[Task], context: Context, outcome: Outcome) -> None:
    """Each stale document's PDF from its DOCX (LibreOffice): the PDF/A ones in a pass of their own."""
    outputs = context.settings.outputs
    stale = [t for t in _stale(tasks, context, outcome) if f"docx:{t.name}" not in outcome.problems]
    for pdfa in (False, True):
        todo = [t for t in stale if t.what.pdfa == pdfa]
        if not todo:
            continue
        jobs = [(outputs / f"{t.name}.docx", outputs / f"{t.name}.pdf") for t in todo]
        result = context.convert(jobs, pdfa, _progress(context, "convert", "pdfa" if pdfa else ""))
        _converted(todo, jobs, result, context, outcome)


def _converted(
    todo: Sequence[Task], jobs: Sequence[tuple[Path, Path]], result: Any, context: Context, outcome: Outcome
) -> None:
    outputs = context.settings.outputs
    outcome.log += result.log
    for t, (docx, pdf) in zip(todo, jobs, strict=True):
        reason = result.failed.get(docx, "ไม่ทราบสาเหตุ") if pdf not in result.converted else None
        _made(t, context, outcome, reason and f"{docx.relative_to(outputs)}: แปลงเป็น PDF ไม่สำเร็จ ({reason})")


def compose(tasks: Sequence[Task], context: Context, outcome: Outcome) -> None:
    """The PDFs of documents that share pages (registry ``shared_from``): per kind and template, the
    shared pages laid out once and each document's own pages on their own, put together; what its
    layout does not allow is converted whole (pipeline/convert/compose.py). The same PDFs as ``to_pdf``."""
    outputs = context.settings.outputs
    stale = [t for t in _stale(tasks, context, outcome) if f"docx:{t.name}" not in outcome.problems]
    groups: dict[tuple[str, str, bool], list[Task]] = {}
    for t in stale:
        groups.setdefault((t.what.kind, t.what.template, t.what.pdfa), []).append(t)
    for (kind, _, pdfa), todo in groups.items():
        jobs = [(outputs / f"{t.name}.docx", outputs / f"{t.name}.pdf") for t in todo]
        composed = COMPOSED[kind]
        shared = Shared(tuple(jobs), composed.shared_from, composed.swapped, composed.compose_from)
        page_font = (
            fonts.font_file(fonts.prepare(context.settings.build)) if shared.composes else None
        )  # fc-match: 20 ms
        result = convert_composing([], [shared], _Composer(context, pdfa), page_font)
        _converted(todo, jobs, result, context, outcome)


def _no_progress(done: int, total: int) -> None:
    pass


@dataclass
class _Composer:
    """The context's converter as compose calls it."""

    context: Context
    pdfa: bool

    def __call__(
        self, jobs: Sequence[tuple[Path, Path]], *, destinations: bool = False, numbers: bool = True
    ) -> convert.Conversion:
        progress = _progress(self.context, "compose", "pdfa" if self.pdfa else "")
        if destinations:  # the copy that maps the shared pages: not one of the documents counted
            progress = _no_progress
        result: convert.Conversion = self.context.convert(jobs, self.pdfa, progress, destinations, numbers)
        return result


def assemble(tasks: Sequence[Task], context: Context, outcome: Outcome) -> None:
    """Print files, packages, fillable forms and tables (pipeline/products.py), each only when what it is
    made of changed."""
    _make_all(tasks, context, outcome, "assemble")


def _make_all(tasks: Sequence[Task], context: Context, outcome: Outcome, stage: str) -> None:
    stale = _stale(tasks, context, outcome)
    outputs = context.settings.outputs
    problems = parallel_map(_make_one, [(t.what, outputs) for t in stale], progress=_progress(context, stage))
    for t, problem in zip(stale, problems, strict=True):
        _made(t, context, outcome, problem)


def _make_one(job: tuple[Any, Path]) -> str | None:
    what, outputs = job
    problem: str | None = what.make(outputs)
    return problem


def verify(tasks: Sequence[Task], context: Context, outcome: Outcome) -> None:
    """Every PDF's rules; a PDF whose bytes, expectation and checking code are those of an earlier
    check keeps that check's result (the rules are deterministic). Other checks run every time."""
    ledger = context.ledger
    pdf_tasks = [t for t in tasks if isinstance(t.what, check.Expectation)]
    keys = {t.name: t.key() for t in pdf_tasks}
    earlier = {t.name: ledger.data(t.name) for t in pdf_tasks if ledger.current(t.name, keys[t.name], [])}
    todo = [t for t in pdf_tasks if t.name not in earlier]
    with _PYMUPDF:
        fresh = check.check_all([t.what for t in todo], RULES_BY_KIND, progress=_progress(context, "check"))
    outcome.checked = len(todo)
    by_pdf: dict[Path, list[check.Finding]] = {}
    for t in pdf_tasks:
        if t.name in earlier:
            by_pdf[t.what.pdf] = [check.Finding(t.what.pdf, r, ok, d, t.what.kind) for r, ok, d in earlier[t.name]]
    for finding in fresh:
        by_pdf.setdefault(finding.pdf, []).append(finding)
    for t in todo:
        if t.what.pdf.is_file():
            ledger.record(t.name, keys[t.name], [], [[f.rule, f.ok, f.detail] for f in by_pdf[t.what.pdf]])
    for t in tasks:
        outcome.findings += by_pdf.get(t.what.pdf, []) if t in pdf_tasks else t.what()
    outcome.checks = len(outcome.findings)
    outcome.checks_failed = sum(not f.ok for f in outcome.findings)


def keep(tasks: Sequence[Task], context: Context, outcome: Outcome) -> None:
    """Archive every document that passed its checks (a failed one never is), with the answers it was
    made from. The archive keeps its own record: a version is added only when they changed."""
    outputs = context.settings.outputs
    failed = {f.pdf for f in outcome.findings if not f.ok}
    entries, names = [], {}
    for t in tasks:
        doc = t.document
        assert doc is not None
        pdf = outputs / f"{doc.name}.pdf"
        if not pdf.is_file() or pdf in failed or doc.name in outcome.problems:
            continue
        answer = doc.facts["answer"]
        # A row of a many-center CSV is archived as that row; answers given as data as their own text
        # (their file may already hold a newer revision).
        row, text = (answer.source_text, "") if answer.source_where else ("", answer.source_text)
        slug = Path(doc.name).name
        names[slug] = doc.name
        digest = t.ingredients[0]  # the criteria, template and code (plan.inputs_digest)
        entries.append(
            archive.ArchiveEntry(
                slug,
                pdf,
                answer.source,
                row,
                answer_text=text,
                inputs_digest=digest,
                audit=audit_ref(context.settings, context.causes.get(slug)),
            )
        )
    results = archive.archive(entries, outputs / "archive")
    outcome.archived += [r.slug for r in results if r.created]
    outcome.versions.update({names[r.slug]: r.path.name for r in results})


def audit_ref(settings: Settings, cause: tuple[int, str] | None = None) -> dict[str, Any] | None:
    """How a manifest names the audit-log entry of the action that made it (``cause``, else Settings.cause)."""
    cause = cause or settings.cause
    return {"entry": cause[0], "hash": cause[1]} if cause else None


STAGE: dict[str, Callable[[Sequence[Task], Context, Outcome], None]] = {
    "render": render,
    "convert": to_pdf,
    "compose": compose,
    "assemble": assemble,
    "check": verify,
    "archive": keep,
}
