"""The campaign in a real browser: Debian's Chromium driven by Selenium against the real server.

A center opens its link, types a Thai name, ticks, submits with an item missing and sees
the problem beside it, completes, submits and opens its report; the department signs in,
sees the center as submitted, starts a build and downloads a package. Every page is saved
as a screenshot at phone (390 px) and desktop (1280 px) width under outputs/screenshots/.
"""

from __future__ import annotations

import base64
import csv
import shutil
import subprocess
import sys
import tempfile
from urllib.parse import quote

import fitz
import pytest
from web_helpers import CENTER, PASSWORD, campaign_latin, clerk_problems, web_config
from web_server import PROJECT, Server

from pipeline.check import normalise

SHOTS = PROJECT / "outputs" / "screenshots"
CHROMIUM, DRIVER = shutil.which("chromium"), shutil.which("chromedriver")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--lang=th-TH",
]


@pytest.fixture
def browser(tmp_path):
    if not (CHROMIUM and DRIVER):
        pytest.skip(
            "SKIPPED LOUDLY: Debian's chromium and chromium-driver are not installed "
            "(tools/install-system.sh installs them; run make test)"
        )
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    profile = tempfile.mkdtemp(prefix="gecc-chromium-", dir=tmp_path)
    options.add_argument(f"--user-data-dir={profile}")
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    driver.set_page_load_timeout(300)
    yield driver
    driver.quit()


READ: dict[str, list[str]] = {}  # page → English identifiers and Christian-Era years found on it


def shoot(driver, name: str) -> None:
    """The whole page at 390 px and 1280 px wide; what it says is kept for the clerk's-words check."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    # a click may have started a navigation: read the page that arrives, not the one being left
    WebDriverWait(driver, 60).until(
        lambda d: d.execute_script("return document.readyState") == "complete" and d.find_elements(By.TAG_NAME, "body")
    )
    READ[name] = [driver.title, driver.find_element(By.TAG_NAME, "body").text]
    SHOTS.mkdir(parents=True, exist_ok=True)
    for label, width in (("phone", 390), ("desktop", 1280)):
        driver.set_window_size(width, 900)
        height = driver.execute_script("return document.documentElement.scrollHeight")
        driver.set_window_size(width, min(height + 140, 12000))
        driver.save_screenshot(str(SHOTS / f"{name}-{label}.png"))
    driver.set_window_size(1280, 900)


def fetch(driver, url: str) -> tuple[int, bytes]:
    """GET ``url`` from inside the page (its cookies), as the browser would download it."""
    result = driver.execute_async_script(
        """
        const done = arguments[arguments.length - 1];
        fetch(arguments[0], {credentials: 'same-origin'}).then(async r => {
            const bytes = new Uint8Array(await r.arrayBuffer());
            let text = ''; for (const b of bytes) text += String.fromCharCode(b);
            done([r.status, btoa(text), bytes.length]);
        }).catch(e => done([0, '', 0]));""",
        url,
    )
    return result[0], base64.b64decode(result[1])  # the whole body


@pytest.fixture
def server(tmp_path):
    config = web_config(tmp_path, build_reports=True)
    server = Server(config.settings.inputs, config.settings.outputs, tmp_path / "server.log")
    server.set_password(PASSWORD)
    server.start()
    yield server
    server.stop()


def test_a_center_answers_and_the_department_takes_its_paperwork(browser, server):
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    driver = browser
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pipeline",
            "links",
            "--inputs",
            str(server.inputs),
            "--outputs",
            str(server.outputs),
            "--base-url",
            server.url,
        ],
        capture_output=True,
        text=True,
        cwd=PROJECT,
    )
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader((server.outputs / "links.csv").read_text(encoding="utf-8-sig").splitlines()))
    link = next(r["url"] for r in rows if (r["province"], r["center"]) == CENTER)

    # --- the center -----------------------------------------------------------------------
    driver.get(link)
    assert CENTER[1] in driver.find_element(By.CSS_SELECTOR, ".who").text
    shoot(driver, "01-center-form")
    driver.find_element(By.NAME, "assessor_name").send_keys("นางสาวสมใจ ใจดี")
    driver.find_element(By.NAME, "assessor_position").send_keys("ปลัดอำเภอ")
    driver.find_element(By.NAME, "assessed_on").send_keys("๑๕ กุมภาพันธ์ ๒๕๖๔")

    def choose(item: str, value: str) -> None:
        radio = driver.find_element(By.CSS_SELECTOR, f'input[name="p:{item}"][value="{value}"]')
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", radio)
        radio.click()

    for n in range(1, 14):
        if n != 3:  # left out: the submit must show the problem beside item 3
            choose(str(n), "มี")
    for box in driver.find_elements(By.CSS_SELECTOR, 'input[type="checkbox"][name^="q:"]')[:40]:
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", box)
        box.click()
    note = driver.find_element(By.CSS_SELECTOR, "#field-p\\:2 details summary")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", note)
    note.click()
    driver.find_element(By.NAME, "notes:2").send_keys("ไม่มีรถโดยสารประจำทางผ่าน")
    driver.find_element(By.CSS_SELECTOR, 'button[value="submit"]').click()

    error = WebDriverWait(driver, 60).until(ec.presence_of_element_located((By.CSS_SELECTOR, "#field-p\\:3 .error")))
    assert "ยังไม่ได้ตอบข้อ ๓ (เลือก มี หรือ ไม่มี)" in error.text and error.is_displayed()
    summary = driver.find_element(By.CSS_SELECTOR, '#problems a[href="#field-p:3"]')
    assert summary.text.startswith("ด้านกายภาพ ข้อ ๓:")  # the summary names the field and links to it
    assert driver.find_element(By.NAME, "assessor_name").get_attribute("value") == "นางสาวสมใจ ใจดี"
    assert driver.find_element(By.NAME, "notes:2").get_attribute("value") == "ไม่มีรถโดยสารประจำทางผ่าน"
    shoot(driver, "02-center-problem")

    choose("3", "มี")
    driver.find_element(By.CSS_SELECTOR, 'button[value="submit"]').click()  # builds the report: seconds
    report = WebDriverWait(driver, 300).until(ec.presence_of_element_located((By.ID, "report-link")))
    assert "ส่งแล้ว ฉบับที่ ๑" in driver.find_element(By.ID, "state").text
    shoot(driver, "03-center-submitted")
    status, data = fetch(driver, report.get_attribute("href"))
    assert status == 200 and data.startswith(b"%PDF")
    with fitz.open(stream=data, filetype="pdf") as pdf:  # headless Chromium shows no PDF: look at it here
        text = normalise("".join(page.get_text() for page in pdf))
        assert normalise("นางสาวสมใจ ใจดี") in text and normalise("ไม่มีรถโดยสารประจำทางผ่าน") in text
        pdf[0].get_pixmap(dpi=80).save(str(SHOTS / "04-center-report-page1.png"))

    # --- the department ----------------------------------------------------------------------
    driver.get(server.url + "/department")
    assert "/department/sign-in" in driver.current_url
    shoot(driver, "05-sign-in")
    driver.find_element(By.NAME, "password").send_keys(PASSWORD)
    driver.find_element(By.CSS_SELECTOR, 'form button[type="submit"]').click()
    # The click starts a navigation; wait for the dashboard rather than read the page being left.
    row = WebDriverWait(driver, 60).until(
        ec.presence_of_element_located((By.CSS_SELECTOR, 'tr[data-slug="02-นนทบุรี-บางบัวทอง"]'))
    )
    assert row.find_element(By.CSS_SELECTOR, "td.state").text == "ส่งแล้ว"
    shoot(driver, "06-dashboard")
    driver.find_element(By.CSS_SELECTOR, 'button[name="command"][value="build"]').click()
    shoot(driver, "07-build-running")  # refreshes itself every 2 s until done
    # A refresh may come between finding the state and reading it (a stale node, or Chrome's inspector
    # error for a node of the page being left): poll again.
    WebDriverWait(driver, 900, ignored_exceptions=(WebDriverException,)).until(
        lambda d: d.find_element(By.ID, "build-state").get_attribute("data-state") in ("done", "failed")
    )
    shoot(driver, "07-build-done")
    assert driver.find_element(By.ID, "build-state").get_attribute("data-state") == "done", driver.page_source[-3000:]
    # the build page says what happened, in the command line's words
    made = driver.find_element(By.ID, "made").text
    assert made.startswith("สร้างใหม่ ") and "เป็นปัจจุบันอยู่แล้ว" in made, made
    assert driver.find_element(By.ID, "closing").text.startswith("เรียบร้อย: PDF ")
    driver.get(server.url + "/department/files")
    shoot(driver, "08-files")
    driver.find_element(By.LINK_TEXT, "นนทบุรี").click()  # the province's own documents, grouped by kind
    WebDriverWait(driver, 60).until(ec.presence_of_element_located((By.ID, "zip")))
    shoot(driver, "08-files-province")
    package = driver.find_element(By.CSS_SELECTOR, f'a[href$="{quote("package/02-นนทบุรี.pdf")}"]')
    status, data = fetch(driver, package.get_attribute("href"))
    assert status == 200 and data.startswith(b"%PDF")
    with fitz.open(stream=data, filetype="pdf") as pdf:
        # its letter first … its center's form last
        assert normalise(CENTER[1]) in normalise(pdf[0].get_text() + pdf[-1].get_text())
    for path, name in (
        ("/department/circular", "09-circular"),
        ("/department/centers", "10-centers"),
        ("/department/ingest", "11-ingest"),
        ("/department/links", "13-links"),
        ("/department/campaign", "14-close-asks-first"),
        ("/department/centers/" + quote("02-นนทบุรี-บางบัวทอง") + "/link", "15-reissue-asks-first"),
        ("/department/links/new", "16-every-link-asks-first"),
        ("/department?province=" + quote("นนทบุรี"), "17-dashboard-one-province"),
    ):
        driver.get(server.url + path)
        shoot(driver, name)
    assert "ศูนย์ที่ยังไม่ได้ส่ง" in READ["14-close-asks-first"][1]
    driver.get(server.url + "/department")
    shoot(driver, "12-dashboard-after-build")
    assert "ตรงกับไฟล์ตัวเลขผลการประเมินที่สร้างเมื่อ" in driver.find_element(By.ID, "results-state").text
    # a re-issued link: its page, then the link page offering to make that center's form again
    driver.get(server.url + "/department/centers/" + quote("02-นนทบุรี-บางบัวทอง") + "/link")
    driver.find_element(By.CSS_SELECTOR, "button.danger").click()
    WebDriverWait(driver, 60).until(ec.presence_of_element_located((By.ID, "new-link")))
    assert "ระบบเขียนลิงก์นี้ลงในไฟล์ลิงก์ของทุกศูนย์แล้ว" in driver.find_element(By.ID, "link-kept").text
    shoot(driver, "18-link-reissued")
    # no English identifier and no Christian-Era year on any page a clerk read above
    from pipeline.load import load_campaign

    allowed = campaign_latin(load_campaign(server.inputs))
    found = {name: clerk_problems(" ".join(texts), allowed) for name, texts in READ.items()}
    assert {name: words for name, words in found.items() if words} == {}
