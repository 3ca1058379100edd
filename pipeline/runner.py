"""The stages in order: load → contexts → render DOCX → convert to PDF → assemble → check.

Each stage takes what the one before produced and nothing else; this module
only wires them together, reports progress and decides the exit status.
"""

from __future__ import annotations

import os
import re
import signal
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterator, Sequence, TextIO

from . import archive, assemble, check, convert, fillable, fonts, intake, workbooks
from .check.kinds import RULES_BY_KIND, results_csv
from .documents import Document, enclosures, forms, letters, reports, summary
from .files import remove_leftovers
from .guard import Busy, Terminated, exclusive, sigterm_interrupts, write_problem
from .load import load_campaign
from .model import Campaign, Center
from .problems import InputError
from .render import render_all, written_beside
from .uptodate import Ledger, file_digest, fingerprint, tree_digest
from .workers import parallel_map

PROJECT = Path(__file__).resolve().parents[1]
TEMPLATES = PROJECT / "templates"
BUILD = PROJECT / "build"
# The source circular (OCR), kept outside the project; the collective package is compared with it.
SOURCE = Path(os.environ.get("GECC_SOURCE", PROJECT.parent / "shared" / "seed" / "000_291ecc3d9e9114e3.txt"))

# Document kinds in build order: name → module with documents(campaign) -> list[Document]
KINDS = {"letters": letters, "forms": forms, "enclosures": enclosures, "reports": reports, "summary": summary}
# What each command makes; "build" and "check" cover everything.
COMMANDS = {"letters": ("letters",), "forms": ("forms", "enclosures"), "reports": ("reports", "summary")}
EVERYTHING = tuple(KINDS)
BUSY = 3  # exit status when another run holds the outputs folder
INTERRUPTED = {signal.SIGINT: 130, signal.SIGTERM: 143}


def _profiles() -> Path:
    """Where LibreOffice's profiles live: made once, reused ($GECC_LO_PROFILES: elsewhere, e.g. cold for a benchmark)."""
    return Path(os.environ.get("GECC_LO_PROFILES") or BUILD / "lo-profiles")


def _timeout(name: str, default: float) -> float:
    """A LibreOffice time bound in seconds from the environment (GECC_BATCH_TIMEOUT, GECC_FILE_TIMEOUT)."""
    raw = os.environ.get(name, "").strip()
    try:
        value = float(raw) if raw else default
    except ValueError:
        value = default
    return value if value > 0 else default


@dataclass
class Outcome:
    """What a run did; non-empty ``failures`` means a non-zero exit."""

    documents: int = 0
    failures: list[str] = field(default_factory=list)
    rebuilt: list[str] = field(default_factory=list)  # outputs made this run (names as in outputs/)
    current: int = 0  # outputs found up to date and left alone
    checked: int = 0  # PDFs checked this run (the others' results were still valid)
    archived: list[str] = field(default_factory=list)  # centers with a new archive version
    seconds: dict[str, float] = field(default_factory=dict)  # stage → wall seconds


@dataclass
class Result:
    status: int
    outcome: Outcome


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


class Progress:
    """"แปลงเป็น PDF 12/77" rewritten on one terminal line; in a log, a line per quarter."""

    def __init__(self, stream: TextIO):
        self.stream = stream
        self.live = stream.isatty()

    def __call__(self, label: str) -> Callable[[int, int], None]:
        shown = [-1]

        def report(done: int, total: int) -> None:
            if self.live:
                self.stream.write(f"\r{label} {done}/{total}" + ("\n" if done >= total else ""))
            elif done >= total or done * 4 // total > shown[0]:
                shown[0] = done * 4 // total
                self.stream.write(f"{label} {done}/{total}\n")
            self.stream.flush()
        return report


def documents_for(campaign: Campaign, kinds: Sequence[str]) -> list[Document]:
    return [doc for kind in kinds for doc in KINDS[kind].documents(campaign)]


def expectations(campaign: Campaign, kinds: Sequence[str], outputs: Path) -> list[check.Expectation]:
    """What every PDF of ``kinds`` must be, documents and assembled files alike."""
    exps = [check.Expectation(outputs / f"{d.name}.pdf", d.kind, dict(d.expect), pdfa=d.pdfa, facts=d.facts)
            for d in documents_for(campaign, kinds)]
    joined = ("a4_portrait", "pages")  # their parts were checked one by one
    source = {"source": SOURCE} if is_source_campaign(campaign) else {}
    exps += [check.Expectation(outputs / f"{p.name}.pdf", p.kind, page_numbers=False, rules=joined,
                               facts=source if p.name == assemble.COLLECTIVE else {})
             for p in assemble.products(campaign, kinds)]
    if "forms" in kinds:
        fields = fillable.field_names(campaign.criteria)
        exps += [check.Expectation(outputs / f"{fillable_name(c)}.pdf", "fillable", page_numbers=False, rules=joined,
                                   facts={"fields": fields}) for c in campaign.centers]
    return exps


def is_source_campaign(campaign: Campaign) -> bool:
    """Whether the campaign is the source circular's own (its 76 centers): only then can
    the collective package be compared with the source line by line."""
    if not SOURCE.is_file():
        return False
    listed = re.findall(r"^[๐-๙]+\t\S+\t(\S+)", SOURCE.read_text(encoding="utf-8"), re.M)
    return sorted(listed) == sorted(c.name for c in campaign.centers)


def fillable_name(center: Center) -> str:
    return f"forms/{center.slug}-fillable"


@lru_cache(maxsize=1)
def code_version() -> str:
    """The code's identity: every module of the pipeline and the pinned libraries."""
    return tree_digest([*(PROJECT / "pipeline").rglob("*.py"), *(PROJECT / "pipeline" / "reference").iterdir(),
                        PROJECT / "requirements.txt"])


def produce(campaign: Campaign, kinds: Sequence[str], outputs: Path, ledger: Ledger, outcome: Outcome,
            log: TextIO) -> None:
    """Render, convert and assemble every document of ``kinds`` that is not up to date."""
    progress = Progress(log)
    clock = _Clock(outcome.seconds)
    remove_leftovers(outputs)
    with clock("contexts"):
        docs = documents_for(campaign, kinds)
        fontconfig = fonts.prepare(BUILD)
        # Besides its own template and context, every PDF depends on these.
        common = fingerprint(code_version(), convert.identity(), tree_digest(fontconfig.parent.glob("*")))
        templates = {name: file_digest(TEMPLATES / name) for name in {d.template for d in docs}}
        keys = {d.name: fingerprint(common, templates[d.template], d) for d in docs}
        stale = [d for d in docs if not ledger.current(d.name, keys[d.name], _files(d, outputs))]
    outcome.documents = len(docs)
    outcome.current += len(docs) - len(stale)
    for doc in stale:
        ledger.forget(doc.name)  # until it is rebuilt whole
    with clock("render"):
        problems = render_all(stale, TEMPLATES, outputs, progress=progress("สร้าง DOCX"))
    outcome.failures += problems.values()
    rendered = [doc for doc in stale if doc.name not in problems]
    with clock("convert"):
        converted = _convert(rendered, outputs, fontconfig, outcome, progress, log)
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


def _convert(docs: Sequence[Document], outputs: Path, fontconfig: Path, outcome: Outcome,
             progress: Progress, log: TextIO) -> set[Path]:
    """PDF/A documents and the others in two LibreOffice passes; the PDFs written."""
    converted: set[Path] = set()
    for pdfa in (False, True):
        jobs = [(outputs / f"{d.name}.docx", outputs / f"{d.name}.pdf") for d in docs if d.pdfa == pdfa]
        if not jobs:
            continue
        result = convert.convert(jobs, fontconfig=fontconfig, pdfa=pdfa, profile_root=_profiles(),
                                 batch_timeout=_timeout("GECC_BATCH_TIMEOUT", 120.0),
                                 file_timeout=_timeout("GECC_FILE_TIMEOUT", 60.0),
                                 progress=progress("แปลงเป็น PDF/A" if pdfa else "แปลงเป็น PDF"))
        log.writelines(f"  {line}\n" for line in result.log)
        outcome.failures += [f"{docx.relative_to(outputs)}: แปลงเป็น PDF ไม่สำเร็จ ({reason})"
                             for docx, reason in result.failed.items()]
        converted.update(result.converted)
    return converted


def _assemble(campaign: Campaign, kinds: Sequence[str], outputs: Path, ledger: Ledger, outcome: Outcome) -> None:
    """Print files, packages, fillable forms and the results table, each only when what it is made of changed."""
    tasks: list[tuple[str, str, object]] = []  # (name, key, what _make_one makes)
    for product in assemble.products(campaign, kinds):
        tasks.append((product.name, fingerprint(code_version(), product, [outputs / f"{n}.pdf" for n in product.parts]),
                      product))
    if "forms" in kinds:
        for center in campaign.centers:
            form = outputs / f"forms/{center.slug}.pdf"
            tasks.append((fillable_name(center), fingerprint(code_version(), form, campaign.criteria, center),
                          (form, campaign.criteria, center)))
    todo = [t for t in tasks if not ledger.current(t[0], t[1], [outputs / f"{t[0]}.pdf"])]
    outcome.current += len(tasks) - len(todo)
    for name, _, _ in todo:
        ledger.forget(name)
    problems = parallel_map(_make_one, [(name, what, outputs) for name, _, what in todo])
    for (name, key, _), problem in zip(todo, problems):
        if problem:
            outcome.failures.append(problem)
        else:
            ledger.record(name, key, [outputs / f"{name}.pdf"])
            outcome.rebuilt.append(name)
    if "summary" in kinds:
        assemble.write_csv(summary.results_rows(campaign), outputs / summary.RESULTS_CSV,
                           summary.results_columns(campaign.criteria))
        workbooks.results_workbook(campaign, outputs / workbooks.RESULTS_XLSX)


def _make_one(task: tuple[str, object, Path]) -> str | None:
    """One print file or package (a Product), or one fillable form ((form, criteria, center)); a problem or None."""
    name, what, outputs = task
    if isinstance(what, assemble.Product):
        return assemble.make(what, outputs)
    form, criteria, center = what  # type: ignore[misc]
    if not form.is_file():
        return f"{name}.pdf: ไม่ได้สร้าง เพราะขาด {form.name}"
    try:
        fillable.make_fillable(form, outputs / f"{name}.pdf", criteria, center)
    except ValueError as error:
        return f"{name}.pdf: {error}"
    return None


def inputs_digest(campaign: Campaign) -> str:
    """What a report depends on besides its answers: the criteria, the template, the code."""
    return fingerprint(campaign.inputs / "criteria.yaml", TEMPLATES / reports.TEMPLATE, code_version())


def archive_reports(campaign: Campaign, findings: Sequence[check.Finding], outputs: Path, log: TextIO) -> list[str]:
    """Archive every report that passed its checks (a failed one never is); the centers given a new version."""
    failed = {f.pdf for f in findings if not f.ok}
    digest = inputs_digest(campaign)
    entries = []
    for doc in reports.documents(campaign):
        pdf = outputs / f"{doc.name}.pdf"
        if pdf.is_file() and pdf not in failed:
            answer = doc.facts["answer"]
            entries.append(archive.ArchiveEntry(Path(doc.name).name, pdf, answer.source, answer.source_text,
                                                inputs_digest=digest))
    results = archive.archive(entries, outputs / "archive")
    new = [r.slug for r in results if r.created]
    log.write(f"จัดเก็บ: รายงานใหม่ {len(new)} ฉบับ, ไม่เปลี่ยนแปลง {len(results) - len(new)} ฉบับ\n")
    return new


def verify(campaign: Campaign, kinds: Sequence[str], outputs: Path, ledger: Ledger, outcome: Outcome,
           log: TextIO) -> list[check.Finding]:
    """Check every PDF the inputs call for; print the table and write check.json.

    A PDF whose bytes, expectation and checking code are those of an earlier check
    keeps that check's result (the rules are deterministic); the others are checked now.
    """
    exps = expectations(campaign, kinds, outputs)
    keys = {exp.pdf: fingerprint(code_version(), exp) for exp in exps}
    earlier = {exp.pdf: ledger.data(_check_name(exp, outputs)) for exp in exps
               if ledger.current(_check_name(exp, outputs), keys[exp.pdf], [])}
    todo = [exp for exp in exps if exp.pdf not in earlier]
    fresh = check.check_all(todo, RULES_BY_KIND, progress=Progress(sys.stderr)("ตรวจ PDF"))
    outcome.checked = len(todo)
    by_pdf = {exp.pdf: [check.Finding(exp.pdf, rule, ok, detail, exp.kind) for rule, ok, detail in earlier[exp.pdf]]
              for exp in exps if exp.pdf in earlier}
    for finding in fresh:
        by_pdf.setdefault(finding.pdf, []).append(finding)
    for exp in todo:
        if exp.pdf.is_file():
            ledger.record(_check_name(exp, outputs), keys[exp.pdf], [],
                          [[f.rule, f.ok, f.detail] for f in by_pdf[exp.pdf]])
    findings = [f for exp in exps for f in by_pdf.get(exp.pdf, [])]
    if "summary" in kinds:
        table = outputs / summary.RESULTS_CSV
        problems = results_csv(table, campaign.answers, campaign.criteria)
        findings.append(check.Finding(table, "results_csv", not problems, "\n".join(problems), summary.KIND))
    log.write(check.summary_table(findings) + "\n")
    check.write_json(findings, outputs / "check.json")
    return findings


def _check_name(exp: check.Expectation, outputs: Path) -> str:
    return f"check:{exp.pdf.relative_to(outputs)}"


def _campaign(inputs: Path, err: TextIO) -> Campaign | None:
    try:
        return load_campaign(inputs)
    except InputError as error:
        err.write(f"ข้อมูลนำเข้ามีปัญหา {len(error.problems)} รายการ (ยังไม่ได้สร้างเอกสารใด):\n")
        err.writelines(f"  - {p}\n" for p in error.problems)
        return None


def init_answers(inputs: Path, err: TextIO = sys.stderr) -> int:
    campaign = _campaign(inputs, err)
    if campaign is None:
        return 2
    written = intake.init_answers(inputs, campaign)
    err.write(f"สร้างไฟล์คำตอบเปล่า {len(written)} ไฟล์ใน {inputs.name}/answers (ไฟล์ที่มีอยู่แล้วไม่ถูกแตะต้อง)\n")
    return 0


def ingest_forms(pdfs: Sequence[Path], inputs: Path, err: TextIO = sys.stderr) -> int:
    campaign = _campaign(inputs, err)
    if campaign is None:
        return 2
    written, problems = intake.ingest(pdfs, inputs, campaign)
    for path in written:
        err.write(f"เขียน {path.relative_to(inputs.parent)}: กรอกชื่อผู้ประเมิน ตำแหน่ง และวันที่ จากแบบที่ลงนามแล้ว\n")
    if problems:
        err.write(f"แบบประเมินมีปัญหา {len(problems)} รายการ:\n")
        err.writelines(f"  - {p}\n" for p in problems)
    return 1 if problems or not pdfs else 0


def run(command: str, inputs: Path, outputs: Path, out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> int:
    """One command end to end; the exit status: 0 all good, 1 something failed, 2 bad inputs,
    3 the outputs folder is in use by another run, 130/143 interrupted (SIGINT/SIGTERM)."""
    return execute(command, inputs, outputs, out, err).status


def execute(command: str, inputs: Path, outputs: Path, out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> Result:
    """``run``, also saying what was done and how long each stage took (for the benchmark)."""
    kinds = COMMANDS.get(command, EVERYTHING)
    outcome = Outcome()
    started = time.perf_counter()
    campaign = _campaign(inputs, err)
    outcome.seconds["load"] = time.perf_counter() - started
    if campaign is None:
        return Result(2, outcome)
    try:
        with sigterm_interrupts(), exclusive(outputs):
            ledger = Ledger(outputs)
            try:
                status = _run(command, kinds, campaign, outputs, ledger, outcome, out, err)
            finally:
                ledger.save()  # what was finished stays recorded, even when interrupted
    except Busy as busy:
        err.write(f"โฟลเดอร์ผลลัพธ์ {outputs} กำลังถูกใช้โดยการรันอื่น (pid {busy.pid}) "
                  "รอให้การรันนั้นเสร็จก่อนแล้วค่อยรันอีกครั้ง (ไม่ได้เขียนไฟล์ใด)\n")
        status = BUSY
    except KeyboardInterrupt as stop:
        err.write("\nถูกขัดจังหวะ: หยุดแล้ว ไม่มีไฟล์ที่เขียนค้างไว้ ไฟล์ที่เสร็จก่อนหน้ายังใช้ได้ รันใหม่ได้เลย\n")
        status = INTERRUPTED[signal.SIGTERM if isinstance(stop, Terminated) else signal.SIGINT]
    except OSError as error:
        err.write(write_problem(error, outputs))
        err.write("ไม่ผ่าน: เขียนผลลัพธ์ไม่ครบ\n")
        status = 1
    outcome.seconds["total"] = time.perf_counter() - started
    return Result(status, outcome)


def _run(command: str, kinds: Sequence[str], campaign: Campaign, outputs: Path, ledger: Ledger, outcome: Outcome,
         out: TextIO, err: TextIO) -> int:
    if campaign.rejected and "reports" in kinds:
        err.write(f"ไฟล์คำตอบมีปัญหา {len(campaign.rejected)} รายการ (ศูนย์เหล่านี้ยังไม่ได้ทำรายงาน ศูนย์อื่นทำต่อ):\n")
        err.writelines(f"  - {p}\n" for p in campaign.rejected)
    if command != "check":
        produce(campaign, kinds, outputs, ledger, outcome, err)
    clock = _Clock(outcome.seconds)
    with clock("check"):
        findings = verify(campaign, kinds, outputs, ledger, outcome, out)
    ok = all(f.ok for f in findings)
    if "reports" in kinds and command != "check":
        with clock("archive"):
            outcome.archived = archive_reports(campaign, findings, outputs, err)
    if campaign.rejected and "reports" in kinds:
        outcome.failures.append(f"ไฟล์คำตอบถูกปฏิเสธ {len(campaign.rejected)} รายการ (ดูด้านบน)")
    if outcome.failures:
        err.write("ผิดพลาด:\n" + "".join(f"  - {f}\n" for f in outcome.failures))
    if outcome.failures or not ok:
        err.write("ไม่ผ่าน: ดูรายละเอียดด้านบนและ outputs/check.json\n")
        return 1
    err.write(f"เรียบร้อย: เอกสาร {outcome.documents} ฉบับ ผ่านการตรวจทั้งหมด\n" if outcome.documents else "ผ่านการตรวจทั้งหมด\n")
    return 0
