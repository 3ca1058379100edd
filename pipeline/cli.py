"""Command line: python -m pipeline <command> [--inputs DIR] [--outputs DIR]."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .runner import ingest_forms, init_answers, run

COMMANDS = {
    "build": "ทุกเอกสาร แล้วตรวจ (everything, then check)",
    "check": "ตรวจ PDF ที่สร้างแล้ว (check the PDFs already made)",
    "letters": "หนังสือเวียนทุกจังหวัด แล้วตรวจ (circular letters, then check)",
    "forms": "แบบประเมินตนเองทุกศูนย์ สิ่งที่ส่งมาด้วย และชุดเอกสาร แล้วตรวจ (forms, enclosures, packages)",
    "reports": "รายงานผลการประเมินรายศูนย์ สรุปภาพรวม และจัดเก็บ แล้วตรวจ (reports, summary, archive)",
    "init-answers": "สร้างไฟล์คำตอบเปล่าให้ทุกศูนย์ที่ยังไม่มี ไม่เขียนทับ (blank answer files)",
    "ingest": "อ่านแบบประเมิน PDF ที่กาแล้วเป็นไฟล์คำตอบ (ticked fillable forms → answer files)",
    "bench": "วัดความเร็วกับข้อมูลจำลอง เขียน bench.json (benchmark on a generated campaign)",
}


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m pipeline", description="GECC paperwork: DOCX and PDF from inputs/")
    p.add_argument("command", choices=list(COMMANDS), help="; ".join(f"{k}: {v}" for k, v in COMMANDS.items()))
    p.add_argument("--inputs", type=Path, default=Path("inputs"), help="input folder (default: inputs)")
    p.add_argument("--outputs", type=Path, default=Path("outputs"), help="output folder (default: outputs)")
    p.add_argument("files", nargs="*", type=Path, help="for ingest: the ticked fillable PDF forms")
    p.add_argument("--centers", type=int, help="for bench: the first N shipped centers (default: all 76)")
    p.add_argument("--xlsx", action="store_true",
                   help="for init-answers: one Excel workbook outputs/answers.xlsx to send out instead of YAML files")
    p.add_argument("--replace", action="store_true", help="for init-answers --xlsx: overwrite an existing answers.xlsx")
    p.add_argument("--scale", type=_sizes, default=(), metavar="N,N,N",
                   help="for bench: also cold builds of generated campaigns of these sizes, e.g. 220,439,878")
    return p


def _sizes(text: str) -> tuple[int, ...]:
    try:
        sizes = tuple(int(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a list of numbers: {text}") from None
    if any(n < 1 for n in sizes):
        raise argparse.ArgumentTypeError("sizes must be positive")
    return sizes


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if (args.xlsx or args.replace) and args.command != "init-answers" or args.replace and not args.xlsx:
        parser().error("--xlsx and --replace are for init-answers only (--replace with --xlsx)")
    if args.command == "init-answers" and args.xlsx:
        from .workbooks import init_answers_command
        return init_answers_command(args.inputs.resolve(), args.outputs.resolve(), replace=args.replace)
    if args.command == "init-answers":
        return init_answers(args.inputs.resolve())
    if args.command == "ingest":
        return ingest_forms(args.files, args.inputs.resolve())
    if args.files:
        parser().error(f"{args.command} takes no files")
    if args.command == "bench":
        from .bench import bench  # only here: the benchmark is not part of a clerk's run
        bench(args.outputs.resolve(), centers=args.centers, scale=args.scale, log=sys.stderr)
        return 0
    if args.centers is not None or args.scale:
        parser().error("--centers and --scale are for bench only")
    return run(args.command, args.inputs.resolve(), args.outputs.resolve())


if __name__ == "__main__":
    sys.exit(main())
