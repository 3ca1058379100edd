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
from .documents import Document, enclosures, forms, letters, reports, summary
from .model import Campaign
from .products import Product, fillable_forms, results_tables


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


KINDS: tuple[Kind, ...] = (
    Kind(
        "letters",
        letters.documents,
        "letters",
        {"parts": rules.letter_parts, "layout": rules.letter_layout},
        letters.KIND,
        products=(Products(assemble.letter_prints),),
    ),
    Kind(
        "forms",
        forms.documents,
        "forms",
        {"boxes": rules.box_count},
        forms.KIND,
        products=(
            Products(assemble.form_prints),
            Products(fillable_forms),
            Products(assemble.packages, needs=("letters", "enclosures")),
        ),
    ),
    Kind("enclosures", enclosures.documents, "forms", document_kind=enclosures.KIND),
    Kind(
        "reports", reports.documents, "reports", {"ticks": rules.ticks}, reports.KIND, archived=True, from_answers=True
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
)

# Files put together from the documents' PDFs (pipeline.assemble, pipeline.fillable), checked too.
ASSEMBLED_RULES: Mapping[str, Mapping[str, Rule]] = {
    "fillable": {"fields": rules.form_fields},
    "package": {"source": rules.source_coverage},
    "print": {},
}

BY_NAME: Mapping[str, Kind] = {kind.name: kind for kind in KINDS}
# What each command makes; "build" and "check" cover every kind.
COMMANDS: Mapping[str, tuple[str, ...]] = {
    command: tuple(k.name for k in KINDS if k.command == command) for command in dict.fromkeys(k.command for k in KINDS)
}
EVERYTHING: tuple[str, ...] = tuple(BY_NAME)
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
