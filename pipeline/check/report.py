"""Reporting the findings: a table for the terminal, a JSON file, the totals."""

from __future__ import annotations

import fcntl
import json
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..files import write_text
from .model import Finding


def by_pdf(findings: Sequence[Finding]) -> dict[Path, list[Finding]]:
    """The findings grouped by PDF, in the order the PDFs first appear."""
    grouped: dict[Path, list[Finding]] = {}
    for finding in findings:
        grouped.setdefault(finding.pdf, []).append(finding)
    return grouped


def totals(findings: Sequence[Finding]) -> dict[str, int]:
    """PDFs passed and failed, checks run and failed."""
    grouped = by_pdf(findings)
    failed = sum(1 for fs in grouped.values() if not all(f.ok for f in fs))
    return {
        "pdfs": len(grouped),
        "pdfs_passed": len(grouped) - failed,
        "pdfs_failed": failed,
        "checks": len(findings),
        "checks_failed": sum(1 for f in findings if not f.ok),
    }


def _width(text: str) -> int:
    """Terminal width: Thai vowels and tone marks above/below take no column."""
    return sum(0 if unicodedata.category(c) in ("Mn", "Me", "Cf") else 1 for c in text)


def summary_table(findings: Sequence[Finding]) -> str:
    """One line per PDF (ok / FAIL per rule), then the failing details, then totals."""
    grouped = by_pdf(findings)
    rules = list(dict.fromkeys(f.rule for f in findings))
    widths = [max(len(r), 4) for r in rules]
    kind_width = max([_width("kind")] + [_width(fs[0].kind) for fs in grouped.values()])

    def row(status: str, cells: list[str], kind: str, pdf: str) -> str:
        padded = "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True))
        return f"{status:<6}{padded}  {kind}{' ' * (kind_width - _width(kind))}  {pdf}".rstrip()

    lines = [row("", rules, "kind", "pdf")]
    for pdf, fs in grouped.items():
        outcome = {f.rule: f.ok for f in fs}
        cells = ["-" if r not in outcome else "ok" if outcome[r] else "FAIL" for r in rules]
        lines.append(row("PASS" if all(outcome.values()) else "FAIL", cells, fs[0].kind, str(pdf)))
    failing = [(pdf, [f for f in fs if not f.ok]) for pdf, fs in grouped.items()]
    failing = [(pdf, fs) for pdf, fs in failing if fs]
    if failing:
        lines += ["", "Problems:"]
        for pdf, fs in failing:
            lines.append(f"{pdf}")
            for f in fs:
                first, *rest = f.detail.splitlines() or [""]
                lines.append(f"  {f.rule}: {first}")
                lines += [f"  {' ' * len(f.rule)}  {more}" for more in rest]
    t = totals(findings)
    lines += [
        "",
        f"Total: {t['pdfs']} PDFs, {t['pdfs_passed']} passed, {t['pdfs_failed']} failed; "
        f"{t['checks_failed']} of {t['checks']} checks failed",
    ]
    return "\n".join(lines)


def write_json(findings: Sequence[Finding], path: Path) -> None:
    """{"findings": [{pdf, kind, rule, ok, detail}, ...], "totals": {...}}, written atomically."""
    data = {
        "findings": [
            {"pdf": str(f.pdf), "kind": f.kind, "rule": f.rule, "ok": f.ok, "detail": f.detail} for f in findings
        ],
        "totals": totals(findings),
    }
    write_text(Path(path), json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def update_json(findings: Sequence[Finding], path: Path) -> list[Finding]:
    """check.json with ``findings`` and, for every PDF they do not cover, its last result from the file
    as it was, while that PDF still exists: a run that checks only some documents (the letters, one
    center's report) never drops the results of the others. Returns every finding written.

    A lock file beside it keeps two updates apart (a campaign build and a report made from the web).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(f".{path.name}.lock"), "a+b") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        checked = {Path(f.pdf) for f in findings}
        kept = [f for f in _read(path) if f.pdf not in checked and f.pdf.is_file()]
        merged = sorted([*kept, *findings], key=lambda f: str(f.pdf))  # stable: one PDF's rules stay in order
        write_json(merged, path)
    return merged


def _read(path: Path) -> list[Finding]:
    """The findings of check.json (none if it is missing or unreadable: the next write starts over)."""
    try:
        data: Any = json.loads(path.read_text(encoding="utf-8"))
        return [
            Finding(Path(f["pdf"]), str(f["rule"]), bool(f["ok"]), str(f["detail"]), str(f.get("kind", "")))
            for f in data["findings"]
        ]
    except (OSError, ValueError, KeyError, TypeError):
        return []
