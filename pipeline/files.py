"""Writing outputs so that a clerk never finds a half-written file.

Every output is written under a temporary name in its own folder and renamed
into place only when complete: an interrupted run leaves the old good file, not
a broken one.
"""

from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

TMP_MARK = ".part-"


@contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """A temporary path beside ``target``; renamed onto it if the block succeeds."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{target.name}{TMP_MARK}", dir=target.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        if not tmp.exists() or tmp.stat().st_size == 0:
            raise OSError(f"nothing was written for {target}")
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def write_bytes(target: Path, data: bytes) -> None:
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)


def write_text(target: Path, text: str, encoding: str = "utf-8") -> None:
    write_bytes(target, text.encode(encoding))


def remove_leftovers(folder: Path) -> None:
    """Temporary files of an earlier, interrupted run."""
    if folder.is_dir():
        for path in folder.rglob(f".*{TMP_MARK}*"):
            path.unlink(missing_ok=True)
