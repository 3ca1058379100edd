"""What a build must make, as tasks; ``pipeline.execute`` runs the ones that are stale.

    tasks = plan(campaign, Scope(kinds, settings))        # every task the scope calls for
    outcome = execute(tasks, Context(settings, ledger))   # only what is not up to date

Every door builds through these two calls: ``gecc build`` and its siblings, the web
app's builds, one center's report (a plan of one report), several reports waiting at
the same moment (``service.build_reports``) and the benchmark.

A task is one stage of one output: ``render`` (the DOCX), ``convert`` (its PDF), ``compose``
(the PDF of a document whose kind shares pages, registry ``shared_from``: put together from
pages laid out once per build and the document's own pages, convert/compose.py), ``assemble``
(a print file, a package, a fillable form, the results tables), ``check`` (one PDF's rules)
and ``archive`` (one checked report). Each carries its ledger name (pipeline/uptodate.py) and
what its key is made of. A render or convert key is known now; a later stage's key holds the
files an earlier stage writes (a Path
counts by its bytes), so it is taken when the task's turn comes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from . import convert, fonts
from .check import Expectation, names_of
from .documents import Document
from .documents import reports as report_kind
from .model import Answer, Campaign
from .problems import Problem
from .products import Product
from .registry import BY_NAME, EVERYTHING, SHARED_FROM, documents_for, products_for
from .render import written_beside
from .settings import PROJECT, Settings
from .uptodate import fingerprint, tree_digest

STAGES = ("render", "convert", "compose", "assemble", "check", "archive")


@dataclass(frozen=True)
class Scope:
    """What to build: the documents of ``kinds`` (registry names), made (``make``) or only checked.
    ``answers``: only the reports of these answers (one center's report, or those waiting at the same
    moment), whatever the answer files hold; None: the campaign's."""

    settings: Settings
    kinds: tuple[str, ...] = EVERYTHING
    make: bool = True
    answers: tuple[Answer, ...] | None = None


@dataclass(frozen=True)
class Task:
    stage: str  # one of STAGES
    name: str  # its ledger name
    ingredients: tuple[Any, ...]  # what its key is made of
    files: tuple[Path, ...]  # what it writes, recorded with their hashes
    what: Any  # the Document, Product, check.Expectation (or verifier) or archive entry it is about
    document: Document | None = None  # the document whose PDF it is, or checks

    def key(self) -> str:
        """Its ledger key; take it when the files it is made of are written."""
        return fingerprint(*self.ingredients)


@dataclass(frozen=True)
class Plan:
    campaign: Campaign
    scope: Scope
    tasks: tuple[Task, ...]
    documents: tuple[Document, ...] = ()
    rejected: tuple[Problem, ...] = ()  # answer files the planned kinds could not use (named, in Thai)
    compared: bool = False  # a product is compared with the source circular
    source_problem: str = ""  # why it cannot be, when asked for
    notes: dict[str, Any] = field(default_factory=dict)

    def stage(self, stage: str) -> list[Task]:
        return [t for t in self.tasks if t.stage == stage]


@lru_cache(maxsize=1)
def code_version() -> str:
    """The code's identity: every module of the pipeline and the pinned libraries."""
    return tree_digest(
        [
            *(PROJECT / "pipeline").rglob("*.py"),
            *(PROJECT / "pipeline" / "reference").iterdir(),
            PROJECT / "requirements.txt",
        ]
    )


def inputs_digest(campaign: Campaign, settings: Settings) -> str:
    """What a report depends on besides its answers: the criteria, the template, the code."""
    return fingerprint(campaign.inputs / "criteria.yaml", settings.templates / report_kind.TEMPLATE, code_version())


def plan(campaign: Campaign, scope: Scope) -> Plan:
    """Every task ``scope`` calls for, in stage order; nothing is read or written but the fonts' set-up."""
    settings, outputs = scope.settings, scope.settings.outputs
    if scope.answers is not None:
        campaign = replace(campaign, answers=scope.answers, rejected=())
    kinds = scope.kinds
    docs = documents_for(campaign, kinds)
    products = products_for(campaign, kinds)
    tasks: list[Task] = []
    if scope.make:
        tasks += _document_tasks(docs, settings)
        tasks += [
            Task("assemble", p.name, (code_version(), *p.ingredients(outputs)), tuple(p.files(outputs)), p)
            for p in products
        ]
    source, why = _source(campaign, products, settings)
    tasks += _check_tasks(docs, products, outputs, source, names_of(campaign.centers))
    if scope.make:
        digest = inputs_digest(campaign, settings)
        archived = [d for d in docs if BY_NAME[_kind_of(d)].archived]
        tasks += [Task("archive", f"archive:{d.name}", (digest,), (), d, d) for d in archived]
    reads_answers = any(BY_NAME[k].from_answers for k in kinds)
    return Plan(
        campaign,
        scope,
        tuple(tasks),
        tuple(docs),
        tuple(campaign.rejected) if reads_answers else (),
        compared=source is not None,
        source_problem=why,
    )


_KIND_OF: dict[str, str] = {k.document_kind: k.name for k in BY_NAME.values() if k.document_kind}


def _kind_of(doc: Document) -> str:
    return _KIND_OF.get(doc.kind, "")


def _document_tasks(docs: Sequence[Document], settings: Settings) -> list[Task]:
    """Render and convert each document. The DOCX depends on its template, its context and the code;
    the PDF on that and on the LibreOffice and fonts that lay it out."""
    outputs = settings.outputs
    fontconfig = fonts.prepare(settings.build)
    layout = fingerprint(convert.identity(), tree_digest(fontconfig.parent.glob("*")))
    templates = {name: settings.templates / name for name in {d.template for d in docs}}
    tasks = []
    for d in docs:
        # What the DOCX is made of: not the facts and expectations, which only the checks read.
        made_of = (code_version(), templates[d.template], d.template, d.context, d.title, d.subject)
        docx = outputs / f"{d.name}.docx"
        tasks.append(Task("render", f"docx:{d.name}", made_of, (docx, *written_beside(d, docx)), d, d))
        stage = "compose" if d.kind in SHARED_FROM else "convert"  # composed: the same PDF, made cheaper
        tasks.append(Task(stage, d.name, (*made_of, layout, d.pdfa), (outputs / f"{d.name}.pdf",), d, d))
    return tasks


def _source(campaign: Campaign, products: Sequence[Product], settings: Settings) -> tuple[Path | None, str]:
    """The source circular to compare with (None: not asked for, or no product here to compare), and
    why it cannot be compared when asked for (a comparison asked for that cannot run is a failure)."""
    if settings.source is None:
        return None, ""
    why = source_problem(campaign, settings.source)
    if why or not any(p.compare_source for p in products):
        return None, why
    return settings.source, ""


def source_problem(campaign: Campaign, source: Path) -> str:
    """Why the collective package cannot be compared with ``source`` ("": it can). Only the
    source circular's own campaign (its 76 centers) can be compared line by line."""
    if not source.is_file():
        return f"ไม่พบไฟล์หนังสือต้นฉบับ {source}"
    listed = re.findall(r"^[๐-๙]+\t\S+\t(\S+)", source.read_text(encoding="utf-8"), re.M)
    if sorted(listed) != sorted(c.name for c in campaign.centers):
        return f"รายชื่อศูนย์ใน {source.name} ไม่ตรงกับ centers.csv จึงเทียบกับต้นฉบับไม่ได้"
    return ""


def _check_tasks(
    docs: Sequence[Document], products: Sequence[Product], outputs: Path, source: Path | None, names: tuple[str, ...]
) -> list[Task]:
    """``names``: the campaign's districts, which no line in a table cell may break inside."""
    tasks = []
    for d in docs:
        exp = Expectation(outputs / f"{d.name}.pdf", d.kind, dict(d.expect), pdfa=d.pdfa, facts=d.facts, names=names)
        tasks.append(Task("check", f"check:{d.name}.pdf", (code_version(), exp), (), exp, d))
    for p in products:
        what = p.check(outputs, source)
        if what is None:
            continue
        if isinstance(what, Expectation):
            tasks.append(Task("check", f"check:{what.pdf.relative_to(outputs)}", (code_version(), what), (), what))
        else:  # not a PDF: checked afresh every time (it is quick)
            tasks.append(Task("check", f"check:{p.name}", (), (), what))
    return tasks
