"""The command line, `gecc <command>` (also `python -m pipeline <command>`): a thin door onto the stages.

Each command has its own options and help, in Thai and English. Failures a clerk
can meet end in a Thai message and a documented exit status (pipeline.errors),
never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

from . import archive, audit, registry, runner
from .errors import ExitCode, describe
from .settings import Settings
from .web.cli import add_commands as web_commands

EPILOG = """\
สถานะเมื่อจบ / exit status:
  0 เรียบร้อย / all is well
  1 เอกสาร การตรวจ หรือไฟล์คำตอบบางรายการไม่ผ่าน หรือเขียนผลลัพธ์ไม่ได้ (ดิสก์เต็ม)
    a document, a check or an answer file failed, or an output could not be written
  2 ข้อมูลนำเข้าผิด ไม่ได้สร้างเอกสารใด / the inputs are wrong: nothing was made
  3 มีการรันอื่นใช้โฟลเดอร์ผลลัพธ์อยู่ / another run is using the outputs folder
  4 ไม่มี LibreOffice หรือเริ่มไม่ได้ / LibreOffice is missing or cannot start
  5 ไม่มีฟอนต์ภาษาไทยที่ต้องใช้ / the Thai fonts are missing
  130 / 143 ถูกขัดจังหวะ / interrupted (Ctrl-C / SIGTERM)
"""

# The build commands (registry.COMMANDS, with build and check), which share their options.
BUILDS = {
    "build": "ทุกเอกสาร แล้วตรวจ / every document, then check",
    "letters": "หนังสือเวียนทุกจังหวัด แล้วตรวจ / the circular for every province, then check",
    "forms": "แบบประเมินเปล่า สิ่งที่ส่งมาด้วย และชุดเอกสาร แล้วตรวจ / blank forms, enclosures, packages",
    "reports": "รายงานผลรายศูนย์ สรุปภาพรวม และจัดเก็บ แล้วตรวจ / reports, national summary, archive",
    "follow-up": "หนังสือติดตามถึงจังหวัดที่มีศูนย์ยังไม่ส่ง ลงทะเบียนหนังสือส่ง แล้วตรวจ / "
    "follow-up letters to the provinces with centers not in, entered in the register, then check",
    "results-letters": "หนังสือแจ้งผลถึงทุกจังหวัด พร้อมรายงานที่รับแล้ว ลงทะเบียนหนังสือส่ง แล้วตรวจ / "
    "results letters to every province with its accepted reports, entered in the register, then check",
    "check": "ตรวจ PDF ที่สร้างแล้วเท่านั้น / only check the PDFs already made",
}


def _version() -> str:
    try:
        return metadata.version("gecc-pipeline")
    except metadata.PackageNotFoundError:
        return "(not installed)"


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="gecc",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=EPILOG,
        description="เอกสารราชการ GECC: หนังสือเวียน แบบประเมิน รายงาน (DOCX และ PDF) จากโฟลเดอร์ inputs/\n"
        "GECC paperwork: circulars, forms and reports (DOCX and PDF) from inputs/",
    )
    top.add_argument("--version", action="version", version=f"gecc {_version()}")
    commands = top.add_subparsers(dest="command", metavar="COMMAND", required=True, title="คำสั่ง / commands")

    def command(
        name: str, help: str, run: Callable[[argparse.Namespace], int], exits: str = EPILOG
    ) -> argparse.ArgumentParser:
        """``exits``: the exit statuses this command can end with (default: a build's)."""
        sub = commands.add_parser(
            name, help=help, description=help, epilog=exits, formatter_class=argparse.RawDescriptionHelpFormatter
        )
        sub.set_defaults(run=run)
        return sub

    for name in ("build", *registry.COMMANDS, "check"):
        sub = command(name, BUILDS.get(name, name), _build)
        _folders(sub)
        sub.add_argument(
            "-v", "--verbose", action="store_true", help="พิมพ์ตารางผลตรวจทุกแถว / print every row of the check table"
        )
        if name in ("build", "forms", "check"):
            sub.add_argument(
                "--source",
                type=Path,
                metavar="FILE",
                help="เทียบชุดเอกสารรวมกับหนังสือต้นฉบับ (ข้อความ OCR) / "
                "compare the collective package with the source circular (OCR text)",
            )

    sub = command(
        "init-answers",
        "สร้างไฟล์คำตอบเปล่าให้ทุกศูนย์ที่ยังไม่มี (ไม่เขียนทับ) / "
        "a blank answer file for every center without one (never overwrites)",
        _init_answers,
    )
    _folders(sub)
    sub.add_argument(
        "--xlsx",
        action="store_true",
        help="สมุดงาน Excel outputs/answers.xlsx ไฟล์เดียวสำหรับส่งออกไปแทนไฟล์ YAML / "
        "one Excel workbook, outputs/answers.xlsx, to send out instead of YAML files",
    )
    sub.add_argument(
        "--replace",
        action="store_true",
        help="เขียนทับ answers.xlsx ที่มีอยู่ (ใช้กับ --xlsx) / overwrite an existing answers.xlsx (with --xlsx)",
    )

    sub = command("ingest", "อ่านแบบประเมิน PDF ที่กาแล้วเป็นไฟล์คำตอบ / ticked fillable PDF forms → answer files", _ingest)
    sub.add_argument(
        "files", nargs="+", type=Path, metavar="FILE.pdf", help="แบบกรอกได้ที่กาแล้ว / the ticked fillable forms"
    )
    _folders(sub, outputs=False)

    sub = command(
        "bench", "วัดความเร็วกับข้อมูลจำลอง เขียน bench.json / benchmark on a generated campaign, writes bench.json", _bench
    )
    sub.add_argument("--outputs", type=Path, default=Path("outputs"), help="where bench.json goes (default: outputs)")
    sub.add_argument("--centers", type=int, metavar="N", help="the first N shipped centers (default: all 76)")
    sub.add_argument(
        "--scale",
        type=_sizes,
        default=(),
        metavar="N,N,N",
        help="also cold builds of generated campaigns of these sizes, e.g. 220,439,878",
    )
    sub.add_argument(
        "--no-web",
        dest="web",
        action="store_false",
        help="without the web app's figures (submission to report, all centers at once, dashboard at 878)",
    )
    sub = command(
        "audit",
        "บันทึกการกระทำ: verify ตรวจว่าไม่มีรายการใดถูกแก้ไข, show แสดงรายการล่าสุด / "
        "the audit log: verify its hash chain, show the latest entries",
        _audit,
    )
    sub.add_argument("what", choices=("verify", "show"), help="verify | show")
    _folders(sub)  # the log is <outputs>/audit.jsonl (--inputs is accepted like every command's, unused)
    sub.add_argument("--last", type=int, default=20, metavar="N", help="show: how many entries (default 20)")
    web_commands(command, _folders)  # serve, links, set-password, users (pipeline/web/cli.py)
    return top


def _folders(sub: argparse.ArgumentParser, outputs: bool = True) -> None:
    sub.add_argument(
        "--inputs", type=Path, default=Path("inputs"), help="โฟลเดอร์ข้อมูลนำเข้า / input folder (default: inputs)"
    )
    if outputs:
        sub.add_argument(
            "--outputs", type=Path, default=Path("outputs"), help="โฟลเดอร์ผลลัพธ์ / output folder (default: outputs)"
        )


def _sizes(text: str) -> tuple[int, ...]:
    try:
        sizes = tuple(int(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a list of numbers: {text}") from None
    if any(n < 1 for n in sizes):
        raise argparse.ArgumentTypeError("sizes must be positive")
    return sizes


def _settings(args: argparse.Namespace) -> Settings:
    outputs = getattr(args, "outputs", None) or Path("outputs")
    return Settings.from_environment(args.inputs, outputs, source=getattr(args, "source", None))


def _build(args: argparse.Namespace) -> int:
    return runner.run(args.command, _settings(args).with_(actor=audit.cli_actor()), verbose=args.verbose)


def _audit(args: argparse.Namespace) -> int:
    path = audit.log_path(args.outputs)
    if args.what == "show":
        for entry in reversed(audit.recent(path, args.last)):
            detail = json.dumps(entry.detail, ensure_ascii=False)
            sys.stdout.write(f"{entry.n}\t{entry.at}\t{entry.actor}\t{entry.action}\t{detail}\n")
        return ExitCode.ok
    if not path.is_file():
        sys.stderr.write(f"ไม่มีบันทึกการกระทำ {path} (ยังไม่มีการกระทำใดที่บันทึก) / no audit log yet\n")
        return ExitCode.ok
    broken = audit.verify(path, archive.audit_references(args.outputs / "archive"))
    if broken is not None:
        sys.stderr.write(
            f"บันทึกการกระทำไม่สมบูรณ์: {broken.message(path)}\n"
            f"ตั้งแต่รายการนี้ไป ไม่อาจยืนยันได้ว่าบันทึกไม่ถูกแก้ไข / the audit log is broken at entry {broken.n}\n"
        )
        return ExitCode.failed
    count = sum(1 for _ in audit.entries(path))
    sys.stdout.write(f"บันทึกการกระทำครบถ้วน ไม่ถูกแก้ไข: {count} รายการ ({path}) / the audit log is intact\n")
    return ExitCode.ok


def _init_answers(args: argparse.Namespace) -> int:
    if args.replace and not args.xlsx:
        raise SystemExit("gecc init-answers: --replace is for --xlsx (an existing answers.xlsx)")
    audit.append(_settings(args).outputs, audit.cli_actor(), "init-answers", {"xlsx": bool(args.xlsx)})
    if args.xlsx:
        return runner.init_answers_xlsx(_settings(args), replace=args.replace)
    return runner.init_answers(_settings(args))


def _ingest(args: argparse.Namespace) -> int:
    return runner.ingest_forms(args.files, _settings(args))


def _bench(args: argparse.Namespace) -> int:
    from .bench import bench  # only here: the benchmark is not part of a clerk's run

    bench(args.outputs.resolve(), centers=args.centers, scale=args.scale, web=args.web, log=sys.stderr)
    return ExitCode.ok


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return int(args.run(args))
    except (Exception, KeyboardInterrupt) as error:
        failure = describe(error, getattr(args, "outputs", None))
        if failure is None:
            raise
        sys.stderr.write(failure.message)
        return int(failure.code)


def entry() -> None:
    """The `gecc` console script."""
    sys.exit(main())


if __name__ == "__main__":
    entry()
