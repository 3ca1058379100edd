"""Forms converted whole and composed (pipeline/convert/compose.py), side by side, same DOCX, same run.

    .venv/bin/python tools/compose_bench.py OUTPUTS [ROUNDS]   # after `gecc forms --outputs OUTPUTS`

Alternates the two ways ROUNDS times (a shared machine's load hits both alike) and prints wall
seconds and LibreOffice's CPU seconds (the children's user + sys) per form, and that every
composed PDF has the lines of the whole one.
"""

from __future__ import annotations

import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))
sys.path.insert(0, str(PROJECT / "tests"))

from test_compose import differences  # noqa: E402

from pipeline import convert, fonts  # noqa: E402
from pipeline.convert.compose import Shared, convert_composing  # noqa: E402
from pipeline.documents import forms  # noqa: E402


def children_cpu() -> float:
    """LibreOffice's CPU seconds so far (the processes this one started)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def own_cpu() -> float:
    """This process's CPU seconds (verifying PDFs, composing with PyMuPDF)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def pdf_of(tmp: Path, docx: Path) -> Path:
    return tmp / "composed" / f"{docx.stem}.pdf"


def main(outputs: Path, rounds: int) -> None:
    docx = sorted(p for p in (outputs / "forms").glob("*.docx"))
    fontconfig = fonts.prepare(PROJECT / "build")
    timings: dict[str, list[tuple[float, float, float]]] = {"whole": [], "composed": []}
    with tempfile.TemporaryDirectory(prefix="compose-bench-") as tmp_name:
        tmp = Path(tmp_name)
        profiles = tmp / "profiles"

        def converter(jobs, *, destinations=False, numbers=True):  # type: ignore[no-untyped-def]
            how = convert.How(fontconfig=fontconfig, destinations=destinations, profile_root=profiles, numbers=numbers)
            return convert.convert(jobs, how)

        converter([(docx[0], tmp / "warm-up.pdf")])  # the profiles made before timing
        for _ in range(rounds):
            for way in ("whole", "composed"):
                target = tmp / way
                jobs = tuple((d, target / f"{d.stem}.pdf") for d in docx)
                wall, cpu, mine = time.perf_counter(), children_cpu(), own_cpu()
                if way == "whole":
                    result = converter(jobs)
                else:
                    result = composed = convert_composing([], [Shared(jobs, forms.SHARED_FROM)], converter)
                timings[way].append((time.perf_counter() - wall, children_cpu() - cpu, own_cpu() - mine))
                assert not result.failed, result.failed
        differing = [d.name for d in docx if differences(tmp / "whole" / f"{d.stem}.pdf", pdf_of(tmp, d))]
    n = len(docx)
    print(f"{n} forms, {rounds} rounds alternating; median per form:")
    medians = {}
    for way, runs in timings.items():
        medians[way] = [statistics.median(run[i] for run in runs) / n for i in range(3)]
        wall, cpu, mine = medians[way]
        print(f"  {way:9} wall {wall:.3f} s   LibreOffice CPU {cpu:.3f} s   Python CPU {mine:.3f} s")
    (w1, c1, p1), (w2, c2, p2) = medians["whole"], medians["composed"]
    print(f"  whole / composed: wall {w1 / w2:.2f}x, CPU (LibreOffice + Python) {(c1 + p1) / (c2 + p2):.2f}x")
    made = len(composed.composed)
    print(f"  composed {made}, converted whole {n - made}; fell back: {composed.fell_back or 'none'}")
    print(f"  composed PDFs whose lines differ from the whole conversion: {differing or 'none'}")


if __name__ == "__main__":
    main(Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 3)
