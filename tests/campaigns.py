"""Running the real command line on small campaigns: shared by the end-to-end and fault tests."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]


def command(*args: str) -> list[str]:
    return [sys.executable, "-m", "pipeline", *args]


def run(*args: str, env: dict | None = None, timeout: float = 900) -> subprocess.CompletedProcess:
    return subprocess.run(
        command(*args), cwd=PROJECT, capture_output=True, text=True, timeout=timeout, env={**os.environ, **(env or {})}
    )


def small_inputs(root: Path) -> Path:
    """Three centers, two of them in one province; the shipped answers of the first two."""
    inputs = root / "inputs"
    shutil.copytree(PROJECT / "inputs", inputs)
    (inputs / "centers.csv").write_text(
        "order,province,center,note\n"
        "1,สมุทรปราการ,ศูนย์ดำรงธรรมอำเภอพระสมุทรเจดีย์,\n"
        "2,นนทบุรี,ศูนย์ดำรงธรรมอำเภอบางบัวทอง,\n"
        "3,สมุทรปราการ,ศูนย์ดำรงธรรมอำเภอบางพลี,ศูนย์ทดสอบ\n",
        encoding="utf-8",
    )
    for path in (inputs / "answers").iterdir():
        if not path.name.startswith(("01-", "02-", "README")):
            path.unlink()
    return inputs
