"""Shared by the web app's tests: a small campaign, a web app on it, forms as a browser posts them."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

from campaigns import small_inputs

from pipeline.settings import Settings
from pipeline.web import auth
from pipeline.web.site import WebConfig

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # Starlette prefers httpx2 for its TestClient; httpx still works
    from starlette.testclient import TestClient  # noqa: F401

CENTER = ("นนทบุรี", "ศูนย์ดำรงธรรมอำเภอบางบัวทอง")
OTHER = ("สมุทรปราการ", "ศูนย์ดำรงธรรมอำเภอบางพลี")
PASSWORD = "รหัสผ่านทดสอบ-1234"


def web_config(root: Path, **changes) -> WebConfig:
    """Three centers (tests/campaigns.py), the second without an answer file."""
    inputs = small_inputs(root)
    (inputs / "answers" / "02-นนทบุรี-บางบัวทอง.yaml").unlink()
    settings = Settings(inputs, root / "outputs", profiles=root / "profiles")
    return WebConfig(settings, **{"secure_cookies": False, "build_reports": False, **changes})


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def complete_form(criteria, csrf: str, **changes) -> dict:
    data = {
        "csrf_token": csrf,
        "action": "submit",
        "assessor_name": "นางสาวสมใจ ใจดี",
        "assessor_position": "ปลัดอำเภอ",
        "assessed_on": "๑๕ กุมภาพันธ์ ๒๕๖๔",
    }
    data.update({f"p:{i.id}": "มี" for i in criteria.physical})
    data.update({f"q:{i.id}": "true" for i in criteria.quality if i.id != "1.2"})
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def link_of(site, key=CENTER) -> str:
    return auth.issue_link(site.db, *key)


def sign_in(client, site) -> None:
    auth.set_password(site.db, PASSWORD)
    page = client.get("/department/sign-in")
    response = client.post(
        "/department/sign-in", data={"csrf_token": csrf_of(page.text), "password": PASSWORD}, follow_redirects=False
    )
    assert response.status_code == 303, response.text


# --- what a clerk reads: Thai words, not identifiers; Buddhist-Era dates -------------------------

# Latin a page may show: format and product names a clerk knows. Everything else must come from the
# campaign's own texts (the criteria name Facebook, Line, Call Center …).
PLAIN_LATIN = {"GECC", "PDF", "PDF/A", "Word", "Excel", "CSV", "zip", "A4", "TH", "Sarabun", "New", "Self", "Checklist"}
LATIN = re.compile(r"[A-Za-z][A-Za-z0-9_]*(?:[./][A-Za-z0-9_]+)*")
CHRISTIAN_YEAR = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}|(?<![0-9๐-๙])(?:19|20)[0-9]{2}(?![0-9๐-๙])")


def campaign_latin(campaign) -> set[str]:
    """Latin words of the campaign's own texts (criteria, circular, centers): content, not identifiers."""
    import dataclasses

    values = [dataclasses.astuple(campaign.criteria), dataclasses.astuple(campaign.circular), campaign.centers]
    return set(LATIN.findall(str(values)))


def visible_text(html: str) -> str:
    """The text a person reads on a page: its title and body, without markup, scripts or attributes."""
    import html as entities

    html = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", html)
    title = " ".join(re.findall(r"(?is)<title>(.*?)</title>", html))
    body = re.sub(r"(?is)^.*?<body[^>]*>", "", html)
    text = re.sub(r"(?s)<[^>]+>", " ", title + " " + body)
    return re.sub(r"\s+", " ", entities.unescape(text))


def clerk_problems(text: str, allowed: set[str]) -> list[str]:
    """English identifiers and Christian-Era years in ``text`` (links aside: a link is a link)."""
    text = re.sub(r"https?://\S+", " ", text)
    from pipeline.thai import arabic_digit_runs_in_thai

    found = [w for w in LATIN.findall(text) if w not in PLAIN_LATIN | allowed]
    years = [f"ปี ค.ศ. {y}" for y in CHRISTIAN_YEAR.findall(text)]
    return found + years + [f"เลขอารบิก {d}" for d in arabic_digit_runs_in_thai(text)]
