"""The circular letter: one per province, addressed to it and naming its centers, plus the collective copy.

The letter's format (circular.yaml ``format``) picks the template and the parts
its PDF must show, in order (``facts["parts"]``, checked in check/kinds.py).
"""

from __future__ import annotations

from typing import Any

from ..model import Campaign, Circular, LetterFormat, Province
from ..templating import render_text
from ..thai import thai_date, thai_digits, thai_text
from . import Document, Image

KIND = "letter"
TEMPLATES = {LetterFormat.STAMPED: "letter-stamped.docx", LetterFormat.EXTERNAL: "letter-external.docx"}
EMBLEM_HEIGHT_MM = 30  # ตราครุฑ 3 cm
STAMP_HEIGHT_MM = 45  # ตราชื่อส่วนราชการ: the outer circle, 4.5 cm across
COLLECTIVE = "letters/all-provinces"


def documents(campaign: Campaign) -> list[Document]:
    letters = [_province_letter(campaign.circular, p) for p in campaign.provinces]
    return letters + [_collective_letter(campaign.circular)]


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
