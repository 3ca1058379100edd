"""The blank self-assessment form, one per center: the checklist with empty boxes."""

from __future__ import annotations

from ..model import Campaign, Center
from . import Document, QrCode
from .checklist import box_count, criteria_context

KIND = "form"
TEMPLATE = "checklist.docx"
# Pages 2– are the same for every center (measured: the name and the QR link are on page 1): laid out
# once per build and composed into each form (pipeline/convert/compose.py checks it for every form).
SHARED_FROM = 2
QR_SIZE_MM = 25.0  # a 66-character link (gecc links) is 37 modules: 0.6 mm each, read by a phone from a printed page


def center_context(center: Center) -> dict[str, str]:
    return {"name": center.name, "province": center.province, "district": center.district}


def documents(campaign: Campaign) -> list[Document]:
    return [_form(campaign, center) for center in campaign.centers]


def _form(campaign: Campaign, center: Center) -> Document:
    url = campaign.links.get((center.province, center.name))
    context = {
        "mode": "form",
        "center": center_context(center),
        "assessor": None,
        "summary": None,
        "link": url,  # None: no links.csv or no row for this center, and no QR block in the form
        "link_qr": QrCode(url, QR_SIZE_MM) if url else None,
        **criteria_context(campaign.criteria, boxes=True),
    }
    expect = {"ศูนย์": center.name, "จังหวัด": center.province}
    expect.update({f"เกณฑ์ที่ ๑ ข้อ {i.id}": i.text for i in campaign.criteria.physical})
    expect.update({f"เกณฑ์ที่ ๒ ข้อ {i.id}": i.text or i.points[0] for i in campaign.criteria.quality})
    if url:
        expect["ลิงก์แบบประเมินออนไลน์"] = url
    return Document(
        KIND,
        f"forms/{center.slug}",
        TEMPLATE,
        context,
        expect,
        title=f"แบบประเมินตนเอง {center.name} จังหวัด{center.province}",
        facts={"boxes": box_count(campaign.criteria)},
    )
