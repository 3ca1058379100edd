"""Command line: python -m pipeline <command> [--inputs DIR] [--outputs DIR]."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .runner import KINDS, main_run

COMMANDS = {
    "build": "ทุกเอกสาร แล้วตรวจ (everything, then check)",
    "check": "ตรวจ PDF ที่สร้างแล้ว (check the PDFs already made)",
    **{kind: f"เฉพาะ {kind} แล้วตรวจ" for kind in KINDS},
}


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m pipeline", description="GECC paperwork: DOCX and PDF from inputs/")
    p.add_argument("command", choices=list(COMMANDS), help="; ".join(f"{k}: {v}" for k, v in COMMANDS.items()))
    p.add_argument("--inputs", type=Path, default=Path("inputs"), help="input folder (default: inputs)")
    p.add_argument("--outputs", type=Path, default=Path("outputs"), help="output folder (default: outputs)")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return main_run(args.command, args.inputs.resolve(), args.outputs.resolve())


if __name__ == "__main__":
    sys.exit(main())
