"""Accounts and roles in-process: named accounts, a province officer's view and every denial, the review
round trip, the audit trail of the web's actions, and the database upgraded from the earlier release."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import pytest
from web_helpers import CENTER, PASSWORD, TestClient, complete_form, csrf_of, link_of, web_config

from pipeline import audit, review, service
from pipeline.web import accounts, auth
from pipeline.web.app import create_app
from pipeline.web.db import VERSION, Database
from pipeline.web.reportworkers import Campaigns, WorkerConfig, make

PROJECT = Path(__file__).resolve().parents[1]
OFFICER, OFFICER_PASSWORD = "nonthaburi1", "รหัสจังหวัดนนทบุรี-99"
OWN = "02-นนทบุรี-บางบัวทอง"  # the officer's province's only center
FOREIGN = "01-สมุทรปราการ-พระสมุทรเจดีย์"  # another province's, with an answer file
FOREIGN_NAMES = ("สมุทรปราการ", "พระสมุทรเจดีย์", "บางพลี")


@pytest.fixture
def app(tmp_path):
    app = create_app(web_config(tmp_path), start_background=False)
    site = app.state.site
    auth.set_password(site.db, PASSWORD)
    accounts.add(site.db, accounts.Account(OFFICER, accounts.PROVINCE, "นนทบุรี"), OFFICER_PASSWORD)
    # Files of both provinces, as a build leaves them, for the download denials.
    out = site.settings.outputs
    for rel in (
        f"reports/{OWN}.pdf",
        f"reports/{FOREIGN}.pdf",
        f"forms/{FOREIGN}-fillable.pdf",
        f"forms/{OWN}.pdf",
        "letters/01-สมุทรปราการ.pdf",
        "letters/02-นนทบุรี.pdf",
        "package/01-สมุทรปราการ.pdf",
        "package/02-นนทบุรี.pdf",
        "enclosures/criteria.pdf",
        f"archive/{FOREIGN}/v001/report.pdf",
        "summary/summary.pdf",
        "summary/results.csv",
        "print/forms.pdf",
        "check.json",
    ):
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_bytes(b"%PDF-1.7\n" + rel.encode() + b"\n%%EOF\n")
    (out / "check.json").write_text('{"findings": []}', encoding="utf-8")
    (out / "summary" / "results.csv").write_text(
        "province,center\nสมุทรปราการ,ศูนย์ดำรงธรรมอำเภอพระสมุทรเจดีย์\nนนทบุรี,ศูนย์ดำรงธรรมอำเภอบางบัวทอง\n", encoding="utf-8"
    )
    return app


def signed_in(app, name: str, password: str) -> TestClient:
    client = TestClient(app)
    page = client.get("/department/sign-in")
    response = client.post(
        "/department/sign-in",
        data={"csrf_token": csrf_of(page.text), "username": name, "password": password},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return client


def dashboard_csrf(client) -> str:
    return csrf_of(client.get("/department").text)


# --- a province officer -----------------------------------------------------------------------


def test_a_province_officer_sees_exactly_its_centers(app):
    officer = signed_in(app, OFFICER, OFFICER_PASSWORD)
    html = officer.get("/department").text
    assert re.findall(r'data-slug="([^"]+)"', html) == [OWN]
    for name in FOREIGN_NAMES:
        assert name not in html, name
    assert 'name="command"' not in html and "/department/campaign" not in html  # no build, no close
    files = officer.get("/department/files").text
    assert "จังหวัดนนทบุรี" in files and "หลักเกณฑ์การประเมิน" in files  # its letter, the enclosures
    assert not any(name in files for name in FOREIGN_NAMES)
    assert "สรุปผลการประเมินภาพรวม" not in files and "ผลตรวจเอกสารทุกฉบับ" not in files
    assert officer.get(f"/department/centers/{OWN}").status_code == 200
    assert officer.get(f"/department/files/reports/{OWN}.pdf").status_code == 200
    assert officer.get("/department/files/letters/02-นนทบุรี.pdf").status_code == 200
    zips = 0
    for query in ("?province=สมุทรปราการ", "?province=-", "?kind=reports", ""):
        page = officer.get("/department/files" + query).text
        assert not any(name in page for name in FOREIGN_NAMES[1:]), query
        got = officer.get("/department/files.zip" + query)
        if got.status_code == 200:
            names = zipfile.ZipFile(io.BytesIO(got.content)).namelist()
            assert names and not any(n in x for n in FOREIGN_NAMES for x in names), (query, names)
            zips += 1
        else:
            assert got.status_code == 404, query
    assert zips >= 2
    sheet = officer.get("/department/links?province=สมุทรปราการ").text
    assert "บางพลี" not in sheet and "พระสมุทรเจดีย์" not in sheet


def test_no_route_shows_a_province_officer_another_province(app):
    """Every route of the app, with another province's center, file or build put in its parameters."""
    officer = signed_in(app, OFFICER, OFFICER_PASSWORD)
    csrf = dashboard_csrf(officer)
    values = {"slug": [FOREIGN, "03-สมุทรปราการ-บางพลี"], "id": ["1"], "token": ["x" * 43]}
    values["path"] = [
        f"reports/{FOREIGN}.pdf",
        f"forms/{FOREIGN}-fillable.pdf",
        "letters/01-สมุทรปราการ.pdf",
        "package/01-สมุทรปราการ.pdf",
        f"archive/{FOREIGN}/v001/report.pdf",
        "summary/summary.pdf",
        "summary/results.csv",
        "print/forms.pdf",
        "check.json",
        "audit.jsonl",
    ]
    # What a province account may open (its own pages); everything else must refuse it.
    allowed = {
        ("GET", p)
        for p in (
            "/",
            "/department",
            "/department/files",
            "/department/files.zip",
            "/department/links",
            "/department/sign-in",
        )
    }  # the zip holds the province's own files only
    checked = 0
    for route in app.routes:
        path = getattr(route, "path", "")
        if path.startswith("/static") or path in ("/favicon.ico", "/department/sign-out"):  # public assets
            continue
        names = re.findall(r"{(\w+)(?::\w+)?}", path)
        urls = [path]
        for name in names:
            urls = [re.sub(r"{" + name + r"(?::\w+)?}", v, u) for u in urls for v in values[name]]
        for url in urls:
            for method in sorted(route.methods - {"HEAD"}):
                if method == "GET":
                    response = officer.get(url, follow_redirects=False)
                else:
                    form = {
                        "csrf_token": csrf,
                        "decision": "return",
                        "comment": "x",
                        "confirm": "yes",
                        "action": "close",
                    }
                    response = officer.post(url, data=form, follow_redirects=False)
                checked += 1
                body = response.text
                if (method, path) in allowed:
                    assert response.status_code in (200, 303), (method, url, response.status_code)
                elif "{slug}" in path or "{path" in path:
                    assert response.status_code == 404, (method, url, response.status_code)
                else:
                    assert response.status_code in (403, 404), (method, url, response.status_code)
                for name in FOREIGN_NAMES[1:]:
                    assert name not in body, (method, url, name)
    assert checked >= 30
    site = app.state.site
    assert not site.closed() and site.builds.recent(1) == []  # nothing the officer tried happened
    assert not any(e.action in ("review", "re-issue", "close", "links") for e in site.recent_entries())


def test_department_pages_stay_closed_to_a_province_officer(app):
    officer = signed_in(app, OFFICER, OFFICER_PASSWORD)
    csrf = dashboard_csrf(officer)
    for url in ("/department/circular", "/department/centers", "/department/ingest", "/department/archive.zip"):
        assert officer.get(url).status_code == 403, url
    for url, data in (
        ("/department/build", {"command": "build"}),
        ("/department/campaign", {"action": "close"}),
        ("/department/links", {"confirm": "yes"}),
        ("/department/circular", {"number": "มท 0000/ว 1"}),
    ):
        response = officer.post(url, data={"csrf_token": csrf, **data}, follow_redirects=False)
        assert response.status_code == 403, url
        assert "เฉพาะกรมการปกครอง" in response.text


# --- the review round trip ------------------------------------------------------------------------


def criteria(app):
    return app.state.site.campaign().criteria


def test_return_with_comments_then_resubmit_then_accept(app):
    site = app.state.site
    center = TestClient(app)
    token = link_of(site)
    page = center.get(f"/c/{token}").text
    assert center.post(f"/c/{token}", data=complete_form(criteria(app), csrf_of(page))).status_code == 200

    officer = signed_in(app, OFFICER, OFFICER_PASSWORD)
    html = officer.get(f"/department/centers/{OWN}").text
    assert "ส่งแล้ว" in html and 'name="comment:1"' in html and 'value="accept"' not in html  # return only
    csrf = csrf_of(html)
    empty = officer.post(f"/department/centers/{OWN}/review", data={"csrf_token": csrf, "decision": "return"})
    assert empty.status_code == 422 and "อย่างน้อยหนึ่งข้อ" in empty.text
    refused = officer.post(f"/department/centers/{OWN}/review", data={"csrf_token": csrf, "decision": "accept"})
    assert refused.status_code == 403
    no_csrf = officer.post(f"/department/centers/{OWN}/review", data={"decision": "return", "comment": "x"})
    assert no_csrf.status_code == 403
    returned = officer.post(
        f"/department/centers/{OWN}/review",
        data={
            "csrf_token": csrf,
            "decision": "return",
            "comment": "โปรดแนบหลักฐาน <b>ข้อ ๓</b>",
            "comment:3": "ไม่มีรูปถ่ายป้ายบอกทาง",
            "comment:1.1": "ระบุชื่อระบบ",
        },
        follow_redirects=False,
    )
    assert returned.status_code == 303

    page = center.get(f"/c/{token}").text
    assert "ส่งกลับแก้ไข" in page
    assert "โปรดแนบหลักฐาน &lt;b&gt;ข้อ ๓&lt;/b&gt;" in page  # escaped
    beside = re.search(r'id="field-p:3".*?</fieldset>', page, re.S).group(0)
    assert 'id="comment-3"' in beside and "ไม่มีรูปถ่ายป้ายบอกทาง" in beside
    assert "ระบุชื่อระบบ" in re.search(r'id="field-q:1\.1".*?id="field-q:', page, re.S).group(0)
    # Each comment once per place: the general one and the list of items at the top, each item's beside it.
    top = re.search(r'<section class="notice warn" id="review".*?</section>', page, re.S).group(0)
    assert page.count('id="review"') == 1 and page.count("<h2>ส่งกลับแก้ไข</h2>") == 1
    assert page.count("โปรดแนบหลักฐาน") == 1 and top.count("โปรดแนบหลักฐาน") == 1
    for text, item in (("ไม่มีรูปถ่ายป้ายบอกทาง", "3"), ("ระบุชื่อระบบ", "1.1")):
        assert top.count(text) == 1 and page.count(text) == 2, text  # the top's list, and beside its item
        assert page.count(f'id="comment-{item}"') == 1

    department = signed_in(app, "", PASSWORD)  # the earlier single password: the account "department"
    dash = department.get("/department?state=returned").text
    assert re.findall(r'data-slug="([^"]+)"', dash) == [OWN]
    assert "ส่งกลับแก้ไข" in dash and "บันทึกการกระทำล่าสุด" in dash

    # The center changes its answer and sends again: submitted, the comments gone from its page.
    again = complete_form(criteria(app), csrf_of(page), **{"notes:3": "แนบรูปถ่ายแล้ว"})
    assert center.post(f"/c/{token}", data=again).status_code == 200
    assert "ส่งกลับแก้ไข" not in center.get(f"/c/{token}").text
    assert re.findall(r'data-slug="([^"]+)"', department.get("/department?state=submitted").text) == [FOREIGN, OWN]

    # Its report is still being made (queued): accepting waits for it, and the clerk is told why in Thai.
    html = department.get(f"/department/centers/{OWN}").text
    early = department.post(
        f"/department/centers/{OWN}/review", data={"csrf_token": csrf_of(html), "decision": "accept"}
    )
    assert early.status_code == 422
    assert "รายงานผลของฉบับนี้ยังจัดทำไม่เสร็จ" in early.text and "อีกสักครู่" in early.text
    # A worker's round (the real LibreOffice) while the center's page is looked at again, as a user would.
    config = site.config
    jobs = site.reports.claim(os.getpid(), 10)
    worker = threading.Thread(
        target=make,
        args=(WorkerConfig(config.settings, config.database_path), site.reports, Campaigns(config.settings), jobs),
    )
    worker.start()
    deadline = time.monotonic() + 240
    while 'id="report-link"' not in center.get(f"/c/{token}").text and time.monotonic() < deadline:
        time.sleep(1)
    worker.join(timeout=max(1.0, deadline - time.monotonic()))
    assert 'id="report-link"' in center.get(f"/c/{token}").text, "the report was not made in 4 minutes"

    html = department.get(f"/department/centers/{OWN}").text
    accepted = department.post(
        f"/department/centers/{OWN}/review",
        data={"csrf_token": csrf_of(html), "decision": "accept"},
        follow_redirects=False,
    )
    assert accepted.status_code == 303, accepted.text
    assert "ตรวจรับแล้ว" in center.get(f"/c/{token}").text
    fresh = service.load(site.settings)  # as the command line reads it: the answer file the web wrote
    assert review.states(site.settings.outputs, fresh)[OWN].state == review.ACCEPTED
    assert [c.slug for c in review.missing(site.settings.outputs, fresh)] == ["03-สมุทรปราการ-บางพลี"]

    entries = [(e.actor, e.action) for e in audit.entries(audit.log_path(site.settings.outputs)) for e in [e[1]]]
    assert (f"user:{OFFICER}", "sign-in") in entries
    assert (f"center:{OWN}", "submit") in entries
    assert (f"user:{OFFICER}", "review") in entries and ("user:department", "review") in entries
    assert audit.verify(audit.log_path(site.settings.outputs)) is None


def test_the_officer_re_issues_its_center_link_and_it_is_logged(app):
    site = app.state.site
    old = link_of(site)
    officer = signed_in(app, OFFICER, OFFICER_PASSWORD)
    csrf = dashboard_csrf(officer)
    asked = officer.post(f"/department/centers/{OWN}/link", data={"csrf_token": csrf}, follow_redirects=False)
    assert asked.status_code == 303 and TestClient(app).get(f"/c/{old}").status_code == 200  # its page first
    response = officer.post(f"/department/centers/{OWN}/link", data={"csrf_token": csrf, "confirm": "yes"})
    assert response.status_code == 200
    assert TestClient(app).get(f"/c/{old}").status_code == 404
    last = site.recent_entries(1)[0]
    assert (last.actor, last.action, last.detail["center"]) == (f"user:{OFFICER}", "re-issue", OWN)


# --- accounts ---------------------------------------------------------------------------------------


def gecc(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pipeline", *args], input=stdin, capture_output=True, text=True, cwd=PROJECT, timeout=120
    )


def test_users_add_list_disable_on_the_command_line(tmp_path):
    settings = web_config(tmp_path).settings
    folders = ("--inputs", str(settings.inputs), "--outputs", str(settings.outputs))
    wrong = gecc("users", "add", "x", "--role", "province", "--province", "นนทบรี", *folders, stdin=PASSWORD + "\n")
    assert wrong.returncode == 1 and "นนทบรี" in wrong.stderr and "centers.csv" in wrong.stderr
    added = gecc("users", "add", OFFICER, "--role", "province", "--province", "นนทบุรี", *folders, stdin=PASSWORD + "\n")
    assert added.returncode == 0, added.stderr
    assert (
        gecc(
            "users", "add", OFFICER, "--role", "province", "--province", "นนทบุรี", *folders, stdin=PASSWORD + "\n"
        ).returncode
        == 1
    )
    listed = gecc("users", "list", *folders)
    assert f"{OFFICER}\tprovince\tจังหวัดนนทบุรี" in listed.stdout

    app = create_app(web_config(tmp_path / "x"), start_background=False)
    app.state.site.db = Database(settings.outputs / ".web" / "gecc.sqlite3")  # the same database as the CLI's
    officer = signed_in(app, OFFICER, PASSWORD)
    assert officer.get("/department").status_code == 200
    assert gecc("users", "disable", OFFICER, *folders).returncode == 0
    assert officer.get("/department", follow_redirects=False).status_code == 303  # signed out at once
    again = TestClient(app)
    page = again.get("/department/sign-in")
    data = {"csrf_token": csrf_of(page.text), "username": OFFICER, "password": PASSWORD}
    assert again.post("/department/sign-in", data=data).status_code == 401
    actions = [e.action for _, e in audit.entries(audit.log_path(settings.outputs))]
    assert actions == ["user-add", "user-disable"]
    assert [e.action for e in app.state.site.recent_entries(2)] == ["sign-in-failed", "sign-in"]


# --- the database of the earlier release --------------------------------------------------------------

# The schema of the release before accounts (pipeline/web/db.py at the web split), copied here so that
# later changes to the code cannot hide a broken upgrade.
EARLIER_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS links (
    province TEXT NOT NULL, center TEXT NOT NULL, token_hash TEXT NOT NULL UNIQUE, issued_at REAL NOT NULL,
    PRIMARY KEY (province, center));
CREATE TABLE IF NOT EXISTS drafts (
    province TEXT NOT NULL, center TEXT NOT NULL, fields TEXT NOT NULL, saved_at REAL NOT NULL,
    PRIMARY KEY (province, center));
CREATE TABLE IF NOT EXISTS submissions (
    id INTEGER PRIMARY KEY AUTOINCREMENT, province TEXT NOT NULL, center TEXT NOT NULL,
    answer TEXT NOT NULL, answer_file TEXT NOT NULL, basic_met INTEGER NOT NULL, quality_met INTEGER NOT NULL,
    submitted_at REAL NOT NULL, report TEXT NOT NULL DEFAULT 'pending', report_problems TEXT NOT NULL DEFAULT '[]',
    archived_version TEXT);
CREATE INDEX IF NOT EXISTS submissions_center ON submissions (province, center, id);
CREATE TABLE IF NOT EXISTS sessions (id_hash TEXT PRIMARY KEY, created REAL NOT NULL, expires REAL NOT NULL);
CREATE TABLE IF NOT EXISTS sign_ins (address TEXT NOT NULL, at REAL NOT NULL, ok INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS sign_ins_at ON sign_ins (address, at);
CREATE TABLE IF NOT EXISTS builds (
    id INTEGER PRIMARY KEY AUTOINCREMENT, command TEXT NOT NULL, state TEXT NOT NULL,
    label TEXT NOT NULL DEFAULT '', done INTEGER NOT NULL DEFAULT 0, total INTEGER NOT NULL DEFAULT 0,
    status INTEGER, failures TEXT NOT NULL DEFAULT '[]',
    queued_at REAL NOT NULL, started_at REAL, finished_at REAL);
"""


def test_the_earlier_database_is_upgraded_at_start_and_its_password_still_signs_in(tmp_path):
    config = web_config(tmp_path)
    path = config.database_path
    path.parent.mkdir(parents=True)
    con = sqlite3.connect(path)
    con.executescript(EARLIER_SCHEMA)
    session = "an-old-session-of-the-department"
    with con:
        con.execute("INSERT INTO meta VALUES ('password', ?)", (auth.hash_password(PASSWORD),))
        con.execute("INSERT INTO meta VALUES ('secret', ?)", ("ab" * 32,))
        con.execute("INSERT INTO sessions VALUES (?, ?, ?)", (auth.digest(session), time.time(), time.time() + 3600))
        con.execute("INSERT INTO builds (command, state, queued_at) VALUES ('letters', 'done', 1.0)")
        con.execute(
            "INSERT INTO submissions (province, center, answer, answer_file, basic_met, quality_met, submitted_at, "
            "report) VALUES (?, ?, '{}', 'answers/x.yaml', 1, 40, 1.0, 'ok')",
            CENTER,
        )
    assert con.execute("PRAGMA user_version").fetchone()[0] == 0
    con.close()

    app = create_app(config, start_background=False)  # the upgrade runs here
    db = app.state.site.db
    assert db.version() == VERSION
    assert [(a.name, a.role) for a in accounts.every(db)] == [("department", "department")]
    assert db.get("password") is None and db.get("secret") == "ab" * 32  # one truth; the rest kept
    assert db.one("SELECT count(*) AS n FROM submissions")["n"] == 1
    assert db.one("SELECT actor FROM builds")["actor"] == ""
    client = TestClient(app)
    client.cookies.set(auth.SESSION_COOKIE, session)
    assert client.get("/department", follow_redirects=False).status_code == 200  # still signed in
    signed_in(app, "", PASSWORD)  # the old password, no user name
    signed_in(app, "department", PASSWORD)
    Database(path)  # opening again changes nothing
    assert db.version() == VERSION and len(accounts.every(db)) == 1
    assert json.loads(json.dumps(db.one("PRAGMA integrity_check")[0])) == "ok"


def test_an_answer_file_from_the_command_line_is_reviewed_and_its_archived_version_marked_final(app):
    """A center that answered by file (no web submission): the decision is on that file, and the
    archive version holding exactly that file is the one marked final."""
    from pipeline import archive

    site = app.state.site
    out, campaign = site.settings.outputs, site.campaign()
    answer = next(a for a in campaign.answers if a.center.endswith("พระสมุทรเจดีย์"))
    shutil.rmtree(out / "archive" / FOREIGN)  # the fixture's stand-in, not a real version
    entry = archive.ArchiveEntry(FOREIGN, out / "reports" / f"{FOREIGN}.pdf", answer.source, inputs_digest="d")
    archive.archive([entry], out / "archive")
    department = signed_in(app, "department", PASSWORD)
    html = department.get(f"/department/centers/{FOREIGN}").text
    assert "จากไฟล์คำตอบของศูนย์" in html and answer.source.name not in html  # said in words, not its file name
    response = department.post(
        f"/department/centers/{FOREIGN}/review",
        data={"csrf_token": csrf_of(html), "decision": "accept"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert archive.final_versions(out / "archive", FOREIGN) == [1]
    assert archive.verify(out / "archive") == []
    assert review.states(out, service.load(site.settings))[FOREIGN].state == review.ACCEPTED
