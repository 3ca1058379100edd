"""The document kinds, in build order: what each makes, which command makes it, how its PDFs are checked.

The planner (pipeline/plan.py), the checks and the command line read this table; a new
kind is one module in documents/ (its contexts), its rules in check/kinds.py, and one
entry here. Nothing else names a kind: what is special about one is declared here
(the products made from its PDFs, whether its reports are archived, whether it is made
from the answer files).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from . import assemble
from .check import Rule
from .check import kinds as rules
from .documents import Document, enclosures, followup, forms, letters, registerbook, reports, results, summary
from .model import Campaign, Draft
from .products import Product, fillable_forms, register_workbook, results_tables


@dataclass(frozen=True)
class Products:
    """Outputs made from a kind's PDFs; ``needs``: other kinds whose PDFs they take too (a package
    holds a letter and forms): made only when those are in the same build."""

    make: Callable[[Campaign], Sequence[Product]]
    needs: tuple[str, ...] = ()


@dataclass(frozen=True)
class Kind:
    name: str  # a group of documents made together: "letters"
    documents: Callable[[Campaign], list[Document]]
    command: str  # the `gecc` command that makes it (`gecc build` makes every kind)
    rules: Mapping[str, Rule] = field(default_factory=dict)  # checks on top of the generic ones
    document_kind: str = ""  # Document.kind of its documents, which the rules are for
    products: tuple[Products, ...] = ()
    archived: bool = False  # each document, once it passes its checks, is archived with its answers
    from_answers: bool = False  # made from the answer files: a rejected one is a failure of this kind
    # The page (1-based) from which its documents are the same: laid out once per build and composed
    # into each (pipeline/convert/compose.py, which checks it for every document); 0: none shared.
    shared_from: int = 0
    swapped: str = ""  # glyphs of one advance its documents may differ by on the shared pages (boxes)
    compose_from: int = 2  # the fewest of its documents converted together that are worth composing
    # Letters it sends, entered in the register of outgoing letters before the contexts are made
    # (pipeline/outgoing.py puts their numbers, and the review state, in Campaign.outgoing).
    drafts: Callable[[Campaign], list[Draft]] | None = None
    outgoing: bool = False  # its documents read Campaign.outgoing (implied by ``drafts``)
    on_demand: bool = False  # made only by its own command, not by `gecc build` (a letter is sent when asked)
    folder: str = ""  # a folder only it writes: what a run does not make there is removed
    also: tuple[str, ...] = ()  # other commands that make it too


KINDS: tuple[Kind, ...] = (
    Kind(
        "letters",
        letters.documents,
        "letters",
        {"parts": rules.letter_parts, "layout": rules.letter_layout},
        letters.KIND,
        products=(Products(assemble.letter_prints),),
        drafts=letters.drafts,
    ),
    Kind(
        "forms",
        forms.documents,
        "forms",
        {"boxes": rules.box_count},
        forms.KIND,
        shared_from=forms.SHARED_FROM,
        products=(
            Products(assemble.form_prints),
            Products(fillable_forms),
            Products(assemble.packages, needs=("letters", "enclosures")),
        ),
    ),
    Kind("enclosures", enclosures.documents, "forms", document_kind=enclosures.KIND),
    Kind(
        "reports",
        reports.documents,
        "reports",
        {"ticks": rules.ticks},
        reports.KIND,
        archived=True,
        from_answers=True,
        shared_from=reports.SHARED_FROM,
        swapped=reports.SWAPPED,
        compose_from=reports.COMPOSE_FROM,
    ),
    Kind(
        "summary",
        summary.documents,
        "reports",
        {"chart": rules.chart},
        summary.KIND,
        products=(Products(results_tables),),
        from_answers=True,
    ),
    # Letters after the circular, sent when asked: the circular's rules (their Document.kind is "letter").
    Kind("follow-up", followup.documents, "follow-up", drafts=followup.drafts, on_demand=True, folder=followup.FOLDER),
    Kind(
        "results-letters",
        results.documents,
        "results-letters",
        products=(Products(assemble.results_packages),),
        drafts=results.drafts,
        on_demand=True,
        folder=results.FOLDER,
    ),
    # The register of outgoing letters, made again by every command that enters a letter in it.
    Kind(
        "register",
        registerbook.documents,
        "letters",
        {"entries": rules.register_entries},
        registerbook.KIND,
        products=(Products(register_workbook),),
        outgoing=True,
        also=("follow-up", "results-letters"),
    ),
)

# Files put together from the documents' PDFs (pipeline.assemble, pipeline.fillable), checked too.
ASSEMBLED_RULES: Mapping[str, Mapping[str, Rule]] = {
    "fillable": {"fields": rules.form_fields},
    "package": {"source": rules.source_coverage},
    "print": {},
}

BY_NAME: Mapping[str, Kind] = {kind.name: kind for kind in KINDS}
SHARED_FROM: Mapping[str, int] = {k.document_kind: k.shared_from for k in KINDS if k.shared_from}
COMPOSED: Mapping[str, Kind] = {k.document_kind: k for k in KINDS if k.shared_from}  # how each composes
# What each command makes; "build" and "check" cover every kind.
COMMANDS: Mapping[str, tuple[str, ...]] = {
    command: tuple(k.name for k in KINDS if command in (k.command, *k.also))
    for command in dict.fromkeys(k.command for k in KINDS)
}
EVERYTHING: tuple[str, ...] = tuple(k.name for k in KINDS if not k.on_demand)
RULES_BY_KIND: Mapping[str, Mapping[str, Rule]] = {
    **{k.document_kind: k.rules for k in KINDS if k.rules},
    **ASSEMBLED_RULES,
}


def documents_for(campaign: Campaign, kinds: Sequence[str]) -> list[Document]:
    return [doc for name in kinds for doc in BY_NAME[name].documents(campaign)]


def products_for(campaign: Campaign, kinds: Sequence[str]) -> list[Product]:
    """What is made from the PDFs of ``kinds`` (a product that needs another kind: only with it)."""
    return [
        product
        for name in kinds
        for made in BY_NAME[name].products
        if all(other in kinds for other in made.needs)
        for product in made.make(campaign)
    ]


def drafting(kinds: Sequence[str]) -> list[Callable[[Campaign], list[Draft]]]:
    """What enters the letters of ``kinds`` in the register."""
    return [k.drafts for name in kinds if (k := BY_NAME[name]).drafts is not None]


def needs_outgoing(kinds: Sequence[str]) -> bool:
    return any(BY_NAME[name].outgoing or BY_NAME[name].drafts is not None for name in kinds)


def owned_folders(kinds: Sequence[str]) -> list[str]:
    return [BY_NAME[name].folder for name in kinds if BY_NAME[name].folder]
