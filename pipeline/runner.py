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
from .documents import Document, letters
from .files import remove_leftovers
from .load import load_campaign
from .model import Campaign
from .problems import InputError
from .render import TemplateProblem, render

PROJECT = Path(__file__).resolve().parents[1]
TEMPLATES = PROJECT / "templates"
BUILD = PROJECT / "build"

# Document kinds, in build order: command name → module with documents(campaign)
KINDS = {"letters": letters}


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


def expectations(docs: Sequence[Document], outputs: Path) -> list[check.Expectation]:
    return [check.Expectation(outputs / f"{d.name}.pdf", d.kind, dict(d.expect), pdfa=d.pdfa) for d in docs]


def documents_for(campaign: Campaign, kinds: Sequence[str]) -> list[Document]:
    return [doc for kind in kinds for doc in KINDS[kind].documents(campaign)]


def produce(kinds: Sequence[str], inputs: Path, outputs: Path, log: TextIO = sys.stderr) -> Outcome:
    """Render, convert and assemble every document of ``kinds``."""
    progress = Progress(log)
    campaign = load_campaign(inputs)
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
    jobs = [(outputs / f"{d.name}.docx", outputs / f"{d.name}.pdf") for d in rendered]
    result = convert.convert(jobs, fontconfig=fonts.prepare(BUILD), progress=progress("แปลงเป็น PDF"),
                             profile_root=BUILD / "lo-profiles")
    for line in result.log:
        log.write(f"  {line}\n")
    for docx, reason in result.failed.items():
        outcome.failures.append(f"{docx.relative_to(outputs)}: แปลงเป็น PDF ไม่สำเร็จ ({reason})")
    if "letters" in kinds:
        letter_pdfs = [outputs / f"{d.name}.pdf" for d in docs if d.kind == letters.KIND]
        if all(p.exists() for p in letter_pdfs):
            assemble.combine(letter_pdfs, outputs / "print" / "letters.pdf", title="หนังสือเวียนทุกจังหวัด (ฉบับพิมพ์รวม)")
    return outcome


def verify(kinds: Sequence[str], inputs: Path, outputs: Path, log: TextIO = sys.stdout) -> bool:
    """Check every PDF the inputs call for; print the table and write check.json."""
    campaign = load_campaign(inputs)
    exps = expectations(documents_for(campaign, kinds), outputs)
    findings = check.check_all(exps, progress=Progress(sys.stderr)("ตรวจ PDF"))
    log.write(check.summary_table(findings) + "\n")
    check.write_json(findings, outputs / "check.json")
    return all(f.ok for f in findings)


def main_run(command: str, inputs: Path, outputs: Path) -> int:
    kinds = list(KINDS) if command in ("build", "check") else [command]
    try:
        if command != "check":
            outcome = produce(kinds, inputs, outputs)
            if outcome.failures:
                sys.stderr.write("ผิดพลาด:\n" + "".join(f"  - {f}\n" for f in outcome.failures))
        else:
            outcome = Outcome()
        ok = verify(kinds, inputs, outputs)
    except InputError as error:
        sys.stderr.write(f"ข้อมูลนำเข้ามีปัญหา {len(error.problems)} รายการ (ยังไม่ได้สร้างเอกสารใด):\n")
        sys.stderr.write("".join(f"  - {p}\n" for p in error.problems))
        return 2
    if outcome.failures or not ok:
        sys.stderr.write("ไม่ผ่าน: ดูรายละเอียดด้านบนและ check.json\n")
        return 1
    return 0
