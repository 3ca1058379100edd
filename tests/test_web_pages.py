"""The pages as a clerk reads them (in-process): Thai words and Buddhist-Era dates on every page, a page of
its own before anything is lost, figures that agree, a center form that guides, downloads by province.

The same pages in a real browser at phone and desktop width are in test_web_browser.py.
"""

from __future__ import annotations

import io
import os
import re
import time
import zipfile
from datetime import date, timedelta
from urllib.parse import quote

import pytest
from web_helpers import (
    CENTER,
    OTHER,
    TestClient,
    campaign_latin,
    clerk_problems,
    complete_form,
    csrf_of,
    link_of,
    sign_in,
    visible_text,
    web_config,
)

from pipeline.web.app import create_app

SLUG = "02-นนทบุรี-บางบัวทอง"


@pytest.fixture
def web(tmp_path):
    app = create_app(web_config(tmp_path), start_background=False)
    with TestClient(app) as client:
        client.site = app.state.site
        yield client


def criteria(web):
    return web.site.campaign().criteria


def test_the_scanner_finds_identifiers_christian_years_and_arabic_digits():
    allowed = {"Facebook"}
    found = clerk_problems("สถานะจบ 0 รายการ physical_met TRUE เมื่อ 2026-12-05 17:14", allowed)
    assert {"physical_met", "TRUE", "ปี ค.ศ. 2026-12-05", "เลขอารบิก 0"} <= set(found)
    found = clerk_problems("จัดเก็บเป็น v001 ใน check.json ปี 2021", allowed)
    assert {"v001", "check.json", "ปี ค.ศ. 2021"} <= set(found)
    assert clerk_problems("ไฟล์ PDF ผ่าน Facebook ๕ ธ.ค. ๒๕๖๙ https://x.example/c/abc_DEF", allowed) == []


def test_every_page_speaks_thai_with_buddhist_era_dates(web):
    """Every page a center or the department reads, after a submission, a draft and a re-issued link."""
    token = link_of(web.site)
    other = link_of(web.site, OTHER)
    csrf = csrf_of(web.get(f"/c/{token}").text)
    web.post(f"/c/{token}", data=complete_form(criteria(web), csrf))
    web.post(f"/c/{token}", data=complete_form(criteria(web), csrf, action="draft"))  # a draft after it
    problem = web.post(
        f"/c/{other}",
        data=complete_form(
            criteria(web), csrf_of(web.get(f"/c/{other}").text), **{"p:3": None, "assessor_position": ""}
        ),
    )
    assert problem.status_code == 422
    pages = {
        "center": web.get(f"/c/{token}"),
        "center with problems": problem,
        "sign-in": web.get("/department/sign-in"),
    }
    sign_in(web, web.site)
    department = csrf_of(web.get("/department").text)
    for path in (
        "/department",
        "/department?province=" + quote("นนทบุรี"),
        "/department?state=draft",
        "/department/campaign",
        f"/department/centers/{quote(SLUG)}",
        f"/department/centers/{quote(SLUG)}/link",
        "/department/links/new",
        "/department/links",
        "/department/files",
        "/department/circular",
        "/department/centers",
        "/department/ingest",
        "/department/no-such-page",
    ):
        pages[path] = web.get(path)
    pages["re-issued"] = web.post(
        f"/department/centers/{quote(SLUG)}/link", data={"csrf_token": department, "confirm": "yes"}
    )
    allowed = campaign_latin(web.site.campaign())
    found = {name: clerk_problems(visible_text(r.text), allowed) for name, r in pages.items()}
    assert {name: words for name, words in found.items() if words} == {}
    assert "มีร่างแก้ไขที่ยังไม่ส่ง" in pages["/department"].text
    when = re.search(r"ส่งแล้ว ฉบับที่ ๑</strong> เมื่อ ([^;<]+)", pages["center"].text).group(1)
    assert re.fullmatch(r"[๐-๙]{1,2} [ก-๙.]+ ๒๕[๐-๙]{2} [๐-๙]{2}:[๐-๙]{2}", when.strip()), when


def test_closing_and_reissuing_ask_first_on_a_page_that_says_what_is_lost(web):
    token = link_of(web.site)
    sign_in(web, web.site)
    csrf = csrf_of(web.get("/department").text)
    dashboard = web.get("/department").text
    # no destructive button on the dashboard: each is a link to its own page
    assert 'action="/department/campaign"' not in dashboard and 'action="/department/centers/' not in dashboard
    assert 'value="close"' not in dashboard and "confirm" not in dashboard
    for path, data in (
        ("/department/campaign", {"action": "close"}),
        (f"/department/centers/{quote(SLUG)}/link", {}),
        ("/department/links", {}),
    ):
        asked = web.post(path, data={"csrf_token": csrf, **data}, follow_redirects=False)
        assert asked.status_code == 303 and asked.headers["location"] != "/department"
    assert not web.site.closed() and web.get(f"/c/{token}").status_code == 200
    web.post("/department/links", data={"csrf_token": csrf, "confirm": "yes"})
    page = web.get(f"/department/centers/{quote(SLUG)}/link").text
    assert "แบบประเมินที่พิมพ์หรือส่งไปแล้วของศูนย์นี้" in page and "ยกเลิกลิงก์เดิมและออกลิงก์ใหม่" in page
    every = web.get("/department/links/new").text
    assert "ลิงก์เดิมของทั้ง ๓ ศูนย์จะเปิดไม่ได้อีก" in every


def test_the_dashboard_s_figures_agree_and_follow_the_province_filter(web):
    token, other = link_of(web.site), link_of(web.site, OTHER)
    sign_in(web, web.site)
    html = web.get("/department").text
    assert "ยังไม่ได้สร้างไฟล์ตัวเลขผลการประเมิน" in html
    # results.csv as a build wrote it, before the web's submissions: the page says so, with its time
    from pipeline import exports
    from pipeline.documents import summary
    from pipeline.thai import arabic_digits

    campaign = web.site.campaign()
    path = web.site.settings.outputs / summary.RESULTS_CSV
    path.parent.mkdir(parents=True, exist_ok=True)
    exports.write_csv(summary.results_rows(campaign), path, summary.results_columns(campaign.criteria))
    stamp = time.mktime((2026, 12, 5, 17, 14, 0, 0, 0, -1))
    os.utime(path, (stamp, stamp))
    assert "ตรงกับไฟล์ตัวเลขผลการประเมินที่สร้างเมื่อ ๕ ธ.ค. ๒๕๖๙ ๑๗:๑๔" in web.get("/department").text
    for t in (token, other):
        web.post(f"/c/{t}", data=complete_form(criteria(web), csrf_of(web.get(f"/c/{t}").text), **{"p:4": "ไม่มี"}))
    html = web.get("/department").text
    assert "ไฟล์ตัวเลขผลการประเมินที่สร้างเมื่อ ๕ ธ.ค. ๒๕๖๙ ๑๗:๑๔ ยังไม่รวมคำตอบล่าสุด" in html
    assert 'name="command" value="reports"' in html
    submitted = int(arabic_digits(re.search(r'id="count-submitted">([^<]+)<', html).group(1)))
    table = re.search(r'<table class="results">.*?<tbody>(.*?)</tbody>', html, re.S).group(1)
    assert submitted == 3 == table.count("<tr>")  # the counts and the table: one source
    assert "ไม่ผ่าน" in table and "FALSE" not in table and "physical_met" not in html
    # the province filter narrows every figure: counts, bars, the table
    only = web.get("/department", params={"province": "นนทบุรี"}).text
    assert re.search(r'id="count-submitted">([^<]+)<', only).group(1) == "๑"
    table = re.search(r'<table class="results">.*?<tbody>(.*?)</tbody>', only, re.S).group(1)
    assert table.count("<tr>") == 1 and CENTER[1] in table and OTHER[1] not in table
    assert "ภาพรวมจังหวัดนนทบุรี" in only and "ร้อยละ ๐ (๐/๑)" in only  # its one center misses item 4
    # once the build writes results.csv again, the page says they agree
    exports.write_csv(summary.results_rows(web.site.campaign()), path, summary.results_columns(campaign.criteria))
    assert "ตรงกับไฟล์ตัวเลขผลการประเมินที่สร้างเมื่อ" in web.get("/department").text


def test_the_center_form_guides_deadline_progress_problems_and_the_state_after_a_submit(web, tmp_path):
    circular = web.site.settings.inputs / "circular.yaml"
    text = circular.read_text(encoding="utf-8")
    tomorrow = date.today() + timedelta(days=1)
    circular.write_text(re.sub(r"(?m)^deadline: .*$", f"deadline: {tomorrow.isoformat()}", text), encoding="utf-8")
    token = link_of(web.site)
    html = web.get(f"/c/{token}").text
    assert "กำหนดส่งภายใน" in html and "เลยกำหนดส่งแล้ว" not in html
    assert re.search(r'id="answered">๐<', html) and "จาก ๖๕ ข้อ" in html
    assert html.count('<details class="part"') == 1 + len(criteria(web).parts) and 'class="toc"' in html
    csrf = csrf_of(html)
    problem = web.post(f"/c/{token}", data=complete_form(criteria(web), csrf, **{"p:3": None, "assessor_position": ""}))
    summary = re.search(r'<section class="notice bad".*?</section>', problem.text, re.S).group(0)
    assert '<a href="#field-assessor_position">ตำแหน่งผู้ประเมิน: ยังไม่ได้กรอก</a>' in summary
    assert '<a href="#field-p:3">ด้านกายภาพ ข้อ ๓: ยังไม่ได้ตอบข้อ ๓ (เลือก มี หรือ ไม่มี)</a>' in summary
    assert 'id="field-assessor_position"' in problem.text and 'id="field-p:3"' in problem.text
    assert re.search(r'id="answered">๖๓<', problem.text)  # 12 physical + 51 ticked (all but 1.2)
    web.post(f"/c/{token}", data=complete_form(criteria(web), csrf))
    after = web.get(f"/c/{token}").text
    state = re.search(r'<section class="state-box".*?</section>', after, re.S).group(0)
    assert "ส่งแล้ว ฉบับที่ ๑" in state and "แก้ไขและส่งใหม่ได้จนถึง" in state
    assert '<button type="submit" name="action" value="submit">' not in after  # no longer the main action
    assert "ส่งฉบับแก้ไข (ฉบับที่ ๒)" in after
    web.post(f"/c/{token}", data=complete_form(criteria(web), csrf, action="draft"))
    draft = web.get(f"/c/{token}?saved=draft").text
    assert "กรมการปกครองยังเห็นฉบับที่ ๑ที่ส่งแล้ว" in draft
    # after the deadline: late, still accepted until the department closes
    yesterday = date.today() - timedelta(days=1)
    circular.write_text(re.sub(r"(?m)^deadline: .*$", f"deadline: {yesterday.isoformat()}", text), encoding="utf-8")
    late = web.get(f"/c/{token}").text
    assert "เลยกำหนดส่งแล้ว" in late and "ยังส่งได้จนกว่ากรมการปกครองจะปิดรับ" in late
    assert web.post(f"/c/{token}", data=complete_form(criteria(web), csrf), follow_redirects=False).status_code == 303


def test_downloads_are_grouped_by_province_with_a_zip_of_each(web):
    outputs = web.site.settings.outputs
    for rel in (
        "letters/01-สมุทรปราการ.pdf",
        "letters/02-นนทบุรี.pdf",
        "letters/all-provinces.pdf",
        f"forms/{SLUG}.pdf",
        f"forms/{SLUG}-fillable.pdf",
        "forms/01-สมุทรปราการ-พระสมุทรเจดีย์.pdf",
        "package/02-นนทบุรี.pdf",
        "letters/follow-up/02-นนทบุรี.pdf",
        "summary/results.csv",
        "register.pdf",
    ):
        (outputs / rel).parent.mkdir(parents=True, exist_ok=True)
        (outputs / rel).write_bytes(b"%PDF-1.7 " + rel.encode())
    sign_in(web, web.site)
    html = web.get("/department/files").text
    assert "จังหวัดนนทบุรี" not in html and ">นนทบุรี</a>" in html  # provinces listed, not their files
    assert "หนังสือเวียนถึงทุกจังหวัด" in html and "ยังไม่ได้ตรวจ" in html
    one = web.get("/department/files", params={"province": "นนทบุรี"}).text
    assert CENTER[1] in one and "(แบบกรอกได้)" in one and "พระสมุทรเจดีย์" not in one
    assert "หนังสือติดตาม จังหวัดนนทบุรี" in one and "ทะเบียนหนังสือส่ง" in html
    z = web.get("/department/files.zip", params={"province": "นนทบุรี"})
    names = sorted(zipfile.ZipFile(io.BytesIO(z.content)).namelist())
    assert names == [
        "forms/02-นนทบุรี-บางบัวทอง-fillable.pdf",
        "forms/02-นนทบุรี-บางบัวทอง.pdf",
        "letters/02-นนทบุรี.pdf",
        "letters/follow-up/02-นนทบุรี.pdf",
        "package/02-นนทบุรี.pdf",
    ]


def test_the_build_page_says_what_was_made_and_what_failed_why(web):
    """A finished build's page: the command line's closing words, and each failed check's document and reason."""
    import json

    from pipeline.web import db as webdb

    site = web.site
    build_id = site.db.run(
        "INSERT INTO builds (command, state, status, failures, queued_at, started_at, finished_at) "
        "VALUES ('forms', 'failed', 1, ?, ?, ?, ?)",
        json.dumps(["เอกสาร 2 ฉบับไม่ผ่านการตรวจ"], ensure_ascii=False),
        webdb.now(),
        webdb.now(),
        webdb.now(),
    )
    outcome = {
        "made": 3,
        "current": 16,
        "pdfs": 19,
        "checks": 140,
        "checks_failed": 1,
        "archived": 0,
        "failed": [{"document": f"forms/{SLUG}.pdf", "rule": "margins", "detail": "หน้า 2: ขอบซ้าย 2.1 ซม."}],
    }
    site.db.put(f"build-result:{build_id}", json.dumps(outcome, ensure_ascii=False))
    sign_in(web, site)
    html = web.get(f"/department/builds/{build_id}").text
    text = visible_text(html)
    assert "สร้างใหม่ ๓ รายการ; เป็นปัจจุบันอยู่แล้ว ๑๖ รายการ (ไม่ได้ทำซ้ำ)" in text
    assert "ตรวจ PDF ๑๙ ไฟล์ (๑๔๐ รายการ): ผ่าน ๑๓๙ ไม่ผ่าน ๑" in text and "ไม่ผ่าน: ดูรายละเอียดด้านล่าง" in text
    row = re.search(r'<table class="failed".*?</table>', html, re.S).group(0)
    assert "แบบประเมินตนเอง ๐๒ นนทบุรี บางบัวทอง" in row and "ระยะขอบกระดาษตามระเบียบ" in row
    assert "หน้า ๒: ขอบซ้าย ๒.๑ ซม." in row and "margins" not in visible_text(row)
    assert clerk_problems(text, campaign_latin(site.campaign())) == []


def test_a_centers_list_that_leaves_centers_out_says_which_and_asks_first(web):
    sign_in(web, web.site)
    csrf = csrf_of(web.get("/department/centers").text)
    path = web.site.settings.inputs / "centers.csv"
    before = path.read_bytes()
    shorter = "order,province,center,note\n1,สมุทรปราการ,ศูนย์ดำรงธรรมอำเภอพระสมุทรเจดีย์,\n".encode()
    asked = web.post("/department/centers", data={"csrf_token": csrf}, files={"file": ("centers.csv", shorter)})
    assert asked.status_code == 409 and path.read_bytes() == before
    left = re.search(r'<section[^>]*id="left-out".*?</section>', asked.text, re.S).group(0)
    assert CENTER[1] in left and OTHER[1] in left and "พระสมุทรเจดีย์" not in left
    assert "จะเปิดลิงก์และส่งแบบประเมินไม่ได้อีก" in left
    done = web.post(
        "/department/centers", data={"csrf_token": csrf, "confirm": "yes"}, files={"file": ("centers.csv", shorter)}
    )
    assert done.status_code == 200 and path.read_bytes() == shorter


def test_every_check_rule_is_described_in_thai():
    """The downloads and build pages describe each check in words: a new rule needs its line in words.RULES."""
    from pipeline import registry
    from pipeline.check.rules import RULES as GENERIC
    from pipeline.web import words

    names = set(GENERIC) | {name for rules in registry.RULES_BY_KIND.values() for name in rules} | {"open"}
    assert sorted(n for n in names if n not in words.RULES) == []
