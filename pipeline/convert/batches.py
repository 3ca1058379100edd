"""The conversion: batches in parallel worker threads, whatever a batch lost retried one file at a time.

One ``soffice`` call per batch of files is ~10x cheaper than one call per file, and soffice
drops arguments past ~250: batches of ``CHUNK``, one worker (and one profile) per core.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

from .. import fonts
from ..workers import cores
from .pdfs import place, screen, thai_page_numbers, verify
from .profiles import Profiles, default_root, kill_users_of
from .soffice import End, Soffice, Stopped, find_soffice

CHUNK = 100  # files per soffice call; soffice silently drops files past ~250 arguments
PDFA2_FILTER = 'pdf:writer_pdf_Export:{"SelectPdfVersion":{"type":"long","value":"2"}}'
_PDFA2 = '"SelectPdfVersion":{"type":"long","value":"2"}'
_DESTINATIONS = '"ExportBookmarksToPDFDestination":{"type":"boolean","value":"true"}'


def export_filter(pdfa: bool, destinations: bool = False) -> str:
    """The ``--convert-to`` argument: PDF, PDF/A-2b, and bookmarks as named destinations (compose)."""
    options = [o for o, wanted in ((_PDFA2, pdfa), (_DESTINATIONS, destinations)) if wanted]
    return f"pdf:writer_pdf_Export:{{{','.join(options)}}}" if options else "pdf"


@dataclass
class Conversion:
    converted: list[Path] = field(default_factory=list)  # PDFs written and verified
    failed: dict[Path, str] = field(default_factory=dict)  # docx -> reason
    retried: list[Path] = field(default_factory=list)  # docx that needed the one-by-one retry
    log: list[str] = field(default_factory=list)  # human-readable log lines


Job = tuple[Path, Path]


@dataclass(frozen=True)
class How:
    """How to convert: the fonts (``fontconfig``), the workers (default one per core), the time bounds of a
    batch and of a file retried alone, PDF/A-2b, bookmarks as PDF named destinations (where each landed:
    compose), where the profiles live."""

    fontconfig: Path | None = None
    workers: int | None = None
    batch_timeout: float = 120.0
    file_timeout: float = 60.0
    pdfa: bool = False
    destinations: bool = False
    profile_root: Path | None = None
    numbers: bool = True  # page numbers in Thai digits (pdfs.thai_page_numbers); compose numbers its parts itself


def convert(
    jobs: Sequence[tuple[Path, Path]], how: How | None = None, progress: Callable[[int, int], None] | None = None
) -> Conversion:
    """Convert each (docx, pdf) job; never leaves a partial or broken PDF at a pdf path.

    ``progress(done, total)`` is called from worker threads (one call at a time) each time
    a PDF has been verified and put in place.
    """
    how = how or How()
    fontconfig, workers, pdfa, destinations, profile_root = (
        how.fontconfig,
        how.workers,
        how.pdfa,
        how.destinations,
        how.profile_root,
    )
    batch_timeout, file_timeout = how.batch_timeout, how.file_timeout
    jobs = [(Path(d), Path(p)) for d, p in jobs]
    targets = [p.resolve() for _, p in jobs]
    if len(set(targets)) != len(targets):
        raise ValueError("two jobs write the same PDF path")
    result = Conversion()
    if not jobs:
        return result

    todo = screen(jobs, result.failed, result.log)
    if not todo:
        return result

    fontconfig = Path(fontconfig).resolve() if fontconfig else None
    exe = find_soffice()
    soffice = Soffice(exe, fontconfig)
    # Absolute: profiles are passed as file:// URIs, and soffice may resolve paths elsewhere.
    profiles = Profiles(exe, Path(profile_root).resolve() if profile_root else default_root())
    profiles.prepare_template(soffice, result.log)
    page_font = fonts.font_file(fontconfig)
    batches = _Batches(soffice, profiles, export_filter(pdfa, destinations), pdfa, how.numbers, page_font)

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
    # POLL seconds and end; only then is the interruption passed on. A worker's own error
    # (a full disk) stops the others the same way.
    pool = ThreadPoolExecutor(max_workers=n)
    try:
        futures = [pool.submit(batches.work, i + 1, shares[i], batch_timeout, file_timeout, placed) for i in range(n)]
        wait(futures, return_when=FIRST_EXCEPTION)  # one worker's error stops the others now
        parts = [f.result() for f in futures]
    except BaseException:
        soffice.stop.set()
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


class _Batches:
    """One worker's share of the jobs: batches on its own profile, and the retries."""

    def __init__(
        self,
        soffice: Soffice,
        profiles: Profiles,
        export_filter: str,
        pdfa: bool,
        numbers: bool,
        page_font: Path | None,
    ):
        self.soffice = soffice
        self.profiles = profiles
        self.export_filter = export_filter
        self.pdfa = pdfa
        self.numbers = numbers
        self.page_font = page_font

    def work(
        self, number: int, jobs: list[Job], batch_timeout: float, file_timeout: float, placed: Callable[[], None]
    ) -> Conversion:
        out = Conversion()
        stop = self.soffice.stop
        with self.profiles.slot() as profile:
            for start in range(0, len(jobs), CHUNK):
                if stop.is_set():
                    raise Stopped()
                chunk = jobs[start : start + CHUNK]
                end, missing = self._batch(profile, chunk, batch_timeout, out, placed)
                if not missing:
                    continue
                what = (
                    f"LibreOffice {end.trouble}"
                    if end.trouble
                    else (f"LibreOffice exited normally but {len(missing)} of {len(chunk)} PDFs are missing or broken")
                )
                out.log.append(f"worker {number}: {what}; retrying {_files(len(missing))} one by one")
                for docx, pdf in missing:
                    if stop.is_set():
                        raise Stopped()
                    out.retried.append(docx)
                    _, still = self._batch(profile, [(docx, pdf)], file_timeout, out, placed)
                    for (failed_docx, _), reason in still.items():
                        out.failed[failed_docx] = reason
                        out.log.append(f"worker {number}: {failed_docx.name} failed: {reason}")
        return out

    def _batch(
        self, profile: Path, jobs: list[Job], timeout: float, out: Conversion, placed: Callable[[], None]
    ) -> tuple[End, dict[Job, str]]:
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

            def finish(i: int, end: End | None) -> None:
                """Verify, number and place PDF ``i``; ``end`` None while soffice still runs."""
                handled.add(i)
                produced = outbox / f"{i:03d}.pdf"
                problem = verify(produced, self.pdfa)
                if problem == "no PDF written" and end and end.trouble:
                    problem = f"LibreOffice {end.trouble}"
                elif problem == "no PDF written" and end and end.said:
                    problem = f"no PDF written (LibreOffice: {end.said})"
                if not problem and self.numbers:
                    problem = thai_page_numbers(produced, self.page_font)
                if not problem:
                    problem = place(produced, jobs[i][1])
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

            end = self.soffice.run(
                [
                    f"-env:UserInstallation={profile.as_uri()}",
                    "--headless",
                    "--norestore",
                    "--convert-to",
                    self.export_filter,
                    "--outdir",
                    str(outbox),
                    *inputs,
                ],
                timeout=timeout,
                tmp=tmp,
                meanwhile=finish_written,
            )
            kill_users_of(profile)  # anything that left the group (or outlived oosplash)
            if end.trouble:
                self.profiles.reset(profile)  # a killed instance may leave the profile half-written
            for i in range(len(jobs)):
                if i not in handled:
                    finish(i, end)
        return end, missing


def _files(n: int) -> str:
    return f"{n} file{'s' if n != 1 else ''}"
