"""The benchmark (``python -m pipeline bench``): the whole run, side by side with the usual way.

In one run, on a generated campaign in a temporary folder (the shipped inputs and
outputs are not touched):

1. a cold build of every document kind: no earlier outputs, fresh LibreOffice profiles;
2. the same DOCX files converted the usual way, one ``soffice --convert-to pdf`` per file;
3. a warm re-run with nothing changed, then a re-run after one answer file changed;
4. optionally (``--scale``) cold builds of generated campaigns of several sizes.

Prints a table and writes ``bench.json`` to the outputs folder. Peak memory is the
largest sum of resident memory over this process and all its children (render and
check workers, LibreOffice), sampled every 0.1 s.
"""

from __future__ import annotations

import io
import json
import multiprocessing
import os
import shutil
import subprocess
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TextIO

import fitz

from . import convert, fonts, runner
from .files import write_text
from .load import load_campaign
from .registry import EVERYTHING, documents_for
from .sample import change_one_answer, make_inputs
from .settings import Settings
from .web.bench import web_bench  # the real server on the loopback address
from .workers import cores

SAMPLE_EVERY = 0.1  # s between memory samples
SCALE_SAMPLE = 40  # documents of a scaled campaign converted one soffice per file, for its ratio


@dataclass
class Run:
    """One build, measured."""

    label: str
    centers: int
    documents: int  # documents rendered and converted (DOCX → PDF) in this campaign
    pages: int  # pages of those documents' PDFs
    seconds: dict[str, float]
    rebuilt: list[str] = field(default_factory=list)
    archived: list[str] = field(default_factory=list)
    checked: int = 0
    status: int = 0
    peak_mb: float = 0.0

    @property
    def docs_per_second(self) -> float:
        return self.documents / self.seconds["total"] if self.seconds.get("total") else 0.0


# --- measuring ----------------------------------------------------------------------


class PeakMemory:
    """The largest resident memory of this process plus its descendants while in the block."""

    def __init__(self) -> None:
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def mb(self) -> float:
        return self.peak / 2**20

    def _sample(self) -> None:
        while True:
            self.peak = max(self.peak, tree_rss(os.getpid()))
            if self._stop.wait(SAMPLE_EVERY):
                return


def tree_rss(root: int) -> int:
    """Bytes resident in ``root`` and every process descending from it (Linux /proc)."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            stat = (entry / "stat").read_text()
            fields = stat[stat.rindex(")") + 2 :].split()
            parents[int(entry.name)] = int(fields[1])
            rss[int(entry.name)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, ValueError, IndexError):
            continue
    family, added = {root}, True
    while added:
        added = False
        for pid, parent in parents.items():
            if parent in family and pid not in family:
                family.add(pid)
                added = True
    return sum(rss.get(pid, 0) for pid in family)


def build(label: str, inputs: Path, outputs: Path, centers: int, profiles: Path) -> Run:
    """One ``build`` in a process of its own, started afresh as ``gecc build`` is: a build after others
    in one process began with their memory, and its forked workers counted it again (the 878-center
    build's peak: 1481 MB after three builds in the same process, 1207 MB in a process of its own)."""
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as alone:
        return alone.submit(build_here, label, inputs, outputs, centers, profiles).result()


def build_here(label: str, inputs: Path, outputs: Path, centers: int, profiles: Path) -> Run:
    """One ``build`` in this process, timed per stage, memory sampled."""
    settings = Settings(inputs, outputs, profiles=profiles)
    with PeakMemory() as memory:
        result = runner.execute_command("build", settings, runner.Door(io.StringIO(), io.StringIO()))
    outcome = result.outcome
    return Run(
        label,
        centers,
        outcome.documents,
        document_pages(inputs, outputs),
        dict(outcome.seconds),
        sorted(outcome.rebuilt),
        sorted(outcome.archived),
        outcome.checked,
        result.status,
        memory.mb,
    )


def document_pages(inputs: Path, outputs: Path) -> int:
    pages = 0
    for doc in documents_for(load_campaign(inputs), EVERYTHING):
        pdf = outputs / f"{doc.name}.pdf"
        if pdf.is_file():
            with fitz.open(pdf) as opened:
                pages += opened.page_count
    return pages


def one_soffice_per_file(docx_files: list[Path], work: Path) -> float:
    """Seconds to convert each file with its own ``soffice --headless --convert-to pdf`` call,
    one after another, as most scripts do (one profile, reused, as a user's default one is)."""
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if exe is None:
        raise convert.LibreOfficeError("LibreOffice not found")
    profile = (work / "profile").resolve().as_uri()
    out = work / "pdf"
    env = {**os.environ, "SAL_USE_VCLPLUGIN": "svp", "FONTCONFIG_FILE": str(fonts.prepare(Settings(work, work).build))}
    started = time.perf_counter()
    for i, docx in enumerate(docx_files):
        target = out / str(i)  # the same stem in two folders must not collide
        subprocess.run(
            [
                exe,
                f"-env:UserInstallation={profile}",
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                str(target),
                str(docx),
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=300,
            check=False,
        )
    seconds = time.perf_counter() - started
    made = sum(1 for _ in out.rglob("*.pdf"))
    if made != len(docx_files):
        raise RuntimeError(f"one soffice per file: {made} of {len(docx_files)} PDFs written")
    return seconds


def libreoffice_version() -> str:
    exe = shutil.which("soffice") or "soffice"
    with tempfile.TemporaryDirectory() as profile:
        try:
            said = subprocess.run(
                [exe, f"-env:UserInstallation={Path(profile).as_uri()}", "--version"],
                capture_output=True,
                text=True,
                timeout=60,
            ).stdout
        except (OSError, subprocess.TimeoutExpired):
            return ""
    return said.strip().splitlines()[0] if said.strip() else ""


def libreoffice_running() -> list[int]:
    """soffice processes already running on this machine (they would share the cores)."""
    found = []
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            if (entry / "comm").read_text().strip().startswith("soffice"):
                found.append(int(entry.name))
        except OSError:
            continue
    return found


# --- the benchmark ------------------------------------------------------------------


def bench(
    outputs: Path, *, centers: int | None = None, scale: tuple[int, ...] = (), web: bool = True, log: TextIO
) -> dict[str, Any]:
    """Everything above, and the web app's speed (pipeline.web.bench) unless ``web`` is off; returns what
    bench.json holds."""
    report: dict[str, Any] = {
        "machine": {
            "cores": cores(),
            "libreoffice": libreoffice_version(),
            "soffice_already_running": len(libreoffice_running()),
        },
        "runs": [],
    }
    with tempfile.TemporaryDirectory(prefix="gecc-bench-") as tmp_name:
        tmp = Path(tmp_name)
        profiles = tmp / "profiles"  # cold: LibreOffice profiles made in the run
        inputs = make_inputs(tmp / "main", centers)
        n = len(load_campaign(inputs).centers)
        out = tmp / "main" / "outputs"
        log.write(f"1/4 สร้างทุกเอกสารของ {n} ศูนย์ แบบเริ่มจากศูนย์ (cold)…\n")
        cold = build("cold", inputs, out, n, profiles)
        _require(cold)
        docx = [out / f"{d.name}.docx" for d in documents_for(load_campaign(inputs), EVERYTHING)]
        log.write(f"2/4 แปลง DOCX เดียวกัน {len(docx)} ไฟล์ ทีละไฟล์ ไฟล์ละหนึ่งคำสั่ง soffice…\n")
        baseline = one_soffice_per_file(docx, tmp / "baseline")
        log.write("3/4 รันซ้ำโดยไม่มีอะไรเปลี่ยน (warm)…\n")
        warm = build("warm, nothing changed", inputs, out, n, profiles)
        _require(warm)
        changed = change_one_answer(inputs)
        log.write(f"4/4 รันซ้ำหลังแก้ไฟล์คำตอบ {changed.name}…\n")
        one = build("one answer changed", inputs, out, n, profiles)
        _require(one)
        report["runs"] = [cold, warm, one]
        report["baseline"] = {"documents": len(docx), "seconds": baseline, "seconds_per_document": baseline / len(docx)}
        # Forms are composed (shared pages laid out once): their conversion is the compose stage's time.
        report["conversion_speedup"] = baseline / (cold.seconds["convert"] + cold.seconds.get("compose", 0.0))
        # The whole cold build (render, convert, check, assemble, archive) per document against converting
        # alone, one soffice per file: the ratio a clerk sees.
        report["build_speedup"] = speedup(baseline / len(docx), cold)
        report["changed_answer"] = changed.name
        report["scale_baseline"] = {}
        _save(report, outputs, log)  # what is measured so far, in case the larger runs do not end
        for size in scale:
            log.write(f"ขนาด {size} ศูนย์: สร้างแบบเริ่มจากศูนย์…\n")
            root = tmp / f"scale-{size}"
            scaled = make_inputs(root, size)
            run = build(f"scale {size}", scaled, root / "outputs", size, profiles)
            _require(run)
            report["runs"].append(run)
            # One soffice per file on an even sample of this campaign's own documents, in the same run.
            made = [root / "outputs" / f"{d.name}.docx" for d in documents_for(load_campaign(scaled), EVERYTHING)]
            sample = made[:: max(1, len(made) // SCALE_SAMPLE)][:SCALE_SAMPLE]
            per_doc = one_soffice_per_file(sample, root / "baseline") / len(sample)
            report["scale_baseline"][str(size)] = {
                "sampled": len(sample),
                "seconds_per_document": per_doc,
                "build_speedup": speedup(per_doc, run),
            }
            shutil.rmtree(root, ignore_errors=True)
            _save(report, outputs, log)
        if web:
            log.write("เว็บ: ส่งคำตอบทีละศูนย์, ทุกศูนย์ส่งพร้อมกันขณะมีผู้เปิดหน้าเว็บ, หน้าภาพรวม…\n")
            report["web"] = web_bench(tmp / "web", log=io.StringIO())
            for size in scale[-1:]:  # the rush at the largest size
                log.write(f"เว็บ: {size} ศูนย์ส่งพร้อมกัน…\n")
                report["web_scale"] = web_bench(
                    tmp / f"web-{size}", centers=size, singles=0, dashboard_centers=0, log=io.StringIO()
                )
    return _save(report, outputs, log)


def _save(report: dict[str, Any], outputs: Path, log: TextIO) -> dict[str, Any]:
    """bench.json and the table of what is measured so far."""
    done = {**report, "runs": [{**asdict(r), "docs_per_second": r.docs_per_second} for r in report["runs"]]}
    scaled = [r for r in done["runs"] if r["label"].startswith("scale")]
    if len(scaled) > 1:
        done["scale"] = linearity(scaled)
    write_text(outputs / "bench.json", json.dumps(done, ensure_ascii=False, indent=2) + "\n")
    log.write(table(done) + "\n")
    return done


def speedup(baseline_per_document: float, run: Run) -> float:
    """How many times faster per document the whole build was than one soffice per file."""
    return baseline_per_document / (run.seconds["total"] / run.documents) if run.documents else 0.0


def _require(run: Run) -> None:
    if run.status != 0:
        raise RuntimeError(f"bench: the {run.label} build failed (exit {run.status}); run `make` to see why")


def linearity(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Seconds per center at each size, and a least-squares line through (centers, seconds)."""
    xs = [r["centers"] for r in runs]
    ys = [r["seconds"]["total"] for r in runs]
    n = len(xs)
    mean_x, mean_y = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mean_x) ** 2 for x in xs)
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / sxx if sxx else 0.0
    intercept = mean_y - slope * mean_x
    total = sum((y - mean_y) ** 2 for y in ys)
    residual = sum((y - (intercept + slope * x)) ** 2 for x, y in zip(xs, ys, strict=True))
    return {
        "seconds_per_center": [y / x for x, y in zip(xs, ys, strict=True)],
        "slope": slope,
        "intercept": intercept,
        "r_squared": 1 - residual / total if total else 1.0,
    }


COLUMNS = (
    "run",
    "centers",
    "documents",
    "pages",
    "load",
    "render",
    "convert",
    "check",
    "other",
    "total",
    "docs/s",
    "peak MB",
)


def table(report: dict[str, Any]) -> str:
    rows = []
    for r in report["runs"]:
        # "convert": LibreOffice's conversion, whole documents and composed ones (the compose stage)
        s = {**r["seconds"], "convert": r["seconds"].get("convert", 0.0) + r["seconds"].get("compose", 0.0)}
        other = s["total"] - sum(s.get(k, 0.0) for k in ("load", "render", "convert", "check"))
        rows.append(
            [
                r["label"],
                str(r["centers"]),
                str(r["documents"]),
                str(r["pages"]),
                *(f"{s.get(k, 0.0):.1f}" for k in ("load", "render", "convert", "check")),
                f"{other:.1f}",
                f"{s['total']:.1f}",
                f"{r['docs_per_second']:.1f}",
                f"{r['peak_mb']:.0f}",
            ]
        )
    widths = [max(len(c), *(len(row[i]) for row in rows)) for i, c in enumerate(COLUMNS)]
    lines = [
        "| " + " | ".join(c.ljust(w) for c, w in zip(COLUMNS, widths, strict=True)) + " |",
        "|" + "|".join("-" * (w + 2) for w in widths) + "|",
    ]
    lines += ["| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |" for row in rows]
    b = report["baseline"]
    cold = report["runs"][0]
    lines += [
        "",
        f"one soffice per file: {b['documents']} DOCX in {b['seconds']:.1f} s "
        f"({b['seconds_per_document']:.2f} s each); the cold build converted them in "
        f"{cold['seconds']['convert'] + cold['seconds'].get('compose', 0.0):.1f} s: "
        f"{report['conversion_speedup']:.1f}× faster",
        f"the whole cold build, per document (render, convert, check, assemble, archive: "
        f"{cold['seconds']['total'] / cold['documents']:.3f} s): {report['build_speedup']:.1f}× faster "
        "than one soffice per file",
        f"warm re-run: redid {len(report['runs'][1]['rebuilt'])} outputs, checked "
        f"{report['runs'][1]['checked']} PDFs again",
        f"after changing {report['changed_answer']}: redid {', '.join(report['runs'][2]['rebuilt']) or '-'}; "
        f"archived {', '.join(report['runs'][2]['archived']) or '-'}",
    ]
    if "web" in report:
        one, board = report["web"]["one_submission_s"], report["web"]["dashboard"]
        lines += [
            f"web, one submission to its checked, archived report: p50 {one['p50']:.2f} s, p95 {one['p95']:.2f} s "
            f"({one['n']} in turn)",
            *(web_rush_line(report[k]) for k in ("web", "web_scale") if k in report),
            f"web, dashboard at {board['centers']} centers: p50 {board['p50_ms']} ms, max {board['max_ms']} ms",
        ]
    for size, b in report.get("scale_baseline", {}).items():
        lines.append(
            f"{size} centers: one soffice per file {b['seconds_per_document']:.2f} s per document "
            f"({b['sampled']} sampled); the whole cold build {b['build_speedup']:.1f}× faster per document"
        )
    if "scale" in report:
        per = ", ".join(f"{x:.3f}" for x in report["scale"]["seconds_per_center"])
        lines.append(f"scale: seconds per center {per}; straight line r² = {report['scale']['r_squared']:.3f}")
    return "\n".join(lines)


def web_rush_line(web: dict[str, Any]) -> str:
    r = web["rush"]
    return (
        f"web, {web['centers']} centers submitting at once: acknowledged p50 {r['ack_p50_s']:.2f} s, "
        f"p95 {r['ack_p95_s']:.2f} s; slowest of {r['page_loads']} page loads meanwhile {r['page_max_s']:.2f} s; "
        f"last report {r['last_report_s']:.1f} s after the first submit; reports made {r['reports_ok']} of "
        f"{r['stored']}"
    )
