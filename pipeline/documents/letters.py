"""The circular letter: one per province, addressed to it and naming its centers, plus the collective copy.

The letter's format (circular.yaml ``format``) picks the template and the parts
its PDF must show, in order (``facts["parts"]``, checked in check/kinds.py).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from ..model import Campaign, Circular, Draft, LetterFormat, Province
from ..templating import render_text
from ..thai import arabic_digits, thai_date, thai_digits, thai_text
from . import Document, Image

KIND = "letter"
TEMPLATES = {LetterFormat.STAMPED: "letter-stamped.docx", LetterFormat.EXTERNAL: "letter-external.docx"}
EMBLEM_HEIGHT_MM = 30  # ตราครุฑ 3 cm
STAMP_HEIGHT_MM = 45  # ตราชื่อส่วนราชการ: the outer circle, 4.5 cm across
COLLECTIVE = "letters/all-provinces"
SERIES = "ว"  # a circular's numbers: their own series in the register (ที่ มท ๐๓๐๗.๒/ว ๒๘๘๖๕)


def documents(campaign: Campaign) -> list[Document]:
    circular = _numbered(campaign)
    letters = [_province_letter(circular, p) for p in campaign.provinces]
    return letters + [_collective_letter(circular)]


def drafts(campaign: Campaign) -> list[Draft]:
    """The circular's entry in the register: one for all its copies, under its own number and date
    when circular.yaml gives one ("…/ว ๒๘๘๖๕"), the next ว number otherwise ("…/ว")."""
    circular = campaign.circular
    head, _, tail = circular.number.rpartition("/")
    digits = arabic_digits(tail.replace(SERIES, "", 1)).strip()
    prefix = head.strip() if head else circular.number.strip()
    given = int(digits) if digits.isdigit() else None
    texts = campaign.letter_texts.get("circular")
    subject = circular.subject or (texts.subject if texts else "") or circular.paragraphs[0][:80]
    addressee = render_text(circular.addressee["all"], province="", centers=[])
    key = f"circular:{circular.number}:{circular.date.isoformat()}"
    return [Draft(key, SERIES, prefix, circular.office[0], addressee, subject, given, circular.date)]


def _numbered(campaign: Campaign) -> Circular:
    """The circular with the number the register gave it, when circular.yaml leaves it to the register."""
    state, (draft,) = campaign.outgoing, drafts(campaign)
    entry = state.numbers.get(draft.key) if state is not None else None
    if entry is None or draft.given is not None:
        return campaign.circular
    return replace(campaign.circular, number=entry.reference)


def _province_letter(circular: Circular, province: Province) -> Document:
    names = [c.name for c in province.centers]
    context = _context(circular, "province", {"province": province.name, "centers": names})
    expect = _expect(circular, context)
    expect.update({f"ศูนย์ {i}": name for i, name in enumerate(names, 1)})
    return _document(circular, f"letters/{province.slug}", context, expect)


def _collective_letter(circular: Circular) -> Document:
    context = _context(circular, "all", {"province": "", "centers": []})
    return _document(circular, COLLECTIVE, context, _expect(circular, context))


def _document(circular: Circular, name: str, context: dict[str, Any], expect: dict[str, str]) -> Document:
    title = context.get("subject") or f"{circular.number}"
    return Document(
        KIND,
        name,
        TEMPLATES[circular.format],
        context,
        expect,
        title=f"{title} ({context['addressee']})",
        facts=facts(circular, context),
    )


def _expect(circular: Circular, context: dict[str, Any]) -> dict[str, str]:
    return {"เลขที่หนังสือ": circular.number, "วันที่": thai_date(circular.date), "ผู้รับ": context["addressee"]}


def _context(circular: Circular, variant: str, fields: dict[str, Any]) -> dict[str, Any]:
    def fill(text: str) -> str:
        return render_text(text, **fields)

    context = {
        "urgency": circular.urgency,
        "number": circular.number,
        "office": list(circular.office),
        "date": circular.date,
        "addressee": fill(circular.addressee[variant]),
        "paragraphs": [fill(p) for p in circular.paragraphs],
        "owner": {
            "unit": list(circular.owner.unit),
            "phone_line": circular.owner.phone_line,
            "email_line": circular.owner.email_line,
        },
        "emblem": Image(circular.emblem, EMBLEM_HEIGHT_MM) if circular.emblem else "",
        "centers": fields["centers"],
        "province": fields["province"],
    }
    if circular.format is LetterFormat.STAMPED:
        context["stamp"] = Image(circular.stamp, STAMP_HEIGHT_MM) if circular.stamp else ""
        return context
    assert circular.signer is not None  # the loader requires it in an external letter
    return {
        **context,
        "subject": fill(circular.subject),
        "salutation": circular.salutation,
        "references": [fill(r) for r in circular.references],
        "enclosures": [fill(e) for e in circular.enclosures.get(variant, ())],
        "closing": circular.closing,
        "signer": {"name": circular.signer.name, "position": list(circular.signer.position)},
    }


def facts(circular: Circular, context: dict[str, Any]) -> dict[str, Any]:
    """What the letter rules compare the PDF with: the format, and its parts in reading order.

    Each part is (name, text as printed, without the format's label such as ที่,
    ถึง or เรื่อง): the rules know each format's labels (check/kinds.py).
    """

    def texts(values: list[str]) -> list[str]:
        return [thai_text(v) for v in values]

    owner = context["owner"]
    tail = [("ส่วนราชการเจ้าของเรื่อง", line) for line in texts(owner["unit"])]
    tail += [("โทร.", thai_text(owner["phone_line"]))]
    tail += [("e-mail", thai_text(owner["email_line"]))] if owner["email_line"] else []
    head = [("ด่วน", context["urgency"])] if context["urgency"] else []
    head += [("ที่", thai_text(circular.number))]
    body = [("ข้อความ", p) for p in texts(context["paragraphs"])]
    if circular.format is LetterFormat.STAMPED:
        parts = [
            *head,
            ("ถึง", thai_text(context["addressee"])),
            *body,
            *[("ส่วนราชการส่ง", line) for line in texts(context["office"])],
            ("วันที่", thai_date(circular.date)),
            *tail,
        ]
    else:
        many = len(context["references"]) > 1, len(context["enclosures"]) > 1
        parts = [
            *head,
            *[("ส่วนราชการ", line) for line in texts(context["office"])],
            ("วันที่", thai_date(circular.date)),
            ("เรื่อง", thai_text(context["subject"])),
            ("เรียน", f"{context['salutation']} {thai_text(context['addressee'])}"),
            *_listed("อ้างถึง", texts(context["references"]), many[0]),
            *_listed("สิ่งที่ส่งมาด้วย", texts(context["enclosures"]), many[1]),
            *body,
            ("คำลงท้าย", thai_text(context["closing"])),
            ("ชื่อผู้ลงนาม", f"({thai_text(context['signer']['name'])})"),
            *[("ตำแหน่ง", line) for line in texts(context["signer"]["position"])],
            *tail,
        ]
    return {"format": circular.format.value, "parts": parts}


def _listed(name: str, items: list[str], numbered: bool) -> list[tuple[str, str]]:
    return [(name, (f"{thai_digits(i)}. " if numbered else "") + item) for i, item in enumerate(items, 1)]


# --- the letters sent after the circular (follow-up, results): the same stamped format ---------


@dataclass(frozen=True)
class StampedLetter:
    """What differs from the circular in a letter sent after it; texts already filled in."""

    name: str  # output path without suffix: "letters/follow-up/01-สมุทรปราการ"
    number: str  # ที่, from the register
    dated: date
    urgency: str
    addressee: str
    paragraphs: tuple[str, ...]
    title: str  # PDF title


def stamped_letter(circular: Circular, letter: StampedLetter, expect: dict[str, str]) -> Document:
    """A หนังสือประทับตรา from the circular's office, owner, emblem and stamp, checked like the circular.

    An external circular lends only its office's first line (the department, not its address)."""
    stamped = replace(
        circular,
        format=LetterFormat.STAMPED,
        number=letter.number,
        date=letter.dated,
        urgency=letter.urgency,
        office=circular.office if circular.format is LetterFormat.STAMPED else circular.office[:1],
        stamp=circular.stamp if circular.format is LetterFormat.STAMPED else None,
        subject="",
        salutation="",
        references=(),
        enclosures={},
        closing="",
        signer=None,
    )
    context = {
        "urgency": letter.urgency,
        "number": letter.number,
        "office": list(stamped.office),
        "date": letter.dated,
        "addressee": letter.addressee,
        "paragraphs": list(letter.paragraphs),
        "owner": {
            "unit": list(circular.owner.unit),
            "phone_line": circular.owner.phone_line,
            "email_line": circular.owner.email_line,
        },
        "emblem": Image(circular.emblem, EMBLEM_HEIGHT_MM) if circular.emblem else "",
        "stamp": Image(stamped.stamp, STAMP_HEIGHT_MM) if stamped.stamp else "",
    }
    wanted = {**_expect(stamped, context), **expect}
    return Document(
        KIND,
        letter.name,
        TEMPLATES[LetterFormat.STAMPED],
        context,
        wanted,
        title=letter.title,
        facts=facts(stamped, context),
    )
