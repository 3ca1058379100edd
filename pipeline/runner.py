"""The stages in order: load → contexts → render DOCX → convert to PDF → assemble → check.

Each stage takes what the one before produced and nothing else; this module
only wires them together, reports progress and decides the exit status.
"""

from __future__ import annotations

import hashlib
import os
import re
import signal
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence, TextIO

from . import archive, assemble, check, convert, fillable, fonts, intake
from .check.kinds import RULES_BY_KIND, results_csv
from .documents import Document, enclosures, forms, letters, reports, summary
from .files import remove_leftovers
from .guard import Busy, Terminated, exclusive, sigterm_interrupts, write_problem
from .load import load_campaign
from .model import Campaign, Center
from .problems import InputError
from .render import TemplateProblem, render

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


def produce(campaign: Campaign, kinds: Sequence[str], outputs: Path, log: TextIO) -> Outcome:
    """Render, convert and assemble every document of ``kinds``."""
    progress = Progress(log)
    docs = documents_for(campaign, kinds)
    outcome = Outcome(documents=len(docs))
    remove_leftovers(outputs)
    report = progress("สร้าง DOCX")
    rendered: list[Document] = []
    for done, doc in enumerate(docs, 1):
        try:
            render(doc, TEMPLATES, outputs / f"{doc.name}.docx")
            rendered.append(doc)
        except TemplateProblem as error:
            outcome.failures.append(str(error))
        report(done, len(docs))
    fontconfig = fonts.prepare(BUILD)
    for pdfa in (False, True):
        jobs = [(outputs / f"{d.name}.docx", outputs / f"{d.name}.pdf") for d in rendered if d.pdfa == pdfa]
        if not jobs:
            continue
        result = convert.convert(jobs, fontconfig=fontconfig, pdfa=pdfa, profile_root=BUILD / "lo-profiles",
                                 batch_timeout=_timeout("GECC_BATCH_TIMEOUT", 120.0),
                                 file_timeout=_timeout("GECC_FILE_TIMEOUT", 60.0),
                                 progress=progress("แปลงเป็น PDF/A" if pdfa else "แปลงเป็น PDF"))
        log.writelines(f"  {line}\n" for line in result.log)
        outcome.failures += [f"{docx.relative_to(outputs)}: แปลงเป็น PDF ไม่สำเร็จ ({reason})"
                             for docx, reason in result.failed.items()]
    for product in assemble.products(campaign, kinds):
        problem = assemble.make(product, outputs)
        if problem:
            outcome.failures.append(problem)
    if "forms" in kinds:
        for center in campaign.centers:
            form = outputs / f"forms/{center.slug}.pdf"
            try:
                if form.is_file():
                    fillable.make_fillable(form, outputs / f"{fillable_name(center)}.pdf", campaign.criteria, center)
            except ValueError as error:
                outcome.failures.append(f"{fillable_name(center)}.pdf: {error}")
    if "summary" in kinds:
        assemble.write_csv(summary.results_rows(campaign), outputs / summary.RESULTS_CSV,
                           summary.results_columns(campaign.criteria))
    return outcome


def inputs_digest(campaign: Campaign) -> str:
    """What a report depends on besides its answers: the criteria, the template, the code."""
    digest = hashlib.sha256()
    for path in [campaign.inputs / "criteria.yaml", TEMPLATES / reports.TEMPLATE,
                 *sorted((PROJECT / "pipeline").rglob("*.py"))]:
        digest.update(path.read_bytes())
    return digest.hexdigest()


def archive_reports(campaign: Campaign, findings: Sequence[check.Finding], outputs: Path, log: TextIO) -> None:
    """Archive every report that passed its checks; a failed one is never archived."""
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
    new = [r for r in results if r.created]
    log.write(f"จัดเก็บ: รายงานใหม่ {len(new)} ฉบับ, ไม่เปลี่ยนแปลง {len(results) - len(new)} ฉบับ\n")


def verify(campaign: Campaign, kinds: Sequence[str], outputs: Path, log: TextIO) -> list[check.Finding]:
    """Check every PDF the inputs call for; print the table and write check.json."""
    exps = expectations(campaign, kinds, outputs)
    findings = check.check_all(exps, RULES_BY_KIND, progress=Progress(sys.stderr)("ตรวจ PDF"))
    if "summary" in kinds:
        table = outputs / summary.RESULTS_CSV
        problems = results_csv(table, campaign.answers, campaign.criteria)
        findings.append(check.Finding(table, "results_csv", not problems, "\n".join(problems), summary.KIND))
    log.write(check.summary_table(findings) + "\n")
    check.write_json(findings, outputs / "check.json")
    return findings


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
    kinds = COMMANDS.get(command, EVERYTHING)
    campaign = _campaign(inputs, err)
    if campaign is None:
        return 2
    try:
        with sigterm_interrupts(), exclusive(outputs):
            return _run(command, kinds, campaign, outputs, out, err)
    except Busy as busy:
        err.write(f"โฟลเดอร์ผลลัพธ์ {outputs} กำลังถูกใช้โดยการรันอื่น (pid {busy.pid}) "
                  "รอให้การรันนั้นเสร็จก่อนแล้วค่อยรันอีกครั้ง (ไม่ได้เขียนไฟล์ใด)\n")
        return BUSY
    except KeyboardInterrupt as stop:
        err.write("\nถูกขัดจังหวะ: หยุดแล้ว ไม่มีไฟล์ที่เขียนค้างไว้ ไฟล์ที่เสร็จก่อนหน้ายังใช้ได้ รันใหม่ได้เลย\n")
        return INTERRUPTED[signal.SIGTERM if isinstance(stop, Terminated) else signal.SIGINT]
    except OSError as error:
        err.write(write_problem(error, outputs))
        err.write("ไม่ผ่าน: เขียนผลลัพธ์ไม่ครบ\n")
        return 1


def _run(command: str, kinds: Sequence[str], campaign: Campaign, outputs: Path, out: TextIO, err: TextIO) -> int:
    if campaign.rejected and "reports" in kinds:
        err.write(f"ไฟล์คำตอบมีปัญหา {len(campaign.rejected)} รายการ (ศูนย์เหล่านี้ยังไม่ได้ทำรายงาน ศูนย์อื่นทำต่อ):\n")
        err.writelines(f"  - {p}\n" for p in campaign.rejected)
    outcome = Outcome() if command == "check" else produce(campaign, kinds, outputs, err)
    findings = verify(campaign, kinds, outputs, out)
    ok = all(f.ok for f in findings)
    if "reports" in kinds and command != "check":
        archive_reports(campaign, findings, outputs, err)
    if campaign.rejected and "reports" in kinds:
        outcome.failures.append(f"ไฟล์คำตอบถูกปฏิเสธ {len(campaign.rejected)} รายการ (ดูด้านบน)")
    if outcome.failures:
        err.write("ผิดพลาด:\n" + "".join(f"  - {f}\n" for f in outcome.failures))
    if outcome.failures or not ok:
        err.write("ไม่ผ่าน: ดูรายละเอียดด้านบนและ outputs/check.json\n")
        return 1
    err.write(f"เรียบร้อย: เอกสาร {outcome.documents} ฉบับ ผ่านการตรวจทั้งหมด\n" if outcome.documents else "ผ่านการตรวจทั้งหมด\n")
    return 0
