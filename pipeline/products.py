"""Products: what a build makes from the documents' PDFs (print files, packages, fillable forms, tables).

Each document kind declares its products in the registry (``Kind.products``); the
planner turns each into an "assemble" task and, when it has a check, a "check" task.
A product says what it is made of (its ledger key's ingredients), which files it
writes, how it is made and how it is checked; the planner and executor know no
product by name. Print files and packages are ``assemble.Product``; the two others
are here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from . import exports, fillable, workbooks
from .check import Expectation, Finding
from .check.kinds import results_csv
from .documents import registerbook, summary
from .model import Campaign, Center, Criteria

# A check that is not a PDF's: called as it is, gives its findings.
Verifier = Callable[[], list[Finding]]
JOINED = ("a4_portrait", "pages")  # a PDF made of checked PDFs: only what joining them can change


class Product(Protocol):
    """What the planner needs to know about something made from other outputs."""

    @property
    def name(self) -> str:
        """Its ledger name, and its output path without suffix (relative to outputs/)."""
        ...

    @property
    def compare_source(self) -> bool:
        """Whether it is the source document regenerated, compared with its OCR text when asked."""
        ...

    def ingredients(self, outputs: Path) -> tuple[Any, ...]:
        """What its key is made of (a Path counts by its bytes when the key is taken)."""
        ...

    def files(self, outputs: Path) -> list[Path]:
        """What it writes."""
        ...

    def make(self, outputs: Path) -> str | None:
        """Write it; a problem (Thai) instead when it cannot be made."""
        ...

    def check(self, outputs: Path, source: Path | None) -> Expectation | Verifier | None:
        """How it is checked (``source``: the source circular to compare with, when asked for)."""
        ...


@dataclass(frozen=True)
class FillableForm:
    """A center's blank form with a checkbox field over every printed box."""

    center: Center
    criteria: Criteria
    compare_source: bool = False

    @property
    def name(self) -> str:
        return f"forms/{self.center.slug}-fillable"

    def form(self, outputs: Path) -> Path:
        return outputs / f"forms/{self.center.slug}.pdf"

    def ingredients(self, outputs: Path) -> tuple[Any, ...]:
        return (self.form(outputs), self.criteria, self.center)

    def files(self, outputs: Path) -> list[Path]:
        return [outputs / f"{self.name}.pdf"]

    def make(self, outputs: Path) -> str | None:
        form = self.form(outputs)
        if not form.is_file():
            return f"{self.name}.pdf: ไม่ได้สร้าง เพราะขาด {form.name}"
        try:
            fillable.make_fillable(form, outputs / f"{self.name}.pdf", self.criteria, self.center)
        except ValueError as error:
            return f"{self.name}.pdf: {error}"
        return None

    def check(self, outputs: Path, source: Path | None) -> Expectation:
        return Expectation(
            outputs / f"{self.name}.pdf",
            "fillable",
            page_numbers=False,
            rules=JOINED,
            facts={"fields": fillable.field_names(self.criteria)},
        )


def fillable_forms(campaign: Campaign) -> list[Product]:
    return [FillableForm(center, campaign.criteria) for center in campaign.centers]


@dataclass(frozen=True)
class ResultsTables:
    """summary/results.csv and results.xlsx: the figures of every answer, for a spreadsheet."""

    campaign: Campaign
    name: str = summary.RESULTS_CSV.removesuffix(".csv")
    compare_source: bool = False

    def ingredients(self, outputs: Path) -> tuple[Any, ...]:
        c = self.campaign
        return (summary.results_rows(c), c.criteria, c.centers, c.answers)

    def files(self, outputs: Path) -> list[Path]:
        return [outputs / summary.RESULTS_CSV, outputs / workbooks.RESULTS_XLSX]

    def make(self, outputs: Path) -> str | None:
        c = self.campaign
        exports.write_csv(summary.results_rows(c), outputs / summary.RESULTS_CSV, summary.results_columns(c.criteria))
        workbooks.results_workbook(c, outputs / workbooks.RESULTS_XLSX)
        return None

    def check(self, outputs: Path, source: Path | None) -> Verifier:
        table = outputs / summary.RESULTS_CSV

        def verify() -> list[Finding]:
            problems = results_csv(table, self.campaign.answers, self.campaign.criteria)
            return [Finding(table, "results_csv", not problems, "\n".join(problems), summary.KIND)]

        return verify


def results_tables(campaign: Campaign) -> list[Product]:
    return [ResultsTables(campaign)]


@dataclass(frozen=True)
class RegisterWorkbook:
    """register.xlsx: the register of outgoing letters as a workbook (its rows as register.pdf's)."""

    campaign: Campaign
    name: str = registerbook.XLSX  # not "register": that is register.pdf's document
    compare_source: bool = False

    def ingredients(self, outputs: Path) -> tuple[Any, ...]:
        return (registerbook.rows(self.campaign),)

    def files(self, outputs: Path) -> list[Path]:
        return [outputs / registerbook.XLSX]

    def make(self, outputs: Path) -> str | None:
        workbooks.register_workbook(self.campaign, outputs / registerbook.XLSX)
        return None

    def check(self, outputs: Path, source: Path | None) -> None:
        return None  # read back with LibreOffice Calc in the tests


def register_workbook(campaign: Campaign) -> list[Product]:
    return [RegisterWorkbook(campaign)]
