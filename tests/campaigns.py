"""Running the real command line on small campaigns: shared by the end-to-end and fault tests.

Every test starts from the inputs the repository ships (``shipped()``: inputs/ as committed at HEAD),
never from the live inputs/ folder: the web app writes there (new answer files, .history/ with its lock
files, an edited circular), and a test must not depend on what a user has done.
"""

from __future__ import annotations

import atexit
import io
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
_SHIPPED: list[Path] = []  # the one extracted copy of this test run


def command(*args: str) -> list[str]:
    return [sys.executable, "-m", "pipeline", *args]


def run(*args: str, env: dict | None = None, timeout: float = 900) -> subprocess.CompletedProcess:
    return subprocess.run(
        command(*args), cwd=PROJECT, capture_output=True, text=True, timeout=timeout, env={**os.environ, **(env or {})}
    )


def shipped() -> Path:
    """The shipped inputs folder (read it, never change it: ``copy_shipped`` gives a copy to change).

    Taken from git (inputs/ at HEAD) so a used inputs/ changes nothing; outside a git checkout (an
    unpacked release) the live folder's files are copied, leaving out hidden entries such as .history/.
    """
    if not _SHIPPED:
        root = Path(tempfile.mkdtemp(prefix="gecc-shipped-"))
        atexit.register(shutil.rmtree, root, True)
        archive = subprocess.run(
            ["git", "-C", str(PROJECT), "archive", "--format=tar", "HEAD", "inputs"], capture_output=True, check=False
        )
        if archive.returncode == 0:
            with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
                tar.extractall(root, filter="data")
        else:
            shutil.copytree(PROJECT / "inputs", root / "inputs", ignore=shutil.ignore_patterns(".*", "~$*"))
        _SHIPPED.append(root / "inputs")
    return _SHIPPED[0]


def copy_shipped(destination: Path) -> Path:
    """A private copy of the shipped inputs at ``destination`` (created), for a test to change."""
    shutil.copytree(shipped(), destination, dirs_exist_ok=True)
    return destination


def small_inputs(root: Path) -> Path:
    """Three centers, two of them in one province; the shipped answers of the first two."""
    inputs = copy_shipped(root / "inputs")
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
