"""LibreOffice kept warm: long-lived instances driven over UNO, for reports made one or a few at a time.

A ``soffice --convert-to`` call costs about 0.9 s to start before it converts anything (PRODUCT.md):
nothing for a campaign build, whose batches convert a hundred files per start, but most of the time of
one center's report. Here each instance starts once, listens on a pipe, and converts document after
document: ``loadComponentFromURL`` (Hidden, ReadOnly) and ``storeToURL`` with ``writer_pdf_Export`` (and
PDF/A-2b for the reports), what ``--convert-to`` does, so the PDFs are the same line for line.

Debian's python3-uno works only with Debian's /usr/bin/python3, not in the venv: each instance is
driven by a small bridge process (``uno_bridge.py``) under that Python, which this module talks to over
a pipe, one JSON line per document. One instance per core, each on a profile of its own (pipeline/
convert/profiles.py), restarted after ``RESTART_AFTER`` documents (LibreOffice's memory grows) or when a
document takes longer than its time bound (a hang: the instance is killed, the document retried once on
a fresh one, then named as failed). Like every LibreOffice here, an instance and its bridge are tied to
the thread that started them (soffice.py): they never outlive it, ``kill -9`` included.

Without python3-uno (``available()`` is False) the batch converter (batches.py) does the work: it is the
same LibreOffice, only slower to start, and needs nothing beyond it.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import select
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from functools import cache
from pathlib import Path
from typing import IO, Any, NamedTuple

from .. import fonts
from ..workers import cores
from .batches import Conversion
from .pdfs import place, screen, thai_page_numbers, verify
from .profiles import Profiles, default_root, kill_users_of
from .soffice import PRCTL, LibreOfficeError, Soffice, base_env, command, find_soffice, killpg, tied_to

SYSTEM_PYTHON = "/usr/bin/python3"  # Debian's, where python3-uno is
BRIDGE = Path(__file__).with_name("uno_bridge.py")
RESTART_AFTER = 200  # documents an instance converts before it is started afresh
START_TIMEOUT = 60.0  # s for an instance to start and accept its bridge
POLL = 0.2  # s between looks at the stop flag while a document converts


@cache
def available() -> bool:
    """Whether Debian's python3-uno can drive LibreOffice here."""
    try:
        return (
            subprocess.run([SYSTEM_PYTHON, "-c", "import uno"], capture_output=True, timeout=30).returncode == 0
            and find_soffice() != ""
        )
    except (OSError, subprocess.SubprocessError, LibreOfficeError):
        return False


class _How(NamedTuple):
    """How a document is exported: PDF/A-2b, bookmarks as named destinations (compose), page numbers
    rewritten in Thai digits (pdfs.thai_page_numbers; compose numbers its parts itself)."""

    pdfa: bool
    destinations: bool
    numbers: bool


class Instance:
    """One LibreOffice listening on a pipe, and the bridge that drives it."""

    def __init__(self, soffice: Soffice, profile: Path, work: Path):
        self.soffice = soffice
        self.profile = profile
        self.work = work  # its temporary files: LibreOffice's own, the PDFs before they are placed
        self.office: subprocess.Popen[bytes] | None = None
        self.bridge: subprocess.Popen[bytes] | None = None
        self.converted = 0
        self.starts = 0

    def alive(self) -> bool:
        return all(p is not None and p.poll() is None for p in (self.office, self.bridge))

    def start(self) -> None:
        """Start LibreOffice on this instance's profile and its bridge; raises LibreOfficeError if it cannot."""
        self.stop()
        self.starts += 1
        pipe = f"gecc-{os.getpid()}-{id(self)}-{self.starts}"
        env = base_env()
        env["TMPDIR"] = str(self.work)
        if self.soffice.fontconfig:
            env["FONTCONFIG_FILE"] = str(self.soffice.fontconfig)
        log = open(self.work / "soffice.log", "ab")  # noqa: SIM115 (the children hold it)
        with log:
            args = [
                f"-env:UserInstallation={self.profile.as_uri()}",
                "--headless",
                "--invisible",
                "--norestore",
                "--nologo",
                "--nodefault",
                f"--accept=pipe,name={pipe};urp;",
            ]
            self.office = _spawn(command(self.soffice.exe, args), env, log, None)
            # The profile on its command line too: what uses a profile is found by it (profiles.users_of).
            bridge = [SYSTEM_PYTHON, str(BRIDGE), pipe, f"-env:UserInstallation={self.profile.as_uri()}"]
            self.bridge = _spawn(bridge, env, log, subprocess.PIPE)
        said = self._answer(START_TIMEOUT, lambda: None)
        if said is None or not said.get("ready"):
            self.stop()
            raise LibreOfficeError(f"LibreOffice did not start for the UNO bridge ({_said(said)})")
        self.converted = 0

    def convert(self, docx: Path, pdf: Path, how: _How, timeout: float) -> str | None:
        """``docx`` to ``pdf`` as ``how`` asks (its page numbers are the pool's work); why not, when it
        could not (the instance is then stopped)."""
        assert self.bridge is not None and self.bridge.stdin is not None
        request = {"docx": str(docx.resolve()), "pdf": str(pdf), "pdfa": how.pdfa, "destinations": how.destinations}
        try:
            self.bridge.stdin.write(json.dumps(request).encode() + b"\n")
            self.bridge.stdin.flush()
        except OSError:
            self.stop()
            return "LibreOffice died"
        said = self._answer(timeout, self._stopped)
        self.converted += 1
        if said is None:
            why = "LibreOffice died" if self._ended() else f"LibreOffice timed out after {timeout:g} s"
            self.stop()
            return why
        return None if said.get("ok") else f"LibreOffice: {said.get('error', '?')}"

    def _stopped(self) -> None:
        if self.soffice.stop.is_set():
            raise _Stop()

    def _ended(self) -> bool:
        return not self.alive()

    def _answer(self, timeout: float, meanwhile: Callable[[], None]) -> dict[str, Any] | None:
        """The bridge's next line; None when it ends or ``timeout`` passes first."""
        assert self.bridge is not None and self.bridge.stdout is not None
        out: IO[bytes] = self.bridge.stdout
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            ready, _, _ = select.select([out], [], [], min(POLL, left))
            meanwhile()
            if ready:
                line = out.readline()
                if not line:
                    return None
                try:
                    said: dict[str, Any] = json.loads(line)
                except ValueError:
                    continue  # not an answer (a library's stray print)
                return said
            if self._ended():
                return None
        return None

    def stop(self) -> None:
        for proc in (self.bridge, self.office):
            if proc is not None and proc.poll() is None:
                killpg(proc.pid)  # its whole group: the guard, oosplash, soffice.bin
            if proc is not None:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    proc.wait(timeout=10)
        for stream in (self.bridge.stdin, self.bridge.stdout) if self.bridge else ():
            with contextlib.suppress(OSError):
                if stream is not None:
                    stream.close()
        self.office = self.bridge = None
        kill_users_of(self.profile)


class _Stop(Exception):
    pass


def _spawn(argv: list[str], env: dict[str, str], log: IO[bytes], stdout: int | None) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        argv,
        stdin=subprocess.PIPE if stdout is not None else subprocess.DEVNULL,
        stdout=stdout if stdout is not None else log,
        stderr=log,
        env=env,
        start_new_session=True,
        preexec_fn=tied_to(os.getpid()) if PRCTL else None,
    )


def _said(said: dict[str, Any] | None) -> str:
    return "no answer" if said is None else json.dumps(said, ensure_ascii=False)


class _Keeper:
    """The thread that starts one instance and converts on it: a LibreOffice dies when the thread that
    started it ends (PR_SET_PDEATHSIG), so each instance has a thread that lives as long as the pool."""

    def __init__(self, instance: Instance):
        self.instance = instance
        self.inbox: queue.SimpleQueue[Callable[[Instance], None] | None] = queue.SimpleQueue()
        self.thread = threading.Thread(target=self._run, name="gecc-warm-libreoffice", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while (task := self.inbox.get()) is not None:
            task(self.instance)
        self.instance.stop()

    def ask(self, task: Callable[[Instance], None]) -> threading.Event:
        done = threading.Event()

        def run(instance: Instance) -> None:
            try:
                task(instance)
            finally:
                done.set()

        self.inbox.put(run)
        return done


class WarmPool:
    """Warm instances, started on first use and kept until ``close`` (or the process's end).

    Call it as a converter: ``pool(jobs, pdfa, progress)`` → Conversion; one call at a time (a second
    waits). Every instance has a thread of its own that starts it and converts on it.
    """

    def __init__(
        self,
        fontconfig: Path | None,
        profile_root: Path | None = None,
        *,
        file_timeout: float = 60.0,
        workers: int | None = None,
    ):
        self.fontconfig = Path(fontconfig).resolve() if fontconfig else None
        self.profile_root = Path(profile_root).resolve() if profile_root else default_root()
        self.file_timeout = file_timeout
        self.size = workers or cores()
        self.keepers: list[_Keeper] = []
        self._held = ExitStack()  # the profiles' slots, held while the pool lives
        self._soffice: Soffice | None = None
        self._lock = threading.Lock()
        self.restart_after = RESTART_AFTER

    @property
    def instances(self) -> list[Instance]:
        return [k.instance for k in self.keepers]

    def close(self) -> None:
        if self._soffice is not None:
            self._soffice.stop.set()
        for keeper in self.keepers:
            keeper.instance.stop()  # from this thread: a conversion under way ends now
            keeper.inbox.put(None)
        for keeper in self.keepers:
            keeper.thread.join(10)
            shutil.rmtree(keeper.instance.work, ignore_errors=True)
        self.keepers = []
        self._held.close()
        self._soffice = None

    def __enter__(self) -> WarmPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _keepers(self, n: int, log: list[str]) -> list[_Keeper]:
        """``n`` instances with their threads (started when they first work)."""
        if self._soffice is None:
            self._soffice = Soffice(find_soffice(), self.fontconfig)
            self.profiles = Profiles(self._soffice.exe, self.profile_root)
            self.profiles.prepare_template(self._soffice, log)
        while len(self.keepers) < n:
            profile = self._held.enter_context(self.profiles.slot())
            work = Path(tempfile.mkdtemp(prefix="warm-", dir=self.profiles.home))
            self.keepers.append(_Keeper(Instance(self._soffice, profile, work)))
        return self.keepers[:n]

    def start(self) -> None:
        """Every instance running now, so the first document waits for none."""
        with self._lock:
            problems: list[str] = []

            def start(instance: Instance) -> None:
                try:
                    if not instance.alive():
                        instance.start()
                except LibreOfficeError as error:
                    problems.append(str(error))

            self._wait([k.ask(start) for k in self._keepers(self.size, [])])
            if problems:
                raise LibreOfficeError(problems[0])

    def _wait(self, events: list[threading.Event]) -> None:
        try:
            for event in events:
                while not event.wait(POLL):
                    pass
        except BaseException:
            self.close()  # Ctrl-C, SIGTERM: every instance killed now, their threads end
            raise

    def __call__(
        self,
        jobs: Sequence[tuple[Path, Path]],
        pdfa: bool,
        progress: Callable[[int, int], None] | None = None,
        destinations: bool = False,
        numbers: bool = True,
    ) -> Conversion:
        """Each (docx, pdf) job; ``destinations``: bookmarks as PDF named destinations (compose.py);
        ``numbers``: page numbers in Thai digits (pdfs.thai_page_numbers)."""
        with self._lock:
            return self._convert(jobs, _How(pdfa, destinations, numbers), progress)

    def _convert(
        self,
        jobs: Sequence[tuple[Path, Path]],
        how: _How,
        progress: Callable[[int, int], None] | None,
    ) -> Conversion:
        result = Conversion()
        todo: queue.SimpleQueue[tuple[Path, Path]] = queue.SimpleQueue()
        for job in screen(jobs, result.failed, result.log):
            todo.put(job)
        if todo.empty():
            return result
        keepers = self._keepers(min(self.size, todo.qsize()), result.log)
        lock, done = threading.Lock(), [0]
        page_font = fonts.font_file(self.fontconfig)

        def work(instance: Instance) -> None:
            while True:
                try:
                    docx, pdf = todo.get_nowait()
                except queue.Empty:
                    return
                problem = self._one(instance, (docx, pdf), how, page_font, result)
                with lock:
                    if problem:
                        result.failed[docx] = problem
                        result.log.append(f"{docx.name} failed: {problem}")
                    else:
                        result.converted.append(pdf)
                        done[0] += 1
                        if progress:
                            progress(done[0], len(jobs))

        self._wait([k.ask(work) for k in keepers])
        order = {pdf: i for i, (_, pdf) in enumerate(jobs)}
        result.converted.sort(key=lambda pdf: order[pdf])
        return result

    def _one(
        self,
        instance: Instance,
        job: tuple[Path, Path],
        how: _How,
        page_font: Path | None,
        result: Conversion,
    ) -> str | None:
        """One document on ``instance``, retried once on a fresh start if the instance failed it."""
        docx, pdf = job
        produced = instance.work / f"{threading.get_ident()}.pdf"
        problem: str | None = None
        for attempt in (1, 2):
            produced.unlink(missing_ok=True)
            if instance.soffice.stop.is_set():
                return "stopped"
            try:
                if not instance.alive() or instance.converted >= self.restart_after:
                    instance.start()
                problem = instance.convert(docx, produced, how, self.file_timeout)
            except (_Stop, LibreOfficeError) as error:
                return str(error) or "stopped"
            if problem is None:
                break
            if instance.soffice.stop.is_set():
                return problem
            if attempt == 1 and not instance.alive():
                result.retried.append(docx)
                result.log.append(f"{docx.name}: {problem}; retrying on a fresh LibreOffice")
        if problem is None:
            problem = (
                verify(produced, how.pdfa)
                or (thai_page_numbers(produced, page_font) if how.numbers else None)
                or place(produced, pdf)
            )
        produced.unlink(missing_ok=True)
        return problem


_SHARED: dict[tuple[Path | None, Path, float], WarmPool] = {}
_SHARED_LOCK = threading.Lock()


def process_pool(fontconfig: Path | None, profile_root: Path, file_timeout: float) -> WarmPool:
    """This process's warm pool for these settings, kept for the process's life (a report worker's)."""
    key = (fontconfig, Path(profile_root).resolve(), file_timeout)
    with _SHARED_LOCK:
        if key not in _SHARED:
            _SHARED[key] = WarmPool(fontconfig, profile_root, file_timeout=file_timeout)
        return _SHARED[key]
