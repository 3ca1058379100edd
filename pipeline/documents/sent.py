"""What the letters sent after the circular share: their register draft and their filled-in texts."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any

from jinja2 import TemplateError

from ..load.letters import FILE as TEXTS_FILE
from ..model import Campaign, Draft, LetterText, Outgoing
from ..problems import InputError, Problem
from ..templating import render_text

TEXTS = f"inputs/{TEXTS_FILE}"


def text_of(campaign: Campaign, kind: str) -> LetterText:
    """The wording of ``kind`` ("follow_up", "results"); an input error when inputs/letters.yaml lacks it."""
    text = campaign.letter_texts.get(kind)
    if text is None:
        where = f"{campaign.inputs.name}/{TEXTS_FILE}"
        why = "ไม่พบไฟล์ (ข้อความของหนังสือติดตามและหนังสือแจ้งผล: ดูตัวอย่างในโฟลเดอร์ inputs ของโปรแกรม)"
        raise InputError([Problem(where, why)])
    return text


def outgoing(campaign: Campaign) -> Outgoing:
    """The state read before the contexts (pipeline/outgoing.py); a bug if it was not."""
    if campaign.outgoing is None:
        raise RuntimeError("the outgoing state was not prepared for a letter kind")
    return campaign.outgoing


def fill(campaign: Campaign, kind: str, field: str, source: str, fields: Mapping[str, Any]) -> str:
    """One Jinja text of inputs/letters.yaml filled in; an unknown field is an input error naming it."""
    try:
        return render_text(source, **fields).strip()
    except TemplateError as error:
        where = f"{campaign.inputs.name}/{TEXTS_FILE}"
        message = f"ช่องแทนค่าใช้ไม่ได้: {error.message} (ดูช่องที่ใช้ได้ในคำอธิบายต้นไฟล์)"
        raise InputError([Problem(where, message, field=f"{kind}.{field}")]) from None


def paragraphs(
    campaign: Campaign, kind: str, fields: Mapping[str, Any], each: Sequence[Mapping[str, Any]]
) -> list[str]:
    """``before``, ``each_center`` once per item of ``each`` (its fields added), ``after``; empty ones left out."""
    text = text_of(campaign, kind)
    found = [fill(campaign, kind, f"before.{i}", t, fields) for i, t in enumerate(text.before)]
    if text.each_center:
        found += [fill(campaign, kind, "each_center", text.each_center, {**fields, **item}) for item in each]
    found += [fill(campaign, kind, f"after.{i}", t, fields) for i, t in enumerate(text.after)]
    return [p for p in found if p]


def common_fields(campaign: Campaign, province: str) -> dict[str, Any]:
    circular = campaign.circular
    return {
        "province": province,
        "circular": {"number": circular.number, "date": circular.date},
        "deadline": circular.deadline or "",
    }


def unit_code(number: str) -> str:
    """The owning unit's code of ที่, before its "/": "มท ๐๓๐๗.๒/ว ๒๘๘๖๕" → "มท ๐๓๐๗.๒"."""
    return number.rsplit("/", 1)[0].strip() if "/" in number else number.strip()


def digest(value: object) -> str:
    """A short fingerprint of what a letter says, part of its register key."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def draft(campaign: Campaign, key: str, addressee: str, subject: str, note: str = "") -> Draft:
    circular = campaign.circular
    return Draft(key, "", unit_code(circular.number), circular.office[0], addressee, subject, note=note)
