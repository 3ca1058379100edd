"""The stages in order: load → contexts → render DOCX → convert to PDF → assemble → check.

Each stage takes what the one before produced and nothing else; this module
only wires them together, reports progress and decides the exit status.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence, TextIO

from . import assemble, check, convert, fonts
from .documents import Document, enclosures, forms, letters
from .files import remove_leftovers
from .load import load_campaign
from .model import Campaign
from .problems import InputError
from .render import TemplateProblem, render

PROJECT = Path(__file__).resolve().parents[1]
TEMPLATES = PROJECT / "templates"
BUILD = PROJECT / "build"

# Document kinds in build order: name → module with documents(campaign) -> list[Document]
KINDS = {"letters": letters, "forms": forms, "enclosures": enclosures}
# What each command makes; "build" and "check" cover everything.
COMMANDS = {"letters": ("letters",), "forms": ("forms", "enclosures")}
EVERYTHING = tuple(KINDS)


@dataclass
class Outcome:
    """What a run did; non-empty ``failures`` means a non-zero exit."""

    documents: int = 0
    failures: list[str] = field(default_factory=list)


class Progress:
    """"แปลงเป็น PDF 12/77" on one line of the terminal, then a newline when done."""

    def __init__(self, stream: TextIO):
        self.stream = stream

    def __call__(self, label: str) -> Callable[[int, int], None]:
        def report(done: int, total: int) -> None:
            end = "\n" if done >= total else ""
            self.stream.write(f"\r{label} {done}/{total}{end}")
            self.stream.flush()
        return report


def documents_for(campaign: Campaign, kinds: Sequence[str]) -> list[Document]:
    return [doc for kind in kinds for doc in KINDS[kind].documents(campaign)]


def expectations(campaign: Campaign, kinds: Sequence[str], outputs: Path) -> list[check.Expectation]:
    """What every PDF of ``kinds`` must be, documents and assembled files alike."""
    exps = [check.Expectation(outputs / f"{d.name}.pdf", d.kind, dict(d.expect), pdfa=d.pdfa)
            for d in documents_for(campaign, kinds)]
    exps += [check.Expectation(outputs / f"{p.name}.pdf", p.kind, page_numbers=False)
             for p in assemble.products(campaign, kinds)]
    return exps


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
                                 progress=progress("แปลงเป็น PDF/A" if pdfa else "แปลงเป็น PDF"))
        log.writelines(f"  {line}\n" for line in result.log)
        outcome.failures += [f"{docx.relative_to(outputs)}: แปลงเป็น PDF ไม่สำเร็จ ({reason})"
                             for docx, reason in result.failed.items()]
    for product in assemble.products(campaign, kinds):
        problem = assemble.make(product, outputs)
        if problem:
            outcome.failures.append(problem)
    return outcome


def verify(campaign: Campaign, kinds: Sequence[str], outputs: Path, log: TextIO) -> bool:
    """Check every PDF the inputs call for; print the table and write check.json."""
    exps = expectations(campaign, kinds, outputs)
    findings = check.check_all(exps, progress=Progress(sys.stderr)("ตรวจ PDF"))
    log.write(check.summary_table(findings) + "\n")
    check.write_json(findings, outputs / "check.json")
    return all(f.ok for f in findings)


def run(command: str, inputs: Path, outputs: Path, out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> int:
    """One command end to end; the exit status: 0 all good, 1 something failed, 2 bad inputs."""
    kinds = COMMANDS.get(command, EVERYTHING)
    try:
        campaign = load_campaign(inputs)
    except InputError as error:
        err.write(f"ข้อมูลนำเข้ามีปัญหา {len(error.problems)} รายการ (ยังไม่ได้สร้างเอกสารใด):\n")
        err.writelines(f"  - {p}\n" for p in error.problems)
        return 2
    outcome = Outcome() if command == "check" else produce(campaign, kinds, outputs, err)
    ok = verify(campaign, kinds, outputs, out)
    if outcome.failures:
        err.write("ผิดพลาด:\n" + "".join(f"  - {f}\n" for f in outcome.failures))
    if outcome.failures or not ok:
        err.write("ไม่ผ่าน: ดูรายละเอียดด้านบนและ outputs/check.json\n")
        return 1
    err.write(f"เรียบร้อย: เอกสาร {outcome.documents} ฉบับ ผ่านการตรวจทั้งหมด\n" if outcome.documents else "ผ่านการตรวจทั้งหมด\n")
    return 0
