"""The command line's and the web app's whole builds: load, plan, execute, and say what happened in Thai.

The stages themselves are in pipeline/execute.py, what they must make in pipeline/plan.py;
this door holds the outputs folder (one run at a time), turns the executor's events into
progress lines and its outcome into the closing lines and the exit status.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from . import answer_files, audit, check, ingest, outgoing, workbooks
from .errors import ExitCode, describe
from .execute import Context, Event, Outcome, execute
from .files import remove_leftovers, remove_unmade
from .guard import exclusive, sigterm_interrupts
from .load import load_campaign
from .plan import Plan, Scope, plan
from .problems import InputError
from .registry import BY_NAME, COMMANDS, EVERYTHING, drafting, needs_outgoing, owned_folders
from .settings import Settings
from .uptodate import Ledger

__all__ = [
    "Door",
    "Outcome",
    "Progress",
    "Result",
    "execute_command",
    "ingest_forms",
    "init_answers",
    "init_answers_xlsx",
    "run",
]


@dataclass
class Result:
    status: int
    outcome: Outcome
    findings: tuple[check.Finding, ...] = ()


ProgressHook = Callable[[str, int, int], None]  # (what, done, total): a door shows it its own way

# What each stage's progress is called on the command line and the web app's build page.
LABELS = {
    ("render", ""): "สร้าง DOCX",
    ("convert", ""): "แปลงเป็น PDF",
    ("convert", "pdfa"): "แปลงเป็น PDF/A",
    ("compose", ""): "ประกอบหน้า PDF",
    ("compose", "pdfa"): "ประกอบหน้า PDF/A",
    ("assemble", ""): "รวมเอกสาร",
    ("check", ""): "ตรวจ PDF",
}


class Progress:
    """Progress such as “แปลงเป็น PDF 12/77”: rewritten on one terminal line; in a log, a line per
    quarter; or handed to a door's own ``hook`` (the web app's progress bar)."""

    def __init__(self, stream: TextIO, hook: ProgressHook | None = None):
        self.stream = stream
        self.hook = hook
        self.live = stream.isatty()
        self.shown: dict[str, int] = {}

    def __call__(self, event: Event) -> None:
        label = LABELS.get((event.stage, event.variant), event.stage)
        done, total = event.done, event.total
        if self.hook is not None:
            self.hook(label, done, total)
            return
        if self.live:
            self.stream.write(f"\r{label} {done}/{total}" + ("\n" if done >= total else ""))
        elif done >= total or done * 4 // total > self.shown.get(label, -1):
            self.shown[label] = done * 4 // total
            self.stream.write(f"{label} {done}/{total}\n")
        self.stream.flush()


def init_answers(settings: Settings, err: TextIO | None = None) -> int:
    err = err or sys.stderr  # the stream of now, not the one at import (a test or a door may redirect it)
    campaign = load_campaign(settings.inputs)
    written = answer_files.init_answers(settings.inputs, campaign)
    err.write(f"สร้างไฟล์คำตอบเปล่า {len(written)} ไฟล์ใน {settings.inputs.name}/answers (ไฟล์ที่มีอยู่แล้วไม่ถูกแตะต้อง)\n")
    return ExitCode.ok


def init_answers_xlsx(settings: Settings, *, replace: bool = False, err: TextIO | None = None) -> int:
    """``init-answers --xlsx``: the answers workbook to send out, or why it was not written (status 1)."""
    err = err or sys.stderr
    campaign = load_campaign(settings.inputs)  # bad inputs: InputError, which the door reports (status 2)
    outputs, name = settings.outputs.name, workbooks.ANSWERS_XLSX
    try:
        rows = workbooks.init_answers_workbook(campaign, settings.inputs, settings.outputs, replace=replace)
    except workbooks.Exists:
        err.write(
            f"มีไฟล์ {outputs}/{name} อยู่แล้ว (อาจมีคำตอบที่กำลังรวบรวมอยู่): ไม่ได้เขียนทับ "
            "ถ้าต้องการสร้างใหม่แทนไฟล์เดิม ให้สั่งอีกครั้งพร้อม --replace\n"
        )
        return ExitCode.failed
    err.write(
        f"สร้าง {outputs}/{name}: {rows} แถว (ศูนย์ที่ยังไม่มีคำตอบ) "
        f"กรอกแล้วบันทึกไว้ใน {settings.inputs.name}/answers/ เพื่อใช้เป็นไฟล์คำตอบ\n"
    )
    return ExitCode.ok


def ingest_forms(pdfs: Sequence[Path], settings: Settings, err: TextIO | None = None) -> int:
    err = err or sys.stderr
    campaign = load_campaign(settings.inputs)
    written, problems = ingest.ingest(pdfs, settings.inputs, campaign)
    for path in written:
        err.write(f"เขียน {path.relative_to(settings.inputs.parent)}: กรอกชื่อผู้ประเมิน ตำแหน่ง และวันที่ จากแบบที่ลงนามแล้ว\n")
    if problems:
        err.write(f"แบบประเมินมีปัญหา {len(problems)} รายการ:\n")
        err.writelines(f"  - {p}\n" for p in problems)
    return ExitCode.failed if problems or not pdfs else ExitCode.ok


@dataclass
class Door:
    """Where a run's words go: ``out`` the check table, ``err`` progress and the account of the run;
    ``progress`` a door's own progress display (the web app's bar) instead of lines; ``verbose``: every
    check's row; ``catch`` False: a failure a clerk can meet is raised (the web app shows it its own way)."""

    out: TextIO = field(default_factory=lambda: sys.stdout)
    err: TextIO = field(default_factory=lambda: sys.stderr)
    progress: ProgressHook | None = None
    verbose: bool = False
    catch: bool = True


def run(
    command: str, settings: Settings, out: TextIO | None = None, err: TextIO | None = None, verbose: bool = False
) -> int:
    """One command end to end; the exit status (pipeline.errors.ExitCode)."""
    return execute_command(command, settings, Door(out or sys.stdout, err or sys.stderr, verbose=verbose)).status


def execute_command(command: str, settings: Settings, door: Door | None = None) -> Result:
    """``run``, also saying what was done and how long each stage took (for the benchmark and the web app).

    Failures a clerk can meet (pipeline.errors) are written to ``door.err`` in Thai and become the status;
    with ``door.catch`` False they are raised instead.
    """
    door = door or Door()
    err = door.err
    # a command, or one kind alone ("summary": the national summary and results.csv, service.refresh_results)
    kinds = COMMANDS.get(command) or ((command,) if command in BY_NAME else EVERYTHING)
    outcome = Outcome()
    started = time.perf_counter()
    status: int
    try:
        try:
            campaign = load_campaign(settings.inputs, settings.links_file)
        finally:
            loaded = time.perf_counter() - started
        with sigterm_interrupts(), exclusive(settings.outputs):
            settings = _entered(settings, command)
            remove_leftovers(settings.outputs)  # of an earlier run that was interrupted (no other runs now)
            ledger = Ledger(settings.outputs)
            try:
                if needs_outgoing(kinds):  # review state and register numbers, read (and taken) before the contexts
                    campaign = outgoing.prepare(settings, campaign, drafting(kinds), take=command != "check")
                    if campaign.outgoing is not None and drafting(kinds) and command != "check":
                        err.write(outgoing.said(campaign.outgoing))
                planned = plan(campaign, Scope(settings, kinds, make=command != "check"))
                if command != "check":
                    _remove_unmade(planned, ledger)
                planning = time.perf_counter() - started - loaded
                _rejected(planned.rejected, err)
                outcome = execute(planned, Context(settings, ledger, events=Progress(err, door.progress)))
                outcome.seconds["contexts"] = planning
            finally:
                ledger.save()  # what was finished stays recorded, even when interrupted
            status = _words(planned, outcome, door)
    except (InputError, OSError, KeyboardInterrupt, RuntimeError) as error:
        failure = describe(error, settings.outputs)
        if failure is None or not door.catch:
            raise
        err.write(failure.message)
        status = failure.code
    outcome.seconds["load"] = loaded
    outcome.seconds["total"] = time.perf_counter() - started
    return Result(int(status), outcome, tuple(outcome.findings))


def _remove_unmade(planned: Plan, ledger: Ledger) -> None:
    """In a folder only one kind writes, what this build does not make: a province whose centers are
    all in keeps no follow-up letter of an earlier run."""
    made = {d.name for d in planned.documents} | {t.name for t in planned.stage("assemble")}
    outputs = planned.scope.settings.outputs
    for name in remove_unmade(outputs, owned_folders(planned.scope.kinds), made):
        ledger.forget(name)


def _entered(settings: Settings, command: str) -> Settings:
    """A person's build goes in the audit log (once its inputs are read: a refused run changed nothing)."""
    if not settings.actor or settings.cause:
        return settings
    entry = audit.append(settings.outputs, settings.actor, "build", {"command": command})
    return settings.with_(cause=(entry.n, entry.hash))


def _rejected(rejected: Sequence[object], err: TextIO) -> None:
    if rejected:
        err.write(f"ไฟล์คำตอบมีปัญหา {len(rejected)} รายการ (ศูนย์เหล่านี้ยังไม่ได้ทำรายงาน ศูนย์อื่นทำต่อ):\n")
        err.writelines(f"  - {p}\n" for p in rejected)


def _words(planned: Plan, outcome: Outcome, door: Door) -> int:
    """The closing lines of a run, and its exit status."""
    out, err, verbose = door.out, door.err, door.verbose
    settings, rejected = planned.scope.settings, planned.rejected
    err.writelines(f"  {line}\n" for line in outcome.log)
    if planned.scope.make:
        if outcome.rebuilt:
            err.write(f"สร้างใหม่ {len(outcome.rebuilt)} รายการ; เป็นปัจจุบันอยู่แล้ว {outcome.current} รายการ (ไม่ได้ทำซ้ำ)\n")
        else:
            err.write(f"ทุกรายการเป็นปัจจุบันแล้ว ({outcome.current} รายการ): ไม่ได้สร้างหรือแปลงเอกสารใดใหม่\n")
    findings = outcome.findings
    failing = [f for f in findings if not f.ok]
    if verbose or failing:
        out.write(check.summary_table(findings if verbose else failing) + "\n")
    check.update_json(findings, settings.outputs / "check.json")  # the documents not checked now keep theirs
    if planned.stage("archive"):
        kept = len(outcome.versions)
        err.write(f"จัดเก็บ: รายงานใหม่ {len(outcome.archived)} ฉบับ, ไม่เปลี่ยนแปลง {kept - len(outcome.archived)} ฉบับ\n")
    if rejected:
        outcome.failures.append(f"ไฟล์คำตอบถูกปฏิเสธ {len(rejected)} รายการ (ดูด้านบน)")
    if outcome.failures:
        err.write("ผิดพลาด:\n" + "".join(f"  - {f}\n" for f in outcome.failures))
    if outcome.failures or failing:
        err.write(f"ไม่ผ่าน: ดูรายละเอียดด้านบนและ {settings.outputs.name}/check.json\n")
        return ExitCode.failed
    pdfs = len({f.pdf for f in findings})
    err.write(
        f"เรียบร้อย: PDF {pdfs} ไฟล์ผ่านการตรวจทั้งหมด ({outcome.checks} รายการ; "
        f"ผลทุกรายการอยู่ใน {settings.outputs.name}/check.json) ผลลัพธ์อยู่ใน {settings.outputs}\n"
    )
    return ExitCode.ok
