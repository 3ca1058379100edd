"""LibreOffice profiles: made and warmed once, one per worker, never shared with a live instance.

Parallel instances need separate profiles, and a fresh profile costs ~1 s per start until
``ooSetupLastVersion`` is recorded (PRODUCT.md). So one template profile is made and warmed
per LibreOffice version, and each worker slot copies it once and reuses it. An instance
still running on a profile (left by a run that was killed before the tie to its parent
existed, or by another user) would swallow our request and exit without converting, so a
slot is only handed out once nothing uses its profile; a profile whose last instance was
killed (its ``.lock`` is still there) is made afresh, as it may be half-written.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import signal
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .soffice import LibreOfficeError, Soffice, version

_GIVE_UP = 5.0  # s to wait for killed instances to go; then the slot is left for another


def default_root() -> Path:
    # Per user: profiles are private state, and another user's would not be writable.
    return Path(tempfile.gettempdir()) / f"pipeline-libreoffice-{os.getuid()}"


class Profiles:
    def __init__(self, exe: str, root: Path):
        root.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.version = version(exe, (root / "version-probe").as_uri())
        # Keyed by version: a profile made by another LibreOffice would pay the init again.
        self.home = root / f"lo-{self.version or 'unknown'}"
        self.home.mkdir(exist_ok=True)
        self.template = self.home / "template"

    def prepare_template(self, soffice: Soffice, log: list[str]) -> None:
        """Create the pre-initialised template profile once; later calls reuse it."""
        if (self.template / "user" / "registrymodifications.xcu").is_file():
            return
        started = time.monotonic()
        scratch = Path(tempfile.mkdtemp(prefix="template-", dir=self.home))
        try:
            with tempfile.TemporaryDirectory(prefix="convert-") as tmp:
                end = soffice.run(
                    [f"-env:UserInstallation={scratch.as_uri()}", "--headless", "--terminate_after_init"],
                    timeout=120,
                    tmp=Path(tmp),
                )
                kill_users_of(scratch)
            xcu = scratch / "user" / "registrymodifications.xcu"
            if end.trouble or not xcu.is_file():
                why = f"{end.trouble or 'no profile written'} {end.said}".strip()
                raise LibreOfficeError(f"LibreOffice could not create a profile: {why}")
            self._record_version(xcu, log)
            with contextlib.suppress(OSError):  # atomic: a concurrent caller may have won; fine
                scratch.rename(self.template)
            log.append(f"created LibreOffice template profile in {time.monotonic() - started:.1f} s")
        finally:
            if scratch.exists():
                shutil.rmtree(scratch, ignore_errors=True)

    def _record_version(self, xcu: Path, log: list[str]) -> None:
        # Headless LibreOffice never records ooSetupLastVersion itself, and without it every
        # start runs first-start work and restarts (~1 s). It must equal major.minor.
        text = xcu.read_text(encoding="utf-8")
        if "ooSetupLastVersion" in text:
            return
        major_minor = ".".join(self.version.split(".")[:2])
        if not major_minor:
            log.append("LibreOffice version unknown: profiles not pre-initialised (each start ~1 s slower)")
            return
        item = (
            '<item oor:path="/org.openoffice.Setup/Product"><prop oor:name="ooSetupLastVersion" '
            f'oor:op="fuse"><value>{major_minor}</value></prop></item>\n'
        )
        xcu.write_text(text.replace("</oor:items>", item + "</oor:items>"), encoding="utf-8")
        if "ooSetupLastVersion" not in xcu.read_text(encoding="utf-8"):
            log.append("could not record ooSetupLastVersion: each LibreOffice start ~1 s slower")

    @contextmanager
    def slot(self) -> Iterator[Path]:
        """A worker profile that no other thread or process is using (flock), reused across calls,
        and on which no LibreOffice is running."""
        n = 0
        while True:
            n += 1
            handle = open(self.home / f"worker-{n}.lock", "w")  # noqa: SIM115 (held until the slot ends)
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                handle.close()
                continue
            profile = self.home / f"worker-{n}"
            # We hold the lock, so any soffice still on this profile was left by a dead owner;
            # a live instance would swallow our request and exit without converting.
            if kill_users_of(profile):
                break
            handle.close()  # an instance we cannot kill (another user's?): take another profile
        try:
            if not profile.is_dir() or (profile / ".lock").exists():
                # LibreOffice removes its .lock when it exits; still there, its instance was killed.
                self.reset(profile)
            try:
                yield profile
            except BaseException:
                # Stopped mid-call: the killed instance may have left the profile half-written;
                # the next call makes it afresh from the template.
                shutil.rmtree(profile, ignore_errors=True)
                raise
        finally:
            handle.close()

    def reset(self, profile: Path) -> None:
        shutil.rmtree(profile, ignore_errors=True)
        shutil.copytree(self.template, profile, symlinks=True)


def users_of(profile: Path) -> list[int]:
    """Live processes whose command line names this profile (Linux /proc; [] elsewhere)."""
    wanted = f"-env:UserInstallation={profile.as_uri()}".encode()
    pids = []
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            if wanted in (entry / "cmdline").read_bytes().split(b"\0"):
                pids.append(int(entry.name))
        except OSError:
            continue
    return pids


def kill_users_of(profile: Path) -> bool:
    """Kill every process using ``profile``; whether none is left."""
    for pid in users_of(profile):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + _GIVE_UP  # zombies show an empty cmdline, so this ends
    while users_of(profile):
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)
    return True
