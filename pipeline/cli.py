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
}


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m pipeline", description="GECC paperwork: DOCX and PDF from inputs/")
    p.add_argument("command", choices=list(COMMANDS), help="; ".join(f"{k}: {v}" for k, v in COMMANDS.items()))
    p.add_argument("--inputs", type=Path, default=Path("inputs"), help="input folder (default: inputs)")
    p.add_argument("--outputs", type=Path, default=Path("outputs"), help="output folder (default: outputs)")
    p.add_argument("files", nargs="*", type=Path, help="for ingest: the ticked fillable PDF forms")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.command == "init-answers":
        return init_answers(args.inputs.resolve())
    if args.command == "ingest":
        return ingest_forms(args.files, args.inputs.resolve())
    if args.files:
        parser().error(f"{args.command} takes no files")
    return run(args.command, args.inputs.resolve(), args.outputs.resolve())


if __name__ == "__main__":
    sys.exit(main())
