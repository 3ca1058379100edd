"""DOCX to PDF with LibreOffice: the only module that knows about LibreOffice.

Measured facts this code is built on (see PRODUCT.md, "Conversion with LibreOffice"):
one ``soffice`` call per batch of files is ~10x cheaper than one call per file; parallel
instances need separate profiles; a fresh profile costs ~1 s per start until
``ooSetupLastVersion`` is recorded; ``soffice`` may exit 0 without writing a PDF, hang,
or drop arguments past ~250. So: batches in parallel workers, pre-initialised profiles
reused across calls, every output verified, every call bounded in time, and whatever a
batch lost retried one file at a time.
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import zipfile
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import fitz  # PyMuPDF

from . import fonts
from .files import DISK_FULL
from .workers import cores

__all__ = ["Conversion", "LibreOfficeError", "convert"]

CHUNK = 100  # files per soffice call; soffice silently drops files past ~250 arguments
PDFA2_FILTER = 'pdf:writer_pdf_Export:{"SelectPdfVersion":{"type":"long","value":"2"}}'
_PDFA2_XMP = re.compile(r'pdfaid:part(?:>\s*|="\s*)2\b')


class LibreOfficeError(RuntimeError):
    """LibreOffice cannot be run at all (missing, or cannot even initialise a profile)."""


class _Stopped(Exception):
    """The conversion was stopped from outside (Ctrl-C, SIGTERM, a full disk in another worker)."""


_POLL = 0.2  # s between checks of the stop flag while soffice runs


@dataclass
class Conversion:
    converted: list[Path] = field(default_factory=list)  # PDFs written and verified
    failed: dict[Path, str] = field(default_factory=dict)  # docx -> reason
    retried: list[Path] = field(default_factory=list)  # docx that needed the one-by-one retry
    log: list[str] = field(default_factory=list)  # human-readable log lines


Job = tuple[Path, Path]


def convert(
    jobs: Sequence[tuple[Path, Path]],
    *,
    fontconfig: Path | None = None,
    workers: int | None = None,
    batch_timeout: float = 120.0,
    file_timeout: float = 60.0,
    pdfa: bool = False,
    progress: Callable[[int, int], None] | None = None,
    profile_root: Path | None = None,
) -> Conversion:
    """Convert each (docx, pdf) job; never leaves a partial or broken PDF at a pdf path.

    ``progress(done, total)`` is called from worker threads (one call at a time) each time
    a PDF has been verified and put in place.
    """
    jobs = [(Path(d), Path(p)) for d, p in jobs]
    targets = [p.resolve() for _, p in jobs]
    if len(set(targets)) != len(targets):
        raise ValueError("two jobs write the same PDF path")
    result = Conversion()
    if not jobs:
        return result

    # Inputs that cannot be DOCX never reach LibreOffice: it would import random bytes
    # as plain text and "successfully" produce a PDF of garbage.
    todo: list[Job] = []
    for docx, pdf in jobs:
        problem = _check_input(docx)
        if problem:
            result.failed[docx] = problem
            result.log.append(f"{docx.name}: {problem}")
        else:
            todo.append((docx, pdf))
    if not todo:
        return result

    office = _Office(
        exe=_find_soffice(),
        # Absolute: profiles are passed as file:// URIs, and soffice may resolve paths elsewhere.
        root=Path(profile_root).resolve() if profile_root else _default_profile_root(),
        fontconfig=Path(fontconfig).resolve() if fontconfig else None,
        export_filter=PDFA2_FILTER if pdfa else "pdf",
        pdfa=pdfa,
    )
    office.prepare_template(result.log)

    n = max(1, min(workers or cores(), len(todo)))
    shares = [todo[i::n] for i in range(n)]
    lock = threading.Lock()
    done = [0]

    def placed() -> None:
        with lock:
            done[0] += 1
            if progress:
                progress(done[0], len(jobs))

    # The main thread waits on the workers; a KeyboardInterrupt (or SystemExit from SIGTERM)
    # arrives there. The workers then see ``stop``, kill their soffice process groups within
    # _POLL seconds and end; only then is the interruption passed on. A worker's own error
    # (a full disk) stops the others the same way.
    pool = ThreadPoolExecutor(max_workers=n)
    try:
        futures = [pool.submit(office.work, i + 1, shares[i], batch_timeout, file_timeout, placed)
                   for i in range(n)]
        wait(futures, return_when=FIRST_EXCEPTION)  # one worker's error stops the others now
        parts = [f.result() for f in futures]
    except BaseException:
        office.stop.set()
        raise
    finally:
        pool.shutdown(wait=True)

    ok: set[Path] = set()
    for part in parts:
        ok.update(part.converted)
        result.failed.update(part.failed)
        result.retried.extend(part.retried)
        result.log.extend(part.log)
    result.converted = [pdf for _, pdf in jobs if pdf in ok]  # keep the caller's order
    return result


def identity() -> str:
    """Which LibreOffice converts, cheaply (no process started): its install's version file.

    Part of every PDF's up-to-date key: another LibreOffice may lay the pages out differently.
    """
    try:
        program = Path(os.path.realpath(_find_soffice())).parent
    except LibreOfficeError:
        return "no LibreOffice"
    for name in ("versionrc", "version.ini"):
        if (program / name).is_file():
            return (program / name).read_text(errors="replace")
    return str(program)


def _check_input(docx: Path) -> str | None:
    if not docx.is_file():
        return "input file not found"
    if docx.suffix.lower() == ".docx":
        try:
            with zipfile.ZipFile(docx) as z:
                if "word/document.xml" not in z.namelist():
                    return "not a DOCX file (no word/document.xml)"
        except (zipfile.BadZipFile, OSError):
            return "not a DOCX file (not a valid zip archive)"
    return None


def _find_soffice() -> str:
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if not exe:
        raise LibreOfficeError(
            "LibreOffice not found (no 'soffice' or 'libreoffice' on PATH); "
            "install it with: apt-get install --no-install-recommends libreoffice-writer-nogui"
        )
    return exe


def _default_profile_root() -> Path:
    # Per user: profiles are private state, and another user's would not be writable.
    return Path(tempfile.gettempdir()) / f"pipeline-libreoffice-{os.getuid()}"


@lru_cache(maxsize=None)
def _version(exe: str, probe_profile: str) -> str:
    """'7.4.7.2' from 'LibreOffice 7.4.7.2 40(Build:2)'; '' when unknown."""
    try:
        out = subprocess.run(
            [exe, f"-env:UserInstallation={probe_profile}", "--version"],
            capture_output=True, text=True, timeout=30, env=_base_env(),
        ).stdout
    except (OSError, subprocess.TimeoutExpired):
        return ""
    m = re.search(r"\b(\d+\.\d+(?:\.\d+)*)\b", out)
    return m.group(1) if m else ""


def _base_env() -> dict[str, str]:
    env = dict(os.environ)
    env["SAL_USE_VCLPLUGIN"] = "svp"  # headless rendering, never looks for X
    return env


@dataclass
class _End:
    """How one soffice call ended; ``trouble`` is None for a clean exit 0."""

    trouble: str | None
    said: str  # LibreOffice's own error lines, if any


class _Office:
    def __init__(self, exe: str, root: Path, fontconfig: Path | None, export_filter: str, pdfa: bool):
        self.exe = exe
        self.fontconfig = fontconfig
        self.export_filter = export_filter
        self.pdfa = pdfa
        self.page_font = fonts.font_file(fontconfig)
        root.mkdir(parents=True, exist_ok=True, mode=0o700)
        version = _version(exe, (root / "version-probe").as_uri())
        # Keyed by version: a profile made by another LibreOffice would pay the init again.
        self.home = root / f"lo-{version or 'unknown'}"
        self.home.mkdir(exist_ok=True)
        self.version = version
        self.template = self.home / "template"
        self.stop = threading.Event()

    # -- profiles ---------------------------------------------------------------------

    def prepare_template(self, log: list[str]) -> None:
        """Create the pre-initialised template profile once; later calls reuse it."""
        if (self.template / "user" / "registrymodifications.xcu").is_file():
            return
        started = time.monotonic()
        scratch: Path | None = Path(tempfile.mkdtemp(prefix="template-", dir=self.home))
        try:
            with tempfile.TemporaryDirectory(prefix="convert-") as tmp:
                end = self._run([f"-env:UserInstallation={scratch.as_uri()}", "--headless",
                                 "--terminate_after_init"], timeout=120, tmp=Path(tmp), profile=scratch)
            xcu = scratch / "user" / "registrymodifications.xcu"
            if end.trouble or not xcu.is_file():
                why = f"{end.trouble or 'no profile written'} {end.said}".strip()
                raise LibreOfficeError(f"LibreOffice could not create a profile: {why}")
            self._record_version(xcu, log)
            try:
                scratch.rename(self.template)  # atomic: a concurrent caller may have won; fine
                scratch = None
            except OSError:
                pass
            log.append(f"created LibreOffice template profile in {time.monotonic() - started:.1f} s")
        finally:
            if scratch:
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
        item = ('<item oor:path="/org.openoffice.Setup/Product"><prop oor:name="ooSetupLastVersion" '
                f'oor:op="fuse"><value>{major_minor}</value></prop></item>\n')
        xcu.write_text(text.replace("</oor:items>", item + "</oor:items>"), encoding="utf-8")
        if "ooSetupLastVersion" not in xcu.read_text(encoding="utf-8"):
            log.append("could not record ooSetupLastVersion: each LibreOffice start ~1 s slower")

    @contextmanager
    def _slot(self) -> Iterator[Path]:
        """A worker profile that no other thread or process is using (flock), reused across calls."""
        n = 0
        while True:
            n += 1
            handle = open(self.home / f"worker-{n}.lock", "w")
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                handle.close()
                continue
            break
        try:
            profile = self.home / f"worker-{n}"
            # We hold the lock, so any soffice still on this profile was left by a dead owner;
            # a live instance would swallow our request and exit without converting.
            _kill_users_of(profile)
            if not profile.is_dir():
                self._reset(profile)
            try:
                yield profile
            except BaseException:
                # Stopped mid-call: the killed instance may have left the profile half-written;
                # the next call makes it afresh from the template.
                shutil.rmtree(profile, ignore_errors=True)
                raise
        finally:
            handle.close()

    def _reset(self, profile: Path) -> None:
        shutil.rmtree(profile, ignore_errors=True)
        shutil.copytree(self.template, profile, symlinks=True)

    # -- work -------------------------------------------------------------------------

    def work(self, number: int, jobs: list[Job], batch_timeout: float, file_timeout: float,
             placed: Callable[[], None]) -> Conversion:
        out = Conversion()
        with self._slot() as profile:
            for start in range(0, len(jobs), CHUNK):
                if self.stop.is_set():
                    raise _Stopped()
                chunk = jobs[start:start + CHUNK]
                end, missing = self._batch(profile, chunk, batch_timeout, out, placed)
                if not missing:
                    continue
                what = f"LibreOffice {end.trouble}" if end.trouble else (
                    f"LibreOffice exited normally but {len(missing)} of {len(chunk)} PDFs are missing or broken")
                out.log.append(f"worker {number}: {what}; retrying {_files(len(missing))} one by one")
                for docx, pdf in missing:
                    if self.stop.is_set():
                        raise _Stopped()
                    out.retried.append(docx)
                    _, still = self._batch(profile, [(docx, pdf)], file_timeout, out, placed)
                    for (failed_docx, _), reason in still.items():
                        out.failed[failed_docx] = reason
                        out.log.append(f"worker {number}: {failed_docx.name} failed: {reason}")
        return out

    def _batch(self, profile: Path, jobs: list[Job], timeout: float, out: Conversion,
               placed: Callable[[], None]) -> tuple[_End, dict[Job, str]]:
        """One soffice call for ``jobs``; places what verifies, returns the rest with reasons."""
        missing: dict[Job, str] = {}
        with tempfile.TemporaryDirectory(prefix="convert-") as tmp_name:
            tmp = Path(tmp_name)
            inbox, outbox = tmp / "in", tmp / "out"
            inbox.mkdir()
            outbox.mkdir()
            # Numbered links: LibreOffice names each PDF after its input, so two inputs with
            # the same stem would overwrite each other; numbers also keep odd names off argv.
            inputs = []
            for i, (docx, _) in enumerate(jobs):
                link = inbox / f"{i:03d}{docx.suffix.lower()}"
                try:
                    link.symlink_to(docx.resolve())
                except OSError:
                    shutil.copyfile(docx, link)
                inputs.append(str(link))
            handled: set[int] = set()

            def finish(i: int, end: _End | None) -> None:
                """Verify, number and place PDF ``i``; ``end`` None while soffice still runs."""
                handled.add(i)
                produced = outbox / f"{i:03d}.pdf"
                problem = _verify(produced, self.pdfa)
                if problem == "no PDF written" and end and end.trouble:
                    problem = f"LibreOffice {end.trouble}"
                elif problem == "no PDF written" and end and end.said:
                    problem = f"no PDF written (LibreOffice: {end.said})"
                if not problem:
                    problem = _thai_page_numbers(produced, self.page_font)
                if not problem:
                    problem = _place(produced, jobs[i][1])
                if problem:
                    missing[jobs[i]] = problem
                else:
                    out.converted.append(jobs[i][1])
                    placed()

            def finish_written() -> None:
                # soffice converts the files in order: once PDF j exists, every PDF before it is
                # complete. Finishing them now keeps this Python work off LibreOffice's critical path.
                written = [int(p.stem) for p in outbox.glob("*.pdf") if p.stem.isdigit()]
                for i in range(max(written, default=0)):
                    if i not in handled and (outbox / f"{i:03d}.pdf").is_file():
                        finish(i, None)

            end = self._run([f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
                             "--convert-to", self.export_filter, "--outdir", str(outbox), *inputs],
                            timeout=timeout, tmp=tmp, profile=profile, meanwhile=finish_written)
            if end.trouble:
                self._reset(profile)  # a killed instance may leave the profile half-written
            for i in range(len(jobs)):
                if i not in handled:
                    finish(i, end)
        return end, missing

    def _run(self, args: list[str], timeout: float, tmp: Path, profile: Path,
             meanwhile: Callable[[], None] | None = None) -> _End:
        env = _base_env()
        env["TMPDIR"] = str(tmp)  # LibreOffice's own lu*.tmp files go away with our temp dir
        if self.fontconfig:
            env["FONTCONFIG_FILE"] = str(self.fontconfig)
        log_path = tmp / "soffice.log"
        with open(log_path, "wb") as log_file:  # a file, not a pipe: nothing can block on it
            proc = subprocess.Popen([self.exe, *args], stdin=subprocess.DEVNULL, stdout=log_file,
                                    stderr=subprocess.STDOUT, env=env, start_new_session=True)
            try:
                code = self._wait(proc, timeout, meanwhile)
            except BaseException as exc:
                # soffice -> oosplash -> soffice.bin all share the new session's process group;
                # kill it while the leader is unreaped, so the group id cannot have been reused.
                _killpg(proc.pid)
                proc.wait()
                if not isinstance(exc, subprocess.TimeoutExpired):
                    raise
                trouble: str | None = f"timed out after {timeout:g} s"
            else:
                trouble = (None if code == 0 else
                           f"died (exit code {code})" if code < 0 or code > 128 else
                           f"exited with code {code}")
        _kill_users_of(profile)  # anything that left the group (or outlived oosplash)
        said = " ".join(line.strip() for line in log_path.read_text(errors="replace").splitlines()
                        if line.startswith("Error"))
        return _End(trouble, said)


    def _wait(self, proc: subprocess.Popen, timeout: float, meanwhile: Callable[[], None] | None) -> int:
        """proc.wait(timeout), but ended by ``stop`` within _POLL s (raises _Stopped); ``meanwhile()``
        is called between polls."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise subprocess.TimeoutExpired(proc.args, timeout)
            try:
                return proc.wait(timeout=min(_POLL, left))
            except subprocess.TimeoutExpired:
                if self.stop.is_set():
                    raise _Stopped() from None
                if meanwhile is not None:
                    meanwhile()


def _files(n: int) -> str:
    return f"{n} file{'s' if n != 1 else ''}"


def _killpg(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _users_of(profile: Path) -> list[int]:
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


def _kill_users_of(profile: Path) -> None:
    for pid in _users_of(profile):
        try:
            os.kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    deadline = time.monotonic() + 5  # zombies show an empty cmdline, so this ends
    while _users_of(profile) and time.monotonic() < deadline:
        time.sleep(0.05)


def _verify(pdf: Path, pdfa: bool) -> str | None:
    if not pdf.is_file():
        return "no PDF written"
    if pdf.stat().st_size == 0:
        return "PDF is empty"
    try:
        with fitz.open(pdf) as doc:
            if doc.page_count < 1:
                return "PDF has no pages"
            if pdfa and not _PDFA2_XMP.search(doc.get_xml_metadata() or ""):
                return "PDF lacks the PDF/A-2 identification (pdfaid:part 2)"
    except Exception as exc:  # fitz raises its own types for damaged files
        return f"PDF does not open ({exc})"
    return None


# LibreOffice 7.4 imports Word's ``PAGE \\* ThaiArabic`` (Thai digits, what the templates
# say) as Thai letters, and ignores ``w:pgNumType w:fmt="thaiNumbers"``: page 2 comes out
# as "- ข -". Such a page number is rewritten as "- ๒ -" in the same place and size.
_LETTER_PAGE_NUMBER = re.compile(r"^-\s*[ก-ฮ]{1,2}\s*-$")
_THAI_DIGITS = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")
_HEADER_BAND = 100.0  # pt from the top: page numbers sit at about 1.5 cm


@lru_cache(maxsize=4)
def _font(font_file: Path) -> fitz.Font:
    return fitz.Font(fontfile=str(font_file))


def _thai_page_numbers(pdf: Path, font_file: Path | None) -> str | None:
    try:
        with fitz.open(pdf) as doc:
            fixes = []
            for page in doc:
                band = fitz.Rect(0, 0, page.rect.width, _HEADER_BAND)
                for block in page.get_text("dict", clip=band)["blocks"]:
                    for line in block.get("lines", []):
                        if _LETTER_PAGE_NUMBER.match("".join(s["text"] for s in line["spans"]).strip()):
                            fixes.append((page, fitz.Rect(line["bbox"]), line["spans"][0]))
            if not fixes:
                return None
            if font_file is None:
                return "page numbers need the TH Sarabun New font, which fontconfig cannot find"
            font = _font(font_file)
            for page, box, span in fixes:
                text = f"- {page.number + 1} -".translate(_THAI_DIGITS)
                page.add_redact_annot(box)
                page.apply_redactions(images=fitz.PDF_REDACT_IMAGE_NONE, graphics=fitz.PDF_REDACT_LINE_ART_NONE)
                width = font.text_length(text, fontsize=span["size"])
                centre = (box.x0 + box.x1) / 2
                # A TextWriter with one loaded Font: page.insert_text(fontfile=…) re-read the font and
                # measured all its glyphs on every page (half of this function's time, measured).
                writer = fitz.TextWriter(page.rect)
                writer.append((centre - width / 2, span["origin"][1]), text, font=font, fontsize=span["size"])
                writer.write_text(page)
            doc.subset_fonts()
            fixed = pdf.with_name(pdf.stem + "-numbered.pdf")
            doc.save(fixed, garbage=3, deflate=True)
        os.replace(fixed, pdf)
    except Exception as exc:  # a damaged PDF here is a conversion failure like any other
        return f"could not correct the page numbers ({exc})"
    return None


def _place(produced: Path, pdf: Path) -> str | None:
    """Copy next to the target, then rename over it: readers never see a partial PDF."""
    part = pdf.with_suffix(".pdf.tmp")
    try:
        pdf.parent.mkdir(parents=True, exist_ok=True)
        with open(produced, "rb") as src, open(part, "wb") as dst:
            shutil.copyfileobj(src, dst)
            dst.flush()
            os.fsync(dst.fileno())
        os.replace(part, pdf)
    except OSError as exc:
        part.unlink(missing_ok=True)
        if exc.errno in DISK_FULL:  # the disk is full: no other PDF can be written either, stop everything
            raise OSError(exc.errno, exc.strerror, str(pdf)) from exc
        return f"could not write the PDF ({exc})"
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    return None
