"""The circular letter: one per province, addressed to it and naming its centers, plus the collective copy."""

from __future__ import annotations

from typing import Any

from ..model import Campaign, Circular, Province
from ..templating import render_text
from ..thai import thai_date
from . import Document, Image

KIND = "letter"
TEMPLATE = "letter.docx"
EMBLEM_HEIGHT_MM = 30  # ตราครุฑ 3 cm on external letters
COLLECTIVE = "letters/all-provinces"


def documents(campaign: Campaign) -> list[Document]:
    letters = [_province_letter(campaign.circular, p) for p in campaign.provinces]
    return letters + [_collective_letter(campaign.circular)]


def _province_letter(circular: Circular, province: Province) -> Document:
    names = [c.name for c in province.centers]
    fields = {"province": province.name, "centers": names}
    context = _context(circular, "province", fields)
    expect = {"เลขที่หนังสือ": circular.number, "วันที่": thai_date(circular.date), "ผู้รับ": context["addressee"]}
    expect.update({f"ศูนย์ {i}": name for i, name in enumerate(names, 1)})
    return Document(KIND, f"letters/{province.slug}", TEMPLATE, context, expect,
                    title=f"{circular.subject} ({context['addressee']})")


def _collective_letter(circular: Circular) -> Document:
    context = _context(circular, "all", {"province": "", "centers": []})
    expect = {"เลขที่หนังสือ": circular.number, "วันที่": thai_date(circular.date), "ผู้รับ": context["addressee"]}
    return Document(KIND, COLLECTIVE, TEMPLATE, context, expect, title=circular.subject)


def _context(circular: Circular, variant: str, fields: dict[str, Any]) -> dict[str, Any]:
    def fill(text: str) -> str:
        return render_text(text, **fields)

    return {
        "urgency": circular.urgency,
        "number": circular.number,
        "office": list(circular.office),
        "date": circular.date,
        "subject": fill(circular.subject),
        "salutation": circular.salutation,
        "addressee": fill(circular.addressee[variant]),
        "references": [fill(r) for r in circular.references],
        "enclosures": [fill(e) for e in circular.enclosures[variant]],
        "paragraphs": [fill(p) for p in circular.paragraphs],
        "closing": circular.closing,
        "signer": {"name": circular.signer.name, "position": list(circular.signer.position)},
        "owner": {"unit": list(circular.owner.unit), "phone_line": circular.owner.phone_line,
                  "email_line": circular.owner.email_line},
        "emblem": Image(circular.emblem, EMBLEM_HEIGHT_MM) if circular.emblem else "",
        "centers": fields["centers"],
        "province": fields["province"],
    }
