"""Which changes of the answers folder came from someone else, and which were the web's own submits.

The web keeps the campaign it read, with its own submits added as they are made (Site._answers_written).
A file changed by someone else (the command line, a clerk) means reading the folder again, which at 878
files takes seconds of the server's one Python thread. A deadline rush changes the folder with every
submit: answering each of those by reading every file again held the server for a second and more
(measured with py-spy), while the web already had every one of those answers.

So each file the web is about to write is announced with its content; a later look lists the folder and
counts as someone else's change only a file that differs from what was last seen and from what the web
wrote. Announcing before the write leaves no moment in which the web's own file looks foreign.
"""

from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path

from ..load.answers import answer_files

Listing = dict[str, tuple[int, int, int]]  # name → (inode, size, mtime_ns)
Snapshot = tuple[tuple[int, int] | None, Listing]  # the folder's own (mtime_ns, size), and its files


class AnswerFolder:
    def __init__(self, folder: Path):
        self.folder = folder
        self._folder: tuple[int, int] | None = None  # the folder's own stamp when last looked at
        self._seen: Listing = {}
        self._own: dict[str, bytes] = {}  # name → digest of what the web wrote (or is writing) there
        self._lock = threading.Lock()

    def expect(self, path: Path, text: str) -> None:
        """The web is about to write ``text`` to ``path`` (one of the folder's files)."""
        with self._lock:
            self._own[path.name] = _digest(text.encode("utf-8"))

    def snapshot(self) -> Snapshot:
        """The folder as it is now, to give ``was_read`` once it has been read (taken before reading: what
        changes during the read is seen at the next look)."""
        return self._stamp(), self.listing()

    def was_read(self, snapshot: Snapshot) -> None:
        with self._lock:
            self._folder, self._seen = snapshot

    def changed_by_others(self) -> bool:
        """Whether a file was added, removed or changed since the last look by anyone but the web. Cheap
        while nothing changed: a file added, removed or replaced (every save is a rename) changes the
        folder's own stamp, and only then are its files listed."""
        folder = self._stamp()
        if folder == self._folder:
            return False
        now = self.listing()
        with self._lock:
            for name in now.keys() | self._seen.keys():
                if now.get(name) == self._seen.get(name):
                    continue
                if name not in now or not self._is_own(name):
                    return True
            self._folder, self._seen = folder, now
        return False

    def _stamp(self) -> tuple[int, int] | None:
        try:
            st = self.folder.stat()
        except FileNotFoundError:
            return None
        return (st.st_mtime_ns, st.st_size)

    def listing(self) -> Listing:
        found: Listing = {}
        for path in answer_files(self.folder):
            try:
                st = path.stat()
            except OSError:
                continue  # removed while listed: not there
            found[path.name] = (st.st_ino, st.st_size, st.st_mtime_ns)
        return found

    def _is_own(self, name: str) -> bool:
        digest = self._own.get(name)
        if digest is None:
            return False
        try:
            with open(self.folder / name, "rb", opener=_no_follow) as f:
                return _digest(f.read()) == digest
        except OSError:
            return False


def _digest(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def _no_follow(path: str, flags: int) -> int:
    return os.open(path, flags | os.O_NOFOLLOW)
