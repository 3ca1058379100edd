"""One LibreOffice run and its supervision: its own process group, a time bound, a stop flag,
and a tie to the process that started it.

``soffice`` is a shell script that execs ``oosplash``, which forks ``soffice.bin``; all three
stay in the process group of the session each run starts, so killing the group kills the run.

No LibreOffice outlives the process that started it (measured before this tie: a build killed
with SIGKILL left soffice.bin converting for tens of seconds on the very profiles the next run
starts on). On Linux each run is started under a small ``sh`` guard that asks the kernel for
SIGTERM when its parent dies (prctl PR_SET_PDEATHSIG) and then kills its whole process group;
the signal cannot be set on soffice.bin itself, which oosplash forks (a fork clears it), and
killing oosplash alone leaves soffice.bin running (measured). PR_SET_PDEATHSIG fires when the
*thread* that started the child ends, not only the process: ``run`` waits for the run in the
thread that started it, so this holds in a threaded server as long as no caller hands a running
LibreOffice over to another thread (a worker kept warm across requests must be started by a
thread that lives as long as it does).
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

POLL = 0.2  # s between checks of the stop flag while soffice runs
_PR_SET_PDEATHSIG = 1
# The guard: on SIGTERM (its parent died) kill the whole group, LibreOffice with it.
_GUARD = 'trap "kill -KILL 0" TERM; "$@" & wait $!'


class LibreOfficeError(RuntimeError):
    """LibreOffice cannot be run at all (missing, or cannot even initialise a profile)."""


class Stopped(Exception):
    """The conversion was stopped from outside (Ctrl-C, SIGTERM, a full disk in another worker)."""


@dataclass
class End:
    """How one soffice call ended; ``trouble`` is None for a clean exit 0."""

    trouble: str | None
    said: str  # LibreOffice's own error lines, if any


def find_soffice() -> str:
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if not exe:
        raise LibreOfficeError(
            "LibreOffice not found (no 'soffice' or 'libreoffice' on PATH); "
            "install it with: apt-get install --no-install-recommends libreoffice-writer-nogui"
        )
    return exe


def identity() -> str:
    """Which LibreOffice converts, cheaply (no process started): its install's version file.

    Part of every PDF's up-to-date key: another LibreOffice may lay the pages out differently.
    """
    try:
        program = Path(os.path.realpath(find_soffice())).parent
    except LibreOfficeError:
        return "no LibreOffice"
    for name in ("versionrc", "version.ini"):
        if (program / name).is_file():
            return (program / name).read_text(errors="replace")
    return str(program)


@cache
def version(exe: str, probe_profile: str) -> str:
    """'7.4.7.2' from 'LibreOffice 7.4.7.2 40(Build:2)'; '' when unknown."""
    try:
        out = subprocess.run(
            [exe, f"-env:UserInstallation={probe_profile}", "--version"],
            capture_output=True,
            text=True,
            timeout=30,
            env=base_env(),
        ).stdout
    except (OSError, subprocess.TimeoutExpired):
        return ""
    m = re.search(r"\b(\d+\.\d+(?:\.\d+)*)\b", out)
    return m.group(1) if m else ""


def base_env() -> dict[str, str]:
    env = dict(os.environ)
    env["SAL_USE_VCLPLUGIN"] = "svp"  # headless rendering, never looks for X
    preload = allocator()
    if preload:
        env["LD_PRELOAD"] = " ".join(filter(None, (env.get("LD_PRELOAD", ""), preload)))
    return env


# LibreOffice spent 19 % of a conversion's CPU in libc, most of it malloc and free, and 13 % in the
# kernel, mostly page faults (perf, 20 reports). With jemalloc preloaded the same conversions take
# about a fifth less CPU and write the same PDFs (every content stream and character box compared).
# tools/install-system.sh installs it (Debian's libjemalloc2); GECC_SOFFICE_MALLOC=system turns it off.
JEMALLOC = "jemalloc"


@cache
def allocator() -> str | None:
    """The allocator library to preload into LibreOffice (its soname, found by the dynamic loader's
    cache), or None: not installed, or turned off."""
    if os.environ.get("GECC_SOFFICE_MALLOC", "").strip().lower() == "system" or not sys.platform.startswith("linux"):
        return None
    return ctypes.util.find_library(JEMALLOC)


def _libc_prctl() -> Callable[..., int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None


# Looked up once here, so the child between fork and exec only calls it (no import, no lookup).
PRCTL = _libc_prctl()


def tied_to(parent: int) -> Callable[[], None]:
    """A preexec_fn: SIGTERM to the child when ``parent``'s starting thread ends."""

    def tie() -> None:
        assert PRCTL is not None
        PRCTL(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
        if os.getppid() != parent:  # the parent died before the tie was made
            os.kill(os.getpid(), signal.SIGKILL)

    return tie


def command(exe: str, args: list[str]) -> list[str]:
    """The command line of one run: soffice, under the guard where the tie is possible."""
    if PRCTL is None:
        return [exe, *args]
    return ["/bin/sh", "-c", _GUARD, "soffice-guard", exe, *args]


class Soffice:
    """Runs soffice for one conversion (any number of runs, from any number of threads)."""

    def __init__(self, exe: str, fontconfig: Path | None):
        self.exe = exe
        self.fontconfig = fontconfig
        self.stop = threading.Event()  # set: every run ends within POLL s (raises Stopped)

    def run(self, args: list[str], timeout: float, tmp: Path, meanwhile: Callable[[], None] | None = None) -> End:
        """One soffice call, killed (its whole group) at ``timeout`` or on ``stop``; ``meanwhile()``
        is called between polls. Its temporary files and log go to ``tmp``."""
        env = base_env()
        env["TMPDIR"] = str(tmp)  # LibreOffice's own lu*.tmp files go away with our temp dir
        if self.fontconfig:
            env["FONTCONFIG_FILE"] = str(self.fontconfig)
        log_path = tmp / "soffice.log"
        with open(log_path, "wb") as log_file:  # a file, not a pipe: nothing can block on it
            proc = subprocess.Popen(
                command(self.exe, args),
                stdin=subprocess.DEVNULL,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                env=env,
                start_new_session=True,
                preexec_fn=tied_to(os.getpid()) if PRCTL else None,
            )
            try:
                code = self._wait(proc, timeout, meanwhile)
            except BaseException as exc:
                # The guard, soffice -> oosplash -> soffice.bin all share the new session's process
                # group; kill it while the leader is unreaped, so the group id cannot have been reused.
                killpg(proc.pid)
                proc.wait()
                if not isinstance(exc, subprocess.TimeoutExpired):
                    raise
                trouble: str | None = f"timed out after {timeout:g} s"
            else:
                trouble = (
                    None
                    if code == 0
                    else f"died (exit code {code})"
                    if code < 0 or code > 128
                    else f"exited with code {code}"
                )
        said = " ".join(
            line.strip() for line in log_path.read_text(errors="replace").splitlines() if line.startswith("Error")
        )
        return End(trouble, said)

    def _wait(self, proc: subprocess.Popen[bytes], timeout: float, meanwhile: Callable[[], None] | None) -> int:
        """proc.wait(timeout), but ended by ``stop`` within POLL s (raises Stopped)."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise subprocess.TimeoutExpired(proc.args, timeout)
            try:
                return proc.wait(timeout=min(POLL, left))
            except subprocess.TimeoutExpired:
                if self.stop.is_set():
                    raise Stopped() from None
                if meanwhile is not None:
                    meanwhile()


def killpg(pgid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)
