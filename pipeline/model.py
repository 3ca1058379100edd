"""The campaign's data after loading and validation: plain, immutable objects.

Everything downstream (document contexts, rendering, checks) reads these and
never the input files themselves.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from functools import cached_property
from pathlib import Path

from .problems import Problem

CENTER_PREFIXES = ("ศูนย์ดำรงธรรมอำเภอ", "ศูนย์ดำรงธรรมเขต")


@dataclass(frozen=True)
class Center:
    order: int
    province: str
    name: str
    note: str = ""

    @property
    def district(self) -> str:
        """The district, read off the center's name ("ศูนย์ดำรงธรรมอำเภอชนบท" → "ชนบท")."""
        for prefix in CENTER_PREFIXES:
            if self.name.startswith(prefix) and len(self.name) > len(prefix):
                return self.name[len(prefix) :]
        return self.name

    @cached_property  # asked for every row of every page at 878 centers; a frozen Center never changes
    def slug(self) -> str:
        """The file-name stem of this center's documents: "28-ขอนแก่น-ชนบท"."""
        return f"{self.order:02d}-{safe_name(self.province)}-{safe_name(self.district)}"


def safe_name(text: str, limit: int = 60) -> str:
    """A file-name part that cannot leave its folder or trip a file system."""
    cleaned = "".join("_" if c in '/\\:*?"<>|' or ord(c) < 32 else c for c in text)
    cleaned = cleaned.replace("..", "_").strip(" .")
    return cleaned[:limit] or "_"


@dataclass(frozen=True)
class Province:
    name: str
    centers: tuple[Center, ...]

    @property
    def order(self) -> int:
        return self.centers[0].order

    @property
    def slug(self) -> str:
        return f"{self.order:02d}-{safe_name(self.name)}"


@dataclass(frozen=True)
class Owner:
    unit: tuple[str, ...]
    phone_line: str
    email_line: str = ""


@dataclass(frozen=True)
class Signer:
    name: str
    position: tuple[str, ...]


@dataclass(frozen=True)
class CenterList:
    title: tuple[str, ...]
    as_of: date
    columns: dict[str, str]


class LetterFormat(str, Enum):
    """The two letter formats of ระเบียบสำนักนายกรัฐมนตรีว่าด้วยงานสารบรรณ this project makes.

    The value is what circular.yaml's ``format`` says.
    """

    STAMPED = "ประทับตรา"  # หนังสือประทับตรา (แบบที่ ๓): ถึง, the office's stamp instead of a signature
    EXTERNAL = "ภายนอก"  # หนังสือภายนอก (แบบที่ ๑): เรื่อง, เรียน, closing, signature


@dataclass(frozen=True)
class Circular:
    """The circular's content; texts may hold Jinja fields such as {{ province }}.

    ``format`` says which parts the letter has. Both formats: urgency, number,
    addressee (ถึง / เรียน), paragraphs, office, date, owner, emblem, and the
    optional deadline the centers answer by (follow-up letters state it). Stamped
    only: ``stamp``. External only: subject, salutation, references,
    enclosures, closing, signer (empty / None in a stamped letter: the loader
    refuses them there).
    """

    format: LetterFormat
    urgency: str
    number: str
    office: tuple[str, ...]  # stamped: the sending office (ส่วนราชการส่ง); external: office and address
    date: date
    addressee: dict[str, str]  # "province" / "all" → text (Jinja)
    paragraphs: tuple[str, ...]  # Jinja
    owner: Owner
    center_list: CenterList
    # กำหนดส่ง, the day by which the centers answer (optional); datetime.date: the field `date` shadows the name
    deadline: datetime.date | None = None
    emblem: Path | None = None
    stamp: Path | None = None  # stamped: image of the office's stamp; None = space to stamp by hand
    subject: str = ""
    salutation: str = ""
    references: tuple[str, ...] = ()
    enclosures: dict[str, tuple[str, ...]] = field(default_factory=dict)  # "province" / "all" → lines (Jinja)
    closing: str = ""
    signer: Signer | None = None


@dataclass(frozen=True)
class Campaign:
    """Everything one inputs folder holds, validated."""

    inputs: Path
    centers: tuple[Center, ...]
    circular: Circular
    criteria: Criteria
    answers: tuple[Answer, ...] = ()  # the valid answer files
    rejected: tuple[Problem, ...] = ()  # problems of the answer files left out
    scoring: dict[str, float] | None = None  # points per marker (inputs/scoring.yaml); None: no score
    links: dict[tuple[str, str], str] = field(default_factory=dict)  # (province, center) → its web link
    # The texts of the letters sent after the circular (inputs/letters.yaml): "follow_up", "results".
    letter_texts: dict[str, LetterText] = field(default_factory=dict)
    # What the outgoing letters need beyond the inputs (review state, register numbers): set by
    # pipeline/outgoing.py for the kinds that send letters; None for every other run.
    outgoing: Outgoing | None = None

    @property
    def provinces(self) -> tuple[Province, ...]:
        """Provinces in the order of their first center, each with its centers."""
        by_name: dict[str, list[Center]] = {}
        for center in sorted(self.centers, key=lambda c: c.order):
            by_name.setdefault(center.province, []).append(center)
        return tuple(Province(name, tuple(cs)) for name, cs in by_name.items())


# --- outgoing letters and their register ------------------------------------


@dataclass(frozen=True)
class RegisterEntry:
    """One line of the register of outgoing letters (ทะเบียนหนังสือส่ง, ระเบียบงานสารบรรณ ข้อ ๔๓.๑).

    ``number`` runs per Buddhist year and ``series`` ("ว" for circulars, "" for the others);
    ``key`` says which letter it is, so that a letter made again keeps its entry."""

    number: int  # เลขทะเบียนส่ง
    series: str
    year: int  # พ.ศ. of ``dated``
    reference: str  # ที่: the owning unit's code / the number ("มท ๐๓๐๗.๒/ว ๒๘๘๖๕")
    dated: datetime.date  # ลงวันที่
    sender: str  # จาก
    addressee: str  # ถึง
    subject: str  # เรื่อง
    action: str  # การปฏิบัติ
    note: str  # หมายเหตุ
    key: str
    registered: str  # when it was entered (ISO time)


@dataclass(frozen=True)
class LetterText:
    """The wording of a letter sent after the circular (Jinja texts, see inputs/letters.yaml): the
    paragraphs ``before``, one paragraph per center (``each_center``, may be empty), ``after``."""

    subject: str  # เรื่อง: the register's (a หนังสือประทับตรา prints none)
    urgency: str
    addressee: str
    before: tuple[str, ...]
    each_center: str
    after: tuple[str, ...]


@dataclass(frozen=True)
class Draft:
    """A letter about to be entered in the register: what it is (``key``) and what its entry says.

    ``given``/``dated``: a number and date the letter already has (the circular's, from
    circular.yaml); otherwise the register gives the next number and today's date."""

    key: str
    series: str  # "ว" (a circular) or ""
    prefix: str  # the owning unit's code, before the "/" of ที่
    sender: str
    addressee: str
    subject: str
    given: int | None = None
    dated: datetime.date | None = None
    action: str = ""
    note: str = ""


@dataclass(frozen=True)
class Outgoing:
    """The state the follow-up and results letters are made from, read before their contexts."""

    issued: datetime.date  # the date a letter entered in the register now carries
    missing: tuple[Center, ...] = ()  # centers not in: no answer, or returned and not sent again
    accepted: dict[str, Path] = field(default_factory=dict)  # center slug → its accepted report PDF
    numbers: dict[str, RegisterEntry] = field(default_factory=dict)  # letter key → its entry
    register: tuple[RegisterEntry, ...] = ()  # every entry, in the order they were made
    added: tuple[RegisterEntry, ...] = ()  # the entries this run made


# --- the GECC criteria (inputs/criteria.yaml) ---------------------------------


@dataclass(frozen=True)
class PhysicalItem:
    id: str
    heading: str
    text: str
    points: tuple[str, ...] = ()


@dataclass(frozen=True)
class QualityItem:
    id: str
    marker: str  # verbatim from the source: "๑", "๒", "๕", "☺" (meaning unknown; never a verdict)
    text: str
    points: tuple[str, ...] = ()


@dataclass(frozen=True)
class Topic:
    id: str
    title: str
    items: tuple[QualityItem, ...]


@dataclass(frozen=True)
class Part:
    id: str
    title: str
    topics: tuple[Topic, ...]

    @property
    def items(self) -> tuple[QualityItem, ...]:
        return tuple(i for t in self.topics for i in t.items)


@dataclass(frozen=True)
class ResultRow:
    id: str
    subject: str
    method: str
    points: tuple[str, ...] = ()


@dataclass(frozen=True)
class Criteria:
    title: str
    physical_title: str
    physical_subtitle: str
    physical_condition: str
    physical_columns: dict[str, str]
    physical: tuple[PhysicalItem, ...]
    quality_title: str
    quality_columns: dict[str, str]
    parts: tuple[Part, ...]
    results_title: str
    results_note: str
    results_heading: str
    results_subheading: str
    results_columns: dict[str, str]
    results: tuple[ResultRow, ...]

    @property
    def quality(self) -> tuple[QualityItem, ...]:
        return tuple(i for p in self.parts for i in p.items)

    @property
    def topics(self) -> tuple[Topic, ...]:
        return tuple(t for p in self.parts for t in p.topics)


# --- a center's self-assessment (inputs/answers/) -------------------------------


@dataclass(frozen=True)
class Answer:
    """One center's answers to the criteria, validated: every item answered.

    ``physical`` and ``quality`` map every item id of the criteria to True (มี)
    or False (ไม่มี); ``notes`` maps item ids to the clerk's remark. ``source``
    is the answer file; ``source_where`` the row of a CSV ("แถวที่ 4"), empty
    for a YAML file (one center per file).
    """

    province: str
    center: str
    assessed_on: date
    assessor_name: str
    assessor_position: str
    physical: dict[str, bool]
    quality: dict[str, bool]
    notes: dict[str, str]
    source: Path
    source_where: str = ""
    source_text: str = ""  # a row of a many-center CSV: that row with its header; answers given as data: their file
