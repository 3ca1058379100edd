"""Accounts, review and audit through the real server in Debian's Chromium.

A province officer signs in and sees exactly its province's center, and a 404 for another
province's center page, report, form, letter, package and archived report (files that exist:
the department opens them); the officer returns a submission with comments; the center sees
"ส่งกลับแก้ไข" and each comment beside its item, edits and sends again; the department accepts it
and the archive marks that version final; one byte edited in the audit log makes
`gecc audit verify` fail naming the entry.
"""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
from urllib.parse import quote

import pytest
from test_web_browser import browser, fetch, shoot  # noqa: F401 (fixtures)
from web_helpers import CENTER, PASSWORD, web_config
from web_server import PROJECT, Server

OFFICER, OFFICER_PASSWORD = "nonthaburi1", "รหัสจังหวัดนนทบุรี-99"
OWN = "02-นนทบุรี-บางบัวทอง"
FOREIGN = "01-สมุทรปราการ-พระสมุทรเจดีย์"


def gecc(server: Server, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    folders = ("--inputs", str(server.inputs), "--outputs", str(server.outputs))
    return subprocess.run(
        [sys.executable, "-m", "pipeline", *args, *folders],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=PROJECT,
        timeout=300,
    )


@pytest.fixture
def server(tmp_path):
    config = web_config(tmp_path, build_reports=True)
    server = Server(config.settings.inputs, config.settings.outputs, tmp_path / "server.log")
    server.set_password(PASSWORD)
    added = gecc(server, "users", "add", OFFICER, "--role", "province", "--province", "นนทบุรี", stdin=OFFICER_PASSWORD)
    assert added.returncode == 0, added.stderr
    linked = gecc(server, "links", "--base-url", server.url)
    assert linked.returncode == 0, linked.stderr
    server.start()
    yield server
    server.stop()


def sign_in(driver, server: Server, name: str, password: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    driver.delete_all_cookies()
    driver.get(server.url + "/department/sign-in")
    driver.find_element(By.NAME, "username").send_keys(name)
    driver.find_element(By.NAME, "password").send_keys(password)
    driver.find_element(By.CSS_SELECTOR, 'form button[type="submit"]').click()
    WebDriverWait(driver, 60).until(ec.presence_of_element_located((By.CSS_SELECTOR, "table.centers")))


def left(driver, element) -> None:
    """Waits until the page ``element`` was on is gone (a click that navigates). While the page changes,
    Chrome may answer for the old page's nodes with an inspector error ("Node with given id does not
    belong to the document") instead of a stale element: a fresh clone's run failed on one, so any
    WebDriver error is waited past; the 60 s still fail a page that never comes."""
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, 60, ignored_exceptions=(WebDriverException,)).until(ec.staleness_of(element))


def submit_everything(driver) -> None:
    """Every item answered (มี, ticked), then the submit button; waits for the report's link."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    for name, value in (("assessor_name", "นางสาวสมใจ ใจดี"), ("assessor_position", "ปลัดอำเภอ")):
        field = driver.find_element(By.NAME, name)
        field.clear()
        field.send_keys(value)
    field = driver.find_element(By.NAME, "assessed_on")
    field.clear()
    field.send_keys("๑๕ กุมภาพันธ์ ๒๕๖๔")
    driver.execute_script(
        "document.querySelectorAll('input[type=radio][value=\"มี\"]').forEach(r => r.checked = true);"
        "document.querySelectorAll('input[type=checkbox][name^=\"q:\"]').forEach(c => c.checked = true);"
    )
    button = driver.find_element(By.CSS_SELECTOR, 'button[value="submit"]')
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", button)
    button.click()
    # The page being left may show the previous version's report link: wait for the new page first (a
    # fresh clone's run once accepted before the new version's report existed, and got 422).
    left(driver, button)
    WebDriverWait(driver, 300).until(ec.presence_of_element_located((By.ID, "report-link")))


def test_province_officer_review_round_trip_and_a_tampered_log(browser, server):  # noqa: F811
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    driver = browser
    rows = list(csv.DictReader((server.outputs / "links.csv").read_text(encoding="utf-8-sig").splitlines()))
    link = next(r["url"] for r in rows if (r["province"], r["center"]) == CENTER)

    # The center sends its answers; its report is made and archived.
    driver.get(link)
    submit_everything(driver)

    # Another province's documents exist (the department opens them) ...
    out = server.outputs
    own_report = out / "reports" / f"{OWN}.pdf"
    foreign = {
        f"reports/{FOREIGN}.pdf",
        f"forms/{FOREIGN}.pdf",
        f"forms/{FOREIGN}-fillable.pdf",
        "letters/01-สมุทรปราการ.pdf",
        "package/01-สมุทรปราการ.pdf",
        f"archive/{FOREIGN}/v001/report.pdf",
        "summary/summary.pdf",
    }
    for rel in foreign:
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(own_report, out / rel)
    sign_in(driver, server, "department", PASSWORD)
    for rel in foreign:
        assert fetch(driver, f"{server.url}/department/files/{quote(rel)}")[0] == 200, rel

    # ... but the officer of นนทบุรี sees exactly its center, and a 404 for anything of สมุทรปราการ.
    sign_in(driver, server, OFFICER, OFFICER_PASSWORD)
    slugs = [r.get_attribute("data-slug") for r in driver.find_elements(By.CSS_SELECTOR, "tr[data-slug]")]
    assert slugs == [OWN]
    assert "พระสมุทรเจดีย์" not in driver.page_source and "บางพลี" not in driver.page_source
    shoot(driver, "20-province-dashboard")
    for rel in foreign:
        assert fetch(driver, f"{server.url}/department/files/{quote(rel)}")[0] == 404, rel
    for url in (f"/department/centers/{FOREIGN}", "/department/centers/03-สมุทรปราการ-บางพลี"):
        assert fetch(driver, server.url + quote(url))[0] == 404, url
    for url in (  # the department's pages: refused (403), not hidden
        "/department/circular",
        "/department/centers",
        "/department/ingest",
        "/department/campaign",
        "/department/links/new",
        "/department/archive.zip",
    ):
        assert fetch(driver, server.url + url)[0] == 403, url
    driver.get(server.url + "/department/files")
    assert "พระสมุทรเจดีย์" not in driver.page_source and "summary.pdf" not in driver.page_source
    shoot(driver, "21-province-files")

    # The officer returns the submission with a general comment and one on item 3.
    driver.get(server.url + f"/department/centers/{quote(OWN)}")
    assert not driver.find_elements(By.CSS_SELECTOR, 'button[value="accept"]')  # accepting is the department's
    driver.find_element(By.NAME, "comment").send_keys("โปรดแนบหลักฐานเพิ่ม")
    item = driver.find_element(By.NAME, "comment:3")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", item)
    item.send_keys("ไม่มีรูปถ่ายป้ายบอกทาง")
    shoot(driver, "22-province-review")
    back = driver.find_element(By.CSS_SELECTOR, 'button[value="return"]')
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", back)
    back.click()
    state = WebDriverWait(driver, 60).until(ec.presence_of_element_located((By.CSS_SELECTOR, ".notice.ok")))
    assert "ส่งกลับแก้ไขแล้ว" in state.text
    assert driver.find_element(By.ID, "review-state").text == "ส่งกลับแก้ไข"

    # The center sees the return and each comment beside its item, edits and sends again.
    driver.delete_all_cookies()
    driver.get(link)
    notice = driver.find_element(By.ID, "review")
    assert "ส่งกลับแก้ไข" in notice.text and "โปรดแนบหลักฐานเพิ่ม" in notice.text
    comment = driver.find_element(By.CSS_SELECTOR, "#field-p\\:3 #comment-3")
    assert "ไม่มีรูปถ่ายป้ายบอกทาง" in comment.text
    shoot(driver, "23-center-returned")
    summary = driver.find_element(By.CSS_SELECTOR, "#field-p\\:3 details summary")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", summary)
    summary.click()
    driver.find_element(By.NAME, "notes:3").send_keys("แนบรูปถ่ายป้ายแล้ว")
    submit_everything(driver)
    assert not driver.find_elements(By.ID, "review")

    # The department sees it submitted again and accepts it: the archived version is marked final.
    sign_in(driver, server, "department", PASSWORD)
    driver.get(server.url + "/department?state=submitted")
    assert OWN in [r.get_attribute("data-slug") for r in driver.find_elements(By.CSS_SELECTOR, "tr[data-slug]")]
    driver.get(server.url + f"/department/centers/{quote(OWN)}")
    accept = driver.find_element(By.CSS_SELECTOR, 'button[value="accept"]')
    for width in (390, 1280):  # scrolled to as far down as it goes: the sticky bar must not cover it
        driver.set_window_size(width, 700)
        driver.execute_script("arguments[0].scrollIntoView({block: 'end'})", accept)
        on_top = driver.execute_script(
            "const r = arguments[0].getBoundingClientRect();"
            "return document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2) === arguments[0];",
            accept,
        )
        assert on_top, f"the accept button is covered at {width} px"
    driver.set_window_size(1280, 900)
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", accept)
    accept.click()
    left(driver, accept)
    WebDriverWait(driver, 60, ignored_exceptions=(WebDriverException,)).until(
        lambda d: d.find_element(By.ID, "review-state").text == "ตรวจรับแล้ว"
    )
    shoot(driver, "24-department-accepted")
    marks = sorted((out / "archive" / OWN).glob("v*.final.json"))
    assert [m.name for m in marks] == ["v002.final.json"]
    mark = json.loads(marks[0].read_text(encoding="utf-8"))
    manifest = json.loads((out / "archive" / OWN / "v002" / "manifest.json").read_text(encoding="utf-8"))
    assert mark["report_sha256"] == manifest["files"]["report.pdf"]["sha256"]
    driver.get(server.url + "/department")
    assert "บันทึกการกระทำล่าสุด" in driver.page_source
    shoot(driver, "25-dashboard-audit")

    # The audit log holds, and one byte edited in the officer's review entry is named.
    intact = gecc(server, "audit", "verify")
    assert intact.returncode == 0, intact.stderr
    log = out / "audit.jsonl"
    lines = log.read_bytes().splitlines(keepends=True)
    target = next(i for i, line in enumerate(lines) if b'"action":"review"' in line)
    edited = lines[target].replace(f"user:{OFFICER}".encode(), b"user:nonthaburi2")  # one byte: 1 → 2
    assert len(edited) == len(lines[target]) and sum(a != b for a, b in zip(edited, lines[target], strict=True)) == 1
    log.write_bytes(b"".join(lines[:target] + [edited] + lines[target + 1 :]))
    broken = gecc(server, "audit", "verify")
    assert broken.returncode == 1
    assert f"รายการที่ {target + 1} " in broken.stderr, broken.stderr
