"""The stages in order: load → contexts → render DOCX → convert to PDF → assemble → check.

Each stage takes what the one before produced and nothing else; this module
only wires them together, reports progress and decides the exit status.
Where to read and write, and the time bounds, come in a Settings value.
"""

from __future__ import annotations

import re
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TextIO

from . import archive, assemble, check, convert, exports, fillable, fonts, intake, workbooks
from .check.kinds import results_csv
from .documents import Document, reports, summary
from .errors import ExitCode, describe
from .files import remove_leftovers
from .guard import exclusive, sigterm_interrupts
from .load import load_campaign
from .model import Campaign, Center
from .problems import InputError
from .registry import COMMANDS, EVERYTHING, RULES_BY_KIND, documents_for
from .render import render_all, written_beside
from .settings import PROJECT, Settings
from .uptodate import Ledger, file_digest, fingerprint, tree_digest
from .workers import parallel_map


@dataclass
class Outcome:
    """What a run did; non-empty ``failures`` means a non-zero exit."""

    documents: int = 0
    failures: list[str] = field(default_factory=list)
    checks: int = 0  # rules run or recalled on every PDF
    checks_failed: int = 0
    rebuilt: list[str] = field(default_factory=list)  # outputs made this run (names as in outputs/)
    current: int = 0  # outputs found up to date and left alone
    checked: int = 0  # PDFs checked this run (the others' results were still valid)
    archived: list[str] = field(default_factory=list)  # centers with a new archive version
    seconds: dict[str, float] = field(default_factory=dict)  # stage → wall seconds


@dataclass
class Result:
    status: int
    outcome: Outcome
    findings: tuple[check.Finding, ...] = ()


class _Clock:
    """Wall seconds per stage, added into ``Outcome.seconds``."""

    def __init__(self, seconds: dict[str, float]):
        self.seconds = seconds

    @contextmanager
    def __call__(self, stage: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[stage] = self.seconds.get(stage, 0.0) + time.perf_counter() - start


ProgressHook = Callable[[str, int, int], None]  # (what, done, total): a door shows it its own way


class Progress:
    """Progress such as “แปลงเป็น PDF 12/77”: rewritten on one terminal line; in a log, a line per
    quarter; or handed to a door's own ``hook`` (the web app's progress bar)."""

    def __init__(self, stream: TextIO, hook: ProgressHook | None = None):
        self.stream = stream
        self.hook = hook
        self.live = stream.isatty()

    def __call__(self, label: str) -> Callable[[int, int], None]:
        shown = [-1]

        def report(done: int, total: int) -> None:
            if self.hook is not None:
                self.hook(label, done, total)
                return
            if self.live:
                self.stream.write(f"\r{label} {done}/{total}" + ("\n" if done >= total else ""))
            elif done >= total or done * 4 // total > shown[0]:
                shown[0] = done * 4 // total
                self.stream.write(f"{label} {done}/{total}\n")
            self.stream.flush()

        return report


def expectations(
    campaign: Campaign, kinds: Sequence[str], outputs: Path, source: Path | None = None
) -> list[check.Expectation]:
    """What every PDF of ``kinds`` must be, documents and assembled files alike; ``source``: the source
    circular (OCR text) the collective package is compared with, when given."""
    exps = [
        check.Expectation(outputs / f"{d.name}.pdf", d.kind, dict(d.expect), pdfa=d.pdfa, facts=d.facts)
        for d in documents_for(campaign, kinds)
    ]
    joined = ("a4_portrait", "pages")  # their parts were checked one by one
    compare = {"source": source} if source is not None else {}
    exps += [
        check.Expectation(
            outputs / f"{p.name}.pdf",
            p.kind,
            page_numbers=False,
            rules=joined,
            facts=compare if p.name == assemble.COLLECTIVE else {},
        )
        for p in assemble.products(campaign, kinds)
    ]
    if "forms" in kinds:
        fields = fillable.field_names(campaign.criteria)
        exps += [
            check.Expectation(
                outputs / f"{fillable_name(c)}.pdf",
                "fillable",
                page_numbers=False,
                rules=joined,
                facts={"fields": fields},
            )
            for c in campaign.centers
        ]
    return exps


def source_problem(campaign: Campaign, source: Path) -> str | None:
    """Why the collective package cannot be compared with ``source`` (None: it can). Only the
    source circular's own campaign (its 76 centers) can be compared line by line."""
    if not source.is_file():
        return f"ไม่พบไฟล์หนังสือต้นฉบับ {source}"
    listed = re.findall(r"^[๐-๙]+\t\S+\t(\S+)", source.read_text(encoding="utf-8"), re.M)
    if sorted(listed) != sorted(c.name for c in campaign.centers):
        return f"รายชื่อศูนย์ใน {source.name} ไม่ตรงกับ centers.csv จึงเทียบกับต้นฉบับไม่ได้"
    return None


def fillable_name(center: Center) -> str:
    return f"forms/{center.slug}-fillable"


@lru_cache(maxsize=1)
def code_version() -> str:
    """The code's identity: every module of the pipeline and the pinned libraries."""
    return tree_digest(
        [
            *(PROJECT / "pipeline").rglob("*.py"),
            *(PROJECT / "pipeline" / "reference").iterdir(),
            PROJECT / "requirements.txt",
        ]
    )


def produce(
    campaign: Campaign,
    kinds: Sequence[str],
    settings: Settings,
    ledger: Ledger,
    outcome: Outcome,
    log: TextIO,
    progress: Progress,
) -> None:
    """Render, convert and assemble every document of ``kinds`` that is not up to date."""
    outputs = settings.outputs
    clock = _Clock(outcome.seconds)
    remove_leftovers(outputs)
    with clock("contexts"):
        docs = documents_for(campaign, kinds)
        fontconfig = fonts.prepare(settings.build)
        # Besides its own template and context, every PDF depends on these.
        common = fingerprint(code_version(), convert.identity(), tree_digest(fontconfig.parent.glob("*")))
        templates = {name: file_digest(settings.templates / name) for name in {d.template for d in docs}}
        keys = {d.name: fingerprint(common, templates[d.template], d) for d in docs}
        stale = [d for d in docs if not ledger.current(d.name, keys[d.name], _files(d, outputs))]
    outcome.documents = len(docs)
    outcome.current += len(docs) - len(stale)
    for doc in stale:
        ledger.forget(doc.name)  # until it is rebuilt whole
    with clock("render"):
        problems = render_all(stale, settings.templates, outputs, progress=progress("สร้าง DOCX"))
    outcome.failures += problems.values()
    rendered = [doc for doc in stale if doc.name not in problems]
    with clock("convert"):
        converted = _convert(rendered, settings, fontconfig, outcome, progress, log)
    for doc in rendered:
        if outputs / f"{doc.name}.pdf" in converted:
            ledger.record(doc.name, keys[doc.name], _files(doc, outputs))
            outcome.rebuilt.append(doc.name)
    with clock("assemble"):
        _assemble(campaign, kinds, outputs, ledger, outcome)
    if outcome.rebuilt:
        log.write(f"สร้างใหม่ {len(outcome.rebuilt)} รายการ; เป็นปัจจุบันอยู่แล้ว {outcome.current} รายการ (ไม่ได้ทำซ้ำ)\n")
    else:
        log.write(f"ทุกรายการเป็นปัจจุบันแล้ว ({outcome.current} รายการ): ไม่ได้สร้างหรือแปลงเอกสารใดใหม่\n")


def _files(doc: Document, outputs: Path) -> list[Path]:
    docx = outputs / f"{doc.name}.docx"
    return [docx, *written_beside(doc, docx), outputs / f"{doc.name}.pdf"]


def _convert(
    docs: Sequence[Document], settings: Settings, fontconfig: Path, outcome: Outcome, progress: Progress, log: TextIO
) -> set[Path]:
    """PDF/A documents and the others in two LibreOffice passes; the PDFs written."""
    outputs = settings.outputs
    converted: set[Path] = set()
    for pdfa in (False, True):
        jobs = [(outputs / f"{d.name}.docx", outputs / f"{d.name}.pdf") for d in docs if d.pdfa == pdfa]
        if not jobs:
            continue
        result = convert.convert(
            jobs,
            fontconfig=fontconfig,
            pdfa=pdfa,
            profile_root=settings.profile_root,
            batch_timeout=settings.batch_timeout,
            file_timeout=settings.file_timeout,
            progress=progress("แปลงเป็น PDF/A" if pdfa else "แปลงเป็น PDF"),
        )
        log.writelines(f"  {line}\n" for line in result.log)
        outcome.failures += [
            f"{docx.relative_to(outputs)}: แปลงเป็น PDF ไม่สำเร็จ ({reason})" for docx, reason in result.failed.items()
        ]
        converted.update(result.converted)
    return converted


def _assemble(campaign: Campaign, kinds: Sequence[str], outputs: Path, ledger: Ledger, outcome: Outcome) -> None:
    """Print files, packages, fillable forms and the results table, each only when what it is made of changed."""
    tasks: list[tuple[str, str, object]] = []  # (name, key, what _make_one makes)
    for product in assemble.products(campaign, kinds):
        tasks.append(
            (product.name, fingerprint(code_version(), product, [outputs / f"{n}.pdf" for n in product.parts]), product)
        )
    if "forms" in kinds:
        for center in campaign.centers:
            form = outputs / f"forms/{center.slug}.pdf"
            tasks.append(
                (
                    fillable_name(center),
                    fingerprint(code_version(), form, campaign.criteria, center),
                    (form, campaign.criteria, center),
                )
            )
    todo = [t for t in tasks if not ledger.current(t[0], t[1], [outputs / f"{t[0]}.pdf"])]
    outcome.current += len(tasks) - len(todo)
    for name, _, _ in todo:
        ledger.forget(name)
    problems = parallel_map(_make_one, [(name, what, outputs) for name, _, what in todo])
    for (name, key, _), problem in zip(todo, problems, strict=True):
        if problem:
            outcome.failures.append(problem)
        else:
            ledger.record(name, key, [outputs / f"{name}.pdf"])
            outcome.rebuilt.append(name)
    if "summary" in kinds:
        exports.write_csv(
            summary.results_rows(campaign), outputs / summary.RESULTS_CSV, summary.results_columns(campaign.criteria)
        )
        workbooks.results_workbook(campaign, outputs / workbooks.RESULTS_XLSX)


def _make_one(task: tuple[str, object, Path]) -> str | None:
    """One print file or package (a Product), or one fillable form ((form, criteria, center)); a problem or None."""
    name, what, outputs = task
    if isinstance(what, assemble.Product):
        return assemble.make(what, outputs)
    assert isinstance(what, tuple)
    form, criteria, center = what
    if not form.is_file():
        return f"{name}.pdf: ไม่ได้สร้าง เพราะขาด {form.name}"
    try:
        fillable.make_fillable(form, outputs / f"{name}.pdf", criteria, center)
    except ValueError as error:
        return f"{name}.pdf: {error}"
    return None


def inputs_digest(campaign: Campaign, settings: Settings) -> str:
    """What a report depends on besides its answers: the criteria, the template, the code."""
    return fingerprint(campaign.inputs / "criteria.yaml", settings.templates / reports.TEMPLATE, code_version())


def archive_reports(
    campaign: Campaign, findings: Sequence[check.Finding], settings: Settings, log: TextIO
) -> list[str]:
    """Archive every report that passed its checks (a failed one never is); the centers given a new version."""
    outputs = settings.outputs
    failed = {f.pdf for f in findings if not f.ok}
    digest = inputs_digest(campaign, settings)
    entries = []
    for doc in reports.documents(campaign):
        pdf = outputs / f"{doc.name}.pdf"
        if pdf.is_file() and pdf not in failed:
            answer = doc.facts["answer"]
            entries.append(
                archive.ArchiveEntry(Path(doc.name).name, pdf, answer.source, answer.source_text, inputs_digest=digest)
            )
    results = archive.archive(entries, outputs / "archive")
    new = [r.slug for r in results if r.created]
    log.write(f"จัดเก็บ: รายงานใหม่ {len(new)} ฉบับ, ไม่เปลี่ยนแปลง {len(results) - len(new)} ฉบับ\n")
    return new


def verify(
    campaign: Campaign,
    kinds: Sequence[str],
    settings: Settings,
    ledger: Ledger,
    outcome: Outcome,
    log: TextIO,
    progress: Progress,
    verbose: bool = False,
) -> list[check.Finding]:
    """Check every PDF the inputs call for; write check.json; print the failing rows (every row: ``verbose``).

    A PDF whose bytes, expectation and checking code are those of an earlier check
    keeps that check's result (the rules are deterministic); the others are checked now.
    """
    outputs = settings.outputs
    source = None
    if settings.source is not None and "forms" in kinds:
        why = source_problem(campaign, settings.source)
        if why:
            outcome.failures.append(f"เทียบชุดเอกสารกับหนังสือต้นฉบับไม่ได้: {why}")
        else:
            source = settings.source
    exps = expectations(campaign, kinds, outputs, source)
    keys = {exp.pdf: fingerprint(code_version(), exp) for exp in exps}
    earlier = {
        exp.pdf: ledger.data(_check_name(exp, outputs))
        for exp in exps
        if ledger.current(_check_name(exp, outputs), keys[exp.pdf], [])
    }
    todo = [exp for exp in exps if exp.pdf not in earlier]
    fresh = check.check_all(todo, RULES_BY_KIND, progress=progress("ตรวจ PDF"))
    outcome.checked = len(todo)
    by_pdf = {
        exp.pdf: [check.Finding(exp.pdf, rule, ok, detail, exp.kind) for rule, ok, detail in earlier[exp.pdf]]
        for exp in exps
        if exp.pdf in earlier
    }
    for finding in fresh:
        by_pdf.setdefault(finding.pdf, []).append(finding)
    for exp in todo:
        if exp.pdf.is_file():
            ledger.record(
                _check_name(exp, outputs), keys[exp.pdf], [], [[f.rule, f.ok, f.detail] for f in by_pdf[exp.pdf]]
            )
    findings = [f for exp in exps for f in by_pdf.get(exp.pdf, [])]
    if "summary" in kinds:
        table = outputs / summary.RESULTS_CSV
        problems = results_csv(table, campaign.answers, campaign.criteria)
        findings.append(check.Finding(table, "results_csv", not problems, "\n".join(problems), summary.KIND))
    failing = [f for f in findings if not f.ok]
    outcome.checks, outcome.checks_failed = len(findings), len(failing)
    if verbose or failing:
        log.write(check.summary_table(findings if verbose else failing) + "\n")
    check.write_json(findings, outputs / "check.json")
    return findings


def _check_name(exp: check.Expectation, outputs: Path) -> str:
    return f"check:{exp.pdf.relative_to(outputs)}"


def init_answers(settings: Settings, err: TextIO = sys.stderr) -> int:
    campaign = load_campaign(settings.inputs)
    written = intake.init_answers(settings.inputs, campaign)
    err.write(f"สร้างไฟล์คำตอบเปล่า {len(written)} ไฟล์ใน {settings.inputs.name}/answers (ไฟล์ที่มีอยู่แล้วไม่ถูกแตะต้อง)\n")
    return ExitCode.ok


def ingest_forms(pdfs: Sequence[Path], settings: Settings, err: TextIO = sys.stderr) -> int:
    campaign = load_campaign(settings.inputs)
    written, problems = intake.ingest(pdfs, settings.inputs, campaign)
    for path in written:
        err.write(f"เขียน {path.relative_to(settings.inputs.parent)}: กรอกชื่อผู้ประเมิน ตำแหน่ง และวันที่ จากแบบที่ลงนามแล้ว\n")
    if problems:
        err.write(f"แบบประเมินมีปัญหา {len(problems)} รายการ:\n")
        err.writelines(f"  - {p}\n" for p in problems)
    return ExitCode.failed if problems or not pdfs else ExitCode.ok


def run(
    command: str, settings: Settings, out: TextIO = sys.stdout, err: TextIO = sys.stderr, verbose: bool = False
) -> int:
    """One command end to end; the exit status (pipeline.errors.ExitCode)."""
    return execute(command, settings, out, err, verbose=verbose).status


def execute(
    command: str,
    settings: Settings,
    out: TextIO = sys.stdout,
    err: TextIO = sys.stderr,
    *,
    progress: ProgressHook | None = None,
    verbose: bool = False,
    catch: bool = True,
) -> Result:
    """``run``, also saying what was done and how long each stage took (for the benchmark and the web app).

    Failures a clerk can meet (pipeline.errors) are written to ``err`` in Thai and become the status;
    with ``catch`` False they are raised instead (the web app shows them its own way).
    """
    kinds = COMMANDS.get(command, EVERYTHING)
    outcome = Outcome()
    started = time.perf_counter()
    findings: list[check.Finding] = []
    status: int
    try:
        try:
            campaign = load_campaign(settings.inputs, settings.links_file)
        finally:
            outcome.seconds["load"] = time.perf_counter() - started
        with sigterm_interrupts(), exclusive(settings.outputs):
            ledger = Ledger(settings.outputs)
            try:
                status = _run(
                    command,
                    kinds,
                    campaign,
                    settings,
                    ledger,
                    outcome,
                    findings,
                    out,
                    err,
                    Progress(err, progress),
                    verbose,
                )
            finally:
                ledger.save()  # what was finished stays recorded, even when interrupted
    except (InputError, OSError, KeyboardInterrupt, RuntimeError) as error:
        failure = describe(error, settings.outputs)
        if failure is None or not catch:
            raise
        err.write(failure.message)
        status = failure.code
    outcome.seconds["total"] = time.perf_counter() - started
    return Result(int(status), outcome, tuple(findings))


def _run(
    command: str,
    kinds: Sequence[str],
    campaign: Campaign,
    settings: Settings,
    ledger: Ledger,
    outcome: Outcome,
    findings: list[check.Finding],
    out: TextIO,
    err: TextIO,
    progress: Progress,
    verbose: bool,
) -> int:
    if campaign.rejected and "reports" in kinds:
        err.write(f"ไฟล์คำตอบมีปัญหา {len(campaign.rejected)} รายการ (ศูนย์เหล่านี้ยังไม่ได้ทำรายงาน ศูนย์อื่นทำต่อ):\n")
        err.writelines(f"  - {p}\n" for p in campaign.rejected)
    if command != "check":
        produce(campaign, kinds, settings, ledger, outcome, err, progress)
    clock = _Clock(outcome.seconds)
    with clock("check"):
        findings += verify(campaign, kinds, settings, ledger, outcome, out, progress, verbose)
    ok = all(f.ok for f in findings)
    if "reports" in kinds and command != "check":
        with clock("archive"):
            outcome.archived = archive_reports(campaign, findings, settings, err)
    if campaign.rejected and "reports" in kinds:
        outcome.failures.append(f"ไฟล์คำตอบถูกปฏิเสธ {len(campaign.rejected)} รายการ (ดูด้านบน)")
    if outcome.failures:
        err.write("ผิดพลาด:\n" + "".join(f"  - {f}\n" for f in outcome.failures))
    if outcome.failures or not ok:
        err.write(f"ไม่ผ่าน: ดูรายละเอียดด้านบนและ {settings.outputs.name}/check.json\n")
        return ExitCode.failed
    pdfs = len({f.pdf for f in findings})
    err.write(
        f"เรียบร้อย: PDF {pdfs} ไฟล์ผ่านการตรวจทั้งหมด ({outcome.checks} รายการ; "
        f"ผลทุกรายการอยู่ใน {settings.outputs.name}/check.json) ผลลัพธ์อยู่ใน {settings.outputs}\n"
    )
    return ExitCode.ok
