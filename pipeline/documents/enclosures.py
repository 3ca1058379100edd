"""The circular's enclosures: the GECC criteria and the list of model centers, as in the source."""

from __future__ import annotations

from ..model import Campaign
from ..thai import thai_date, thai_digits
from . import Document
from .checklist import criteria_context

KIND = "enclosure"
CRITERIA = "enclosures/criteria"
CENTERS = "enclosures/centers"


def documents(campaign: Campaign) -> list[Document]:
    return [_criteria(campaign), _center_list(campaign)]


def _criteria(campaign: Campaign) -> Document:
    context = {
        "mode": "criteria",
        "center": None,
        "assessor": None,
        "summary": None,
        **criteria_context(campaign.criteria, boxes=True),
    }
    for item in context["physical"]["items"]:
        item["yes"] = item["no"] = ""  # the source leaves the มี / ไม่มี columns empty
    expect = {
        "ชื่อเรื่อง": campaign.criteria.title,
        "เกณฑ์ที่ ๑": campaign.criteria.physical_title,
        "เกณฑ์ที่ ๒": campaign.criteria.quality_title,
        "เกณฑ์ที่ ๓": campaign.criteria.results_title,
    }
    return Document(KIND, CRITERIA, "checklist.docx", context, expect, title=campaign.criteria.title)


def _center_list(campaign: Campaign) -> Document:
    listing = campaign.circular.center_list
    context = {
        "title": list(listing.title),
        "as_of": listing.as_of,
        "columns": dict(listing.columns),
        "rows": [
            {"order": thai_digits(c.order), "province": c.province, "center": c.name, "note": c.note}
            for c in campaign.centers
        ],
    }
    expect = {"ชื่อเรื่อง": listing.title[0], "ข้อมูล ณ": thai_date(listing.as_of)}
    expect.update({f"ลำดับ {c.order}": c.name for c in campaign.centers})
    return Document(KIND, CENTERS, "center-list.docx", context, expect, title=" ".join(listing.title))
