"""The register of outgoing letters as a document (outputs/register.pdf) and its rows for the workbook.

Its entries are the state pipeline/register.py keeps (outputs/register.json); this module only
lays them out: the columns of แบบที่ ๑๔ (ระเบียบสำนักนายกรัฐมนตรีว่าด้วยงานสารบรรณ พ.ศ. ๒๕๒๖,
ข้อ ๔๓.๑), the rows of each registration day under that day's date, in the order entered.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from ..model import Campaign, RegisterEntry
from ..thai import thai_date, thai_digits, thai_text
from . import Document, sent

KIND = "register"
TEMPLATE = "register.docx"
NAME = "register"
XLSX = "register.xlsx"  # relative to outputs/
TITLE = "ทะเบียนหนังสือส่ง"
COLUMNS = ("เลขทะเบียนส่ง", "ที่", "ลงวันที่", "จาก", "ถึง", "เรื่อง", "การปฏิบัติ", "หมายเหตุ")


def number(entry: RegisterEntry) -> str:
    """เลขทะเบียนส่ง as the register shows it: "ว ๒๘๘๖๕" for a circular, "๑๒" for the others."""
    return thai_digits(f"{entry.series} {entry.number}" if entry.series else entry.number)


def registered_on(entry: RegisterEntry) -> date:
    return date.fromisoformat(entry.registered[:10])


def documents(campaign: Campaign) -> list[Document]:
    if campaign.outgoing is None:
        return []  # made only where the outgoing state was read (pipeline/outgoing.py), not in a page count
    entries = sent.outgoing(campaign).register
    days: dict[date, list[dict[str, Any]]] = {}
    for entry in entries:
        days.setdefault(registered_on(entry), []).append(
            {
                "number": number(entry),
                "reference": entry.reference,
                "dated": entry.dated,
                "sender": entry.sender,
                "addressee": entry.addressee,
                "subject": entry.subject,
                "action": entry.action,
                "note": entry.note,
            }
        )
    context = {
        "office": list(campaign.circular.office[:1]),
        "generated": max((registered_on(e) for e in entries), default=sent.outgoing(campaign).issued),
        "days": [{"date": day, "entries": rows} for day, rows in days.items()],
    }
    facts = {"references": [thai_text(e.reference) for e in entries]}
    expect = {f"วันที่ลงทะเบียน {i}": thai_date(day) for i, day in enumerate(days, 1)}
    return [Document(KIND, NAME, TEMPLATE, context, expect, title=TITLE, facts=facts)]


def rows(campaign: Campaign) -> list[list[object]]:
    """The register's rows for the workbook: the date of registration, then the form's columns."""
    return [
        [
            registered_on(e),
            number(e),
            e.reference,
            e.dated,
            e.sender,
            e.addressee,
            e.subject,
            e.action,
            e.note,
        ]
        for e in sent.outgoing(campaign).register
    ]
