"""Writing outputs so that a clerk never finds a half-written file.

Every output is written under a temporary name in its own folder and renamed
into place only when complete: an interrupted run leaves the old good file, not
a broken one.
"""

from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

TMP_MARK = ".part-"
_UMASK = os.umask(0o022)
os.umask(_UMASK)  # read once: os.umask can only be read by setting it
DISK_FULL = (errno.ENOSPC, errno.EFBIG, errno.EDQUOT)


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
        os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp makes 0600; outputs are for the clerk's colleagues too
        os.replace(tmp, target)
    except OSError as exc:
        if exc.errno is not None and exc.filename in (None, str(tmp)):
            # Name the file the clerk knows (the target), not our temporary one.
            raise OSError(exc.errno, exc.strerror, str(target)) from exc
        raise
    except Exception as exc:
        # Libraries with their own exceptions (PyMuPDF: "cannot fwrite: No space left on
        # device") still fail for want of space: make that the OSError callers handle.
        for code in DISK_FULL:
            if os.strerror(code) in str(exc):
                raise OSError(code, os.strerror(code), str(target)) from exc
        raise
    finally:
        tmp.unlink(missing_ok=True)


def write_bytes(target: Path, data: bytes) -> None:
    with atomic_path(target) as tmp, open(tmp, "wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())  # on disk before the rename: an acknowledged answer survives a power cut


def write_text(target: Path, text: str, encoding: str = "utf-8") -> None:
    write_bytes(target, text.encode(encoding))


def write_new(target: Path, text: str) -> bool:
    """Write ``target`` complete, only if it does not exist; whether it was written.

    The text goes to a temporary file beside it, which is then hard-linked to
    the target name: the link fails if the name exists, so nothing is ever
    replaced, and a reader never sees a half-written file. Where the file
    system has no hard links (FAT on a USB stick, some network shares), the
    file is created with open(..., "x"), which also refuses an existing name.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{target.name}{TMP_MARK}", dir=target.parent)
    tmp = Path(name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        try:
            os.link(tmp, target)
        except FileExistsError:
            return False
        except OSError:
            try:
                with open(target, "x", encoding="utf-8") as out:
                    out.write(text)
            except FileExistsError:
                return False
        return True
    finally:
        tmp.unlink(missing_ok=True)


# Temporary names of interrupted writes: atomic_path's, convert's (NAME.pdf.tmp) and
# check.write_json's (.check.json.XXXX.tmp). The archive removes its own .incoming- folders
# when it next writes.
LEFTOVERS = (f".*{TMP_MARK}*", "*.pdf.tmp", ".*.json.*.tmp")


def remove_leftovers(folder: Path) -> None:
    """Temporary files of an earlier, interrupted run."""
    if folder.is_dir():
        for pattern in LEFTOVERS:
            for path in folder.rglob(pattern):
                if path.is_file() or path.is_symlink():
                    path.unlink(missing_ok=True)


def remove_unmade(outputs: Path, folders: list[str], made: set[str]) -> list[str]:
    """In ``folders`` (of ``outputs``) that one kind writes alone, the .docx and .pdf a run did not make
    (``made``: names relative to ``outputs``, without suffix) removed; their names."""
    removed = []
    for folder in folders:
        for path in sorted((outputs / folder).glob("*")):
            name = str(path.relative_to(outputs).with_suffix(""))
            if path.is_file() and path.suffix in (".docx", ".pdf") and name not in made:
                path.unlink()
                removed.append(name)
    return removed
