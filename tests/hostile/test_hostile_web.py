"""The web app against what clerks and strangers will send, through the real server on the loopback address."""

from __future__ import annotations

import os
import re
import shutil
import socket
import threading
import time

import httpx
import pytest
from corpus import ALIASES, laughs, workbook
from web_helpers import PASSWORD, complete_form, csrf_of, link_of, web_config
from web_server import Server

from pipeline.links import read_links
from pipeline.web.site import Site


@pytest.fixture
def web(tmp_path):
    config = web_config(tmp_path)
    server = Server(config.settings.inputs, config.settings.outputs, tmp_path / "server.log", "--insecure-cookies")
    server.set_password(PASSWORD)
    server.start()
    yield config, server
    server.stop()
    log = (tmp_path / "server.log").read_text(encoding="utf-8", errors="replace")
    assert "Traceback" not in log, log[-3000:]


def department(server: Server) -> httpx.Client:
    client = httpx.Client(base_url=server.url, follow_redirects=True, timeout=60)
    page = client.get("/department/sign-in")
    client.post("/department/sign-in", data={"csrf_token": csrf_of(page.text), "password": PASSWORD})
    assert client.get("/department").url.path == "/department"
    return client


# --- sign-in -----------------------------------------------------------------------------


def test_a_burst_of_100_wrong_passwords_gets_at_most_5_tries(web):
    _, server = web
    client = httpx.Client(base_url=server.url, timeout=120)
    page = client.get("/department/sign-in")
    form = {"csrf_token": csrf_of(page.text), "password": "ผิด"}
    cookies = dict(client.cookies)
    statuses: list[int] = []
    start = threading.Barrier(100)

    def attempt() -> None:
        start.wait()
        response = httpx.post(f"{server.url}/department/sign-in", data=form, cookies=cookies, timeout=120)
        statuses.append(response.status_code)

    threads = [threading.Thread(target=attempt) for _ in range(100)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(set(statuses)) == [401, 429]
    assert statuses.count(401) == 5  # tries that reached the password check
    right = httpx.post(f"{server.url}/department/sign-in", data=form | {"password": PASSWORD}, cookies=cookies)
    assert right.status_code == 429  # locked out, even with the right password


# --- downloads ---------------------------------------------------------------------------


def test_a_link_in_outputs_is_never_served(web):
    config, server = web
    outputs = config.settings.outputs
    (outputs / "reports").mkdir(parents=True, exist_ok=True)
    os.symlink(outputs / ".web" / "gecc.sqlite3", outputs / "reports" / "leak.pdf")
    os.symlink(outputs / ".web", outputs / "leak")
    os.symlink("/etc/passwd", outputs / "passwd.csv")
    (outputs / "reports" / "real.pdf").write_bytes(b"%PDF-1.4 a report")
    client = department(server)
    for path in (
        "reports/leak.pdf",
        "leak/gecc.sqlite3",
        "passwd.csv",
        ".web/gecc.sqlite3",
        "reports/../.web/gecc.sqlite3",
    ):
        response = client.get(f"/department/files/{path}")
        assert response.status_code == 404, path
        assert b"SQLite" not in response.content and b"root:" not in response.content
    assert client.get("/department/files/reports/real.pdf").content == b"%PDF-1.4 a report"
    listing = client.get("/department/files").text
    assert "leak" not in listing and "passwd" not in listing


# --- slow clients ------------------------------------------------------------------------


def test_a_request_head_sent_a_byte_at_a_time_is_cut_off_and_holds_nobody(web):
    _, server = web
    slow = []
    for _ in range(20):  # twenty slow clients at once
        s = socket.create_connection(("127.0.0.1", server.port))
        s.sendall(b"GET /department/sign-in HTTP/1.1\r\nHo")
        slow.append(s)
    started = time.monotonic()
    assert httpx.get(f"{server.url}/department/sign-in", timeout=5).status_code == 200  # others are served
    assert time.monotonic() - started < 3
    closed_at = None
    while time.monotonic() - started < 30:
        try:
            for s in slow:
                s.sendall(b"s")
            time.sleep(1)
        except OSError:  # the server closed it
            closed_at = time.monotonic() - started
            break
    for s in slow:
        s.close()
    assert closed_at is not None and closed_at < 20


def test_a_body_sent_a_byte_at_a_time_gets_408(web):
    config, server = web
    token = link_of(Site(config))
    s = socket.create_connection(("127.0.0.1", server.port))
    s.sendall(
        f"POST /c/{token} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
        "Content-Length: 5000\r\n\r\n".encode()
    )
    s.settimeout(1)
    started, answer = time.monotonic(), b""
    while time.monotonic() - started < 40 and not answer:
        try:
            s.sendall(b"a")
            answer = s.recv(1000)
        except TimeoutError:
            continue
        except OSError:
            break
    s.close()
    assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
    assert time.monotonic() - started < 30


# --- a closed campaign -------------------------------------------------------------------


def test_posts_to_a_closed_campaign_change_nothing(web):
    config, server = web
    site = Site(config)
    token = link_of(site)
    page = httpx.get(f"{server.url}/c/{token}")
    form = complete_form(site.campaign().criteria, csrf_of(page.text))
    client = department(server)
    closing = client.get("/department/campaign")
    client.post("/department/campaign", data={"csrf_token": csrf_of(closing.text), "action": "close", "confirm": "yes"})
    assert site.closed()
    for action in ("submit", "draft"):
        response = httpx.post(f"{server.url}/c/{token}", data=form | {"action": action})
        assert response.status_code == 403 and "ปิดรับ" in response.text
    assert site.db.one("SELECT count(*) AS n FROM submissions")["n"] == 0
    assert site.db.one("SELECT count(*) AS n FROM drafts")["n"] == 0
    assert not (config.settings.inputs / "answers" / "02-นนทบุรี-บางบัวทอง.yaml").exists()


# --- one bad file breaks no page ----------------------------------------------------------


def test_hostile_answer_files_break_no_center_page(web):
    config, server = web
    answers = config.settings.inputs / "answers"
    good = workbook([["province", "center"], ["นนทบุรี", "x"]])
    (answers / "ตัด.xlsx").write_bytes(good[: len(good) // 2])
    (answers / "laughs.xlsx").write_bytes(laughs(good))
    (answers / "aliases.yaml").write_text(ALIASES + "\n", encoding="utf-8")
    os.symlink("/etc/passwd", answers / "passwd.csv")
    token = link_of(Site(config))
    page = httpx.get(f"{server.url}/c/{token}", timeout=60)
    assert page.status_code == 200
    assert department(server).get("/department").status_code == 200


# --- editors -------------------------------------------------------------------------------


def test_the_circular_editor_saves_only_what_it_can_read_back(web):
    config, server = web
    client = department(server)
    circular = config.settings.inputs / "circular.yaml"
    before = circular.read_bytes()
    page = client.get("/department/circular")
    refused = client.post("/department/circular", data={"csrf_token": csrf_of(page.text), "number": "ว 1\u2029# 2"})
    assert refused.status_code == 422
    assert "ที่ (เลขที่หนังสือ)" in refused.text and "บรรทัดที่" not in refused.text
    assert circular.read_bytes() == before
    # The case of issue 16: saved once, then refused for good. Trailing space (U+2029 is one) is dropped.
    page = client.get("/department/circular")
    saved = client.post("/department/circular", data={"csrf_token": csrf_of(page.text), "number": "ว 1 #\u2029"})
    assert saved.status_code == 200 and Site(config).campaign().circular.number == "ว 1 #"
    for number in ("ว 1 # 2", 'ว "๒" #', "ว ๒๘๘๖๖"):  # each saved, read back, and edited again
        page = client.get("/department/circular")
        saved = client.post("/department/circular", data={"csrf_token": csrf_of(page.text), "number": number})
        assert saved.status_code == 200, saved.text[-2000:]
        assert Site(config).campaign().circular.number == number


def test_a_centers_upload_with_a_10_mb_field_names_row_and_column(web):
    config, server = web
    client = department(server)
    page = client.get("/department/centers")
    text = (config.settings.inputs / "centers.csv").read_text(encoding="utf-8").splitlines()
    text[1] += "x" * (10 << 20)
    response = client.post(
        "/department/centers",
        data={"csrf_token": csrf_of(page.text)},
        files={"file": ("centers.csv", ("\n".join(text) + "\n").encode())},
    )
    assert response.status_code == 422
    assert "แถวที่ ๒ หมายเหตุ: ข้อความยาวเกินไป" in response.text


def test_ingest_names_the_uploaded_file(web):
    _, server = web
    client = department(server)
    page = client.get("/department/ingest")
    response = client.post(
        "/department/ingest",
        data={"csrf_token": csrf_of(page.text)},
        files=[
            ("files", ("แบบของศูนย์.pdf", b"%PDF-1.4 broken")),
            ("files", ("../../etc/สอง.pdf", b"not a pdf")),
        ],
    )
    assert response.status_code == 422
    assert "แบบของศูนย์.pdf" in response.text and "สอง.pdf" in response.text
    assert "gecc-upload" not in response.text and "/tmp" not in response.text and "../" not in response.text


# --- a failed build says why -------------------------------------------------------------


def test_a_failed_build_records_and_shows_why(web):
    config, server = web
    (config.settings.inputs / "answers" / "bad.yaml").write_text("province: [\n", encoding="utf-8")
    client = department(server)
    dashboard = client.get("/department")
    client.post("/department/build", data={"csrf_token": csrf_of(dashboard.text), "command": "reports"})
    site = Site(config)
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and (site.builds.get(1) or {"state": ""})["state"] not in ("done", "failed"):
        time.sleep(1)
    row = site.builds.get(1)
    assert row["state"] == "failed" and row["status"] == 1
    assert "bad.yaml" in row["failures"]
    assert "bad.yaml" in client.get("/department/builds/1").text


def test_a_full_disk_during_a_web_build_is_named_and_the_server_goes_on(tmp_path):
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    config = web_config(tmp_path)
    outputs = config.settings.outputs
    outputs.mkdir(parents=True)
    if os.system(f"mount -t tmpfs -o size=8m tmpfs {outputs}") != 0:
        pytest.skip("cannot mount a small tmpfs here")
    server = Server(config.settings.inputs, outputs, tmp_path / "server.log", "--insecure-cookies")
    try:
        server.set_password(PASSWORD)
        server.start()
        client = department(server)
        filler = outputs / "filler"

        filler.write_bytes(b"\0" * (shutil.disk_usage(outputs).free - 200 * 1024))
        dashboard = client.get("/department")
        client.post("/department/build", data={"csrf_token": csrf_of(dashboard.text), "command": "letters"})
        deadline, state = time.monotonic() + 240, ""
        while time.monotonic() < deadline and state not in ("done", "failed"):
            time.sleep(2)
            page = client.get("/department/builds/1")
            # a full disk may stop the database too: then the page says so, in Thai, and the server goes on
            assert page.status_code in (200, 503), page.text[-1000:]
            if page.status_code == 503:
                assert "พื้นที่ดิสก์" in page.text
                state = "full" if not server.process.poll() else "died"
                break
            found = re.search(r'data-state="(\w+)"', page.text)
            state = found.group(1) if found else ""
        assert state in ("failed", "full"), page.text[-2000:]
        filler.unlink()  # the clerk frees space: the build's outcome is recorded and shown
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and (Site(config).builds.get(1) or {"state": ""})["state"] != "failed":
            time.sleep(2)
        row = Site(config).builds.get(1)
        assert row["state"] == "failed" and "พื้นที่ดิสก์เต็ม" in row["failures"], dict(row)
        assert "พื้นที่ดิสก์เต็ม" in client.get("/department/builds/1").text
        assert "Traceback" not in (tmp_path / "server.log").read_text(encoding="utf-8", errors="replace")
    finally:
        server.stop()
        os.system(f"umount {outputs}")


def test_links_that_cannot_be_written_on_a_full_disk_leave_every_old_link_working(tmp_path):
    """Issuing every link (the web's button, `gecc links`) or one center's, when links.csv cannot be
    written: no link changes, so the links printed on the forms keep working, and the old file stays;
    with space again, the new links are issued and written."""
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    config = web_config(tmp_path, database=tmp_path / "db" / "gecc.sqlite3")
    outputs = config.settings.outputs
    outputs.mkdir(parents=True)
    if os.system(f"mount -t tmpfs -o size=1m tmpfs {outputs}") != 0:
        pytest.skip("cannot mount a small tmpfs here")
    try:
        site = Site(config)
        site.write_links()
        before = (outputs / "links.csv").read_bytes()
        old = read_links(outputs)
        filler = outputs / "filler"
        with pytest.raises(OSError), open(filler, "wb") as fill:
            while True:
                fill.write(b"\0" * 65536)
                fill.flush()
        center = site.campaign().centers[0]
        for issue in (site.write_links, lambda: site.reissue_link(center)):
            with pytest.raises(OSError):
                issue()
            assert (outputs / "links.csv").read_bytes() == before
            for link in old:
                found = site.center_of_token(link.url.rsplit("/c/", 1)[1])
                assert found is not None and (found.province, found.name) == (link.province, link.center)
        filler.unlink()
        site.write_links()
        assert read_links(outputs) != old
        assert all(site.center_of_token(link.url.rsplit("/c/", 1)[1]) is None for link in old)
    finally:
        os.system(f"umount {outputs}")
