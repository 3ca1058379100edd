"""Running the rules: ``check_pdf`` on one file, ``check_all`` on a batch in worker processes."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import MappingProxyType

import fitz  # PyMuPDF

from ..workers import parallel_map
from .model import Expectation, Finding, Rule
from .rules import RULES
from .text import reading
from .wordbreak import prepare

MAX_LISTED = 10  # problems shown per finding; the rest are counted

_NO_RULES: Mapping[str, Rule] = MappingProxyType({})


def _detail(problems: list[str]) -> str:
    shown = problems[:MAX_LISTED]
    if len(problems) > MAX_LISTED:
        shown.append(f"… and {len(problems) - MAX_LISTED} more")
    return "\n".join(shown)


def check_pdf(exp: Expectation, extra_rules: Mapping[str, Rule] = _NO_RULES) -> list[Finding]:
    """Every rule on one PDF (extra rules after the generic ones; same name replaces).

    A missing or unopenable file is a single failing finding, rule "open"; a
    rule that crashes is a failing finding for that rule, not a crash of the run.
    Safe to call from several threads at once (each has its own text cache).
    """

    def failed(detail: str) -> list[Finding]:
        return [Finding(exp.pdf, "open", False, detail, exp.kind)]

    if not Path(exp.pdf).is_file():
        return failed(f"file not found: {exp.pdf}")
    try:
        doc = fitz.open(exp.pdf, filetype="pdf")
    except Exception as error:  # PyMuPDF raises several types for damaged files
        return failed(f"cannot open as PDF: {error}")
    with doc:
        if doc.needs_pass:
            return failed("the PDF is encrypted with a password")
        with reading(doc):
            return _run_rules(doc, exp, extra_rules)


def _run_rules(doc: fitz.Document, exp: Expectation, extra_rules: Mapping[str, Rule]) -> list[Finding]:
    findings = []
    generic = RULES if exp.rules is None else {n: RULES[n] for n in exp.rules}
    for name, rule in {**generic, **extra_rules}.items():
        try:
            problems = rule(doc, exp)
        except Exception as error:
            problems = [f"rule crashed: {type(error).__name__}: {error}"]
        findings.append(Finding(exp.pdf, name, not problems, _detail(problems), exp.kind))
    return findings


def check_all(
    exps: Sequence[Expectation],
    extra_rules: Mapping[str, Mapping[str, Rule]] = MappingProxyType({}),
    progress: Callable[[int, int], object] | None = None,
    workers: int | None = None,
) -> list[Finding]:
    """Every PDF, in ``workers`` processes (default: one per core); ``extra_rules`` by kind;
    ``progress(done, total)`` after each PDF. Findings come in the order of ``exps``."""
    jobs = [(exp, dict(extra_rules.get(exp.kind, _NO_RULES))) for exp in exps]
    prepare()  # the word list, loaded once here, reaches the forked workers with the fork
    per_pdf = parallel_map(_check_job, jobs, workers=workers, progress=progress)
    return [finding for findings in per_pdf for finding in findings]


def _check_job(job: tuple[Expectation, Mapping[str, Rule]]) -> list[Finding]:
    return check_pdf(*job)
