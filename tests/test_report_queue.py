"""Reports off the request path: a submit is acknowledged once kept, its report queued in SQLite and
made by worker processes; the center's page says so and then shows it; a killed server goes on.

The queue's rules run on the database alone; the page and the restart use the real LibreOffice,
the last ones the real server (uvicorn in a subprocess, kill -9).
"""

from __future__ import annotations

import json
import os
import re
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from test_web_server import report_workers, wait_for
from web_helpers import CENTER, OTHER, PASSWORD, TestClient, complete_form, csrf_of, link_of, sign_in, web_config
from web_server import Server

from pipeline import audit, review
from pipeline.web import forms, reportqueue, reviews
from pipeline.web.app import create_app
from pipeline.web.commits import GroupCommit
from pipeline.web.reportworkers import Campaigns, WorkerConfig, make
from pipeline.web.site import Site

REFRESH = re.compile(r'<meta http-equiv="refresh" content="\d+')


def submit(site: Site, key=CENTER, name: str = "นางสาวสมใจ ใจดี") -> int:
    center = site.center(*key)
    criteria = site.campaign().criteria
    outcome = site.submit(center, forms.typed(complete_form(criteria, "", assessor_name=name), criteria))
    assert outcome.submission is not None, outcome.problems
    return outcome.submission.id


def job_states(site: Site) -> dict[int, str]:
    return {r["submission"]: r["state"] for r in site.db.all("SELECT submission, state FROM report_jobs")}


# --- the queue's rules -------------------------------------------------------------------------


def test_a_submit_queues_its_report_and_a_newer_version_replaces_a_queued_one(tmp_path):
    site = Site(web_config(tmp_path))
    first = submit(site, name="นายหนึ่ง ทดสอบ")
    other = submit(site, OTHER)
    assert job_states(site) == {first: "queued", other: "queued"}
    second = submit(site, name="นายสอง ทดสอบ")
    assert job_states(site) == {first: "superseded", other: "queued", second: "queued"}
    rows = {r["id"]: r["report"] for r in site.db.all("SELECT id, report FROM submissions")}
    assert rows == {first: "superseded", other: "pending", second: "pending"}
    taken = site.reports.claim(worker=1, limit=10)
    assert [j.submission for j in taken] == [other, second]
    assert taken[1].answer["assessor"]["name"] == "นายสอง ทดสอบ"
    assert site.reports.claim(worker=2, limit=10) == []  # nothing left waiting
    assert site.reports.waiting() == reportqueue.Waiting(0, 2, [])


def test_no_worker_takes_a_center_whose_report_another_is_making(tmp_path):
    site = Site(web_config(tmp_path))
    first = submit(site)
    assert [j.submission for j in site.reports.claim(worker=1, limit=10)] == [first]
    second = submit(site, name="นายสอง ทดสอบ")
    assert site.reports.claim(worker=2, limit=10) == []  # it waits: its center is being made
    assert site.reports.ahead_of(second) == 0
    site.reports.finish(_job(site, first), [], "v001")
    assert [j.submission for j in site.reports.claim(worker=2, limit=10)] == [second]


def _job(site: Site, submission: int) -> reportqueue.Job:
    row = site.db.one("SELECT * FROM report_jobs WHERE submission = ?", submission)
    return reportqueue.Job(row["id"], submission, row["province"], row["center"], {})


def test_a_job_whose_worker_died_waits_again_and_fails_in_thai_after_the_last_attempt(tmp_path):
    site = Site(web_config(tmp_path))
    first = submit(site)
    for _ in range(1, reportqueue.MAX_ATTEMPTS):
        assert site.reports.claim(worker=7, limit=10)
        assert site.reports.release(7) == 1
        assert job_states(site) == {first: "queued"}
    site.reports.claim(worker=7, limit=10)
    assert site.reports.release() == 0  # a restart: the third death fails it
    row = site.db.one("SELECT report, report_problems FROM submissions WHERE id = ?", first)
    assert row["report"] == "failed" and "หยุดกลางคัน 3 ครั้ง" in row["report_problems"]
    failed = site.reports.waiting().failed
    assert [(f["province"], f["center"]) for f in failed] == [CENTER] and "หยุดกลางคัน" in failed[0]["problems"][0]


def test_a_version_whose_report_is_being_made_cannot_be_accepted_yet(tmp_path):
    site = Site(web_config(tmp_path))
    submit(site)
    center = site.center(*CENTER)
    with pytest.raises(review.ReviewError, match="ยังจัดทำไม่เสร็จ"):
        reviews.decide(site, "department", center, review.ACCEPT, {})
    assert review.history(site.settings.outputs, center.slug) == []  # nothing recorded
    reviews.decide(site, "department", center, review.RETURN, {"comment": "โปรดแก้ข้อ ๓"})  # returning needs none


def test_writes_done_together_each_get_their_own_result_and_error(tmp_path):
    db = Site(web_config(tmp_path)).db
    commits = GroupCommit(db)

    def write(n: int):
        def work(con):
            if n == 7:
                con.execute("INSERT INTO meta (key, value) VALUES ('n7', 'x')")
                raise ValueError("เจ็ด")  # undone alone: its row must not stay
            return con.execute("INSERT INTO meta (key, value) VALUES (?, ?)", (f"n{n}", str(n))).lastrowid

        try:
            return commits.run(work)
        except ValueError as error:
            return str(error)

    with ThreadPoolExecutor(20) as pool:
        results = list(pool.map(write, range(20)))
    assert results[7] == "เจ็ด" and all(isinstance(r, int) for n, r in enumerate(results) if n != 7)
    keys = {r["key"] for r in db.all("SELECT key FROM meta WHERE key LIKE 'n%'")}
    assert keys == {f"n{n}" for n in range(20) if n != 7}


# --- the center's page (in-process; a worker's round run here, with the real LibreOffice) --------


def test_a_submit_returns_before_its_report_exists_and_the_page_then_shows_it(tmp_path):
    config = web_config(tmp_path)  # no worker processes: this test runs the worker's round itself
    app = create_app(config, start_background=False)
    with TestClient(app) as web:
        site = app.state.site
        token = link_of(site)
        page = web.get(f"/c/{token}")
        form = complete_form(site.campaign().criteria, csrf_of(page.text))
        response = web.post(f"/c/{token}", data=form, follow_redirects=False)
        assert response.status_code == 303
        assert site.report_pdf(site.center(*CENTER)) is None  # acknowledged: kept, its report not made
        waiting = web.get(response.headers["location"])
        assert "กำลังจัดทำรายงาน" in waiting.text and REFRESH.search(waiting.text)  # reloads itself: no script needed
        assert 'id="report-link"' not in waiting.text
        assert "ส่งแล้ว" in waiting.text or "ส่งแบบประเมินแล้ว" in waiting.text

        jobs = site.reports.claim(os.getpid(), 10)
        make(WorkerConfig(config.settings, config.database_path), site.reports, Campaigns(config.settings), jobs)
        ready = web.get(response.headers["location"])
        assert 'id="report-link"' in ready.text and not REFRESH.search(ready.text)
        pdf = web.get(f"/c/{token}/report.pdf")
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
        row = site.db.one("SELECT report, archived_version FROM submissions")
        assert row["report"] == "ok" and row["archived_version"] == "v001"
        # Made later, by a worker, the archived report still names the submit that asked for it.
        (submitted,) = [e for e in audit.recent(audit.log_path(config.settings.outputs), 50) if e.action == "submit"]
        (manifest,) = (config.settings.outputs / "archive").rglob("manifest.json")
        assert json.loads(manifest.read_text(encoding="utf-8"))["audit"] == {
            "entry": submitted.n,
            "hash": submitted.hash,
        }


# --- the real server ---------------------------------------------------------------------------


@pytest.fixture
def served(tmp_path):
    config = web_config(tmp_path, build_reports=True)
    server = Server(config.settings.inputs, config.settings.outputs, tmp_path / "server.log", "--insecure-cookies")
    server.set_password(PASSWORD)
    yield config, server
    server.stop()


def post_submit(server: Server, site: Site, key, name: str) -> httpx.Response:
    token = link_of(site, key)
    page = httpx.get(f"{server.url}/c/{token}")
    form = complete_form(site.campaign().criteria, csrf_of(page.text), assessor_name=name)
    return httpx.post(f"{server.url}/c/{token}", data=form, timeout=60)


def test_a_server_killed_with_reports_queued_makes_them_after_the_restart(served):
    config, server = served
    server.start()
    site = Site(config)  # the same database, as another process sees it
    for key, name in ((CENTER, "นายก่อนดับ ทดสอบ"), (OTHER, "นางหลังดับ ทดสอบ")):
        assert post_submit(server, site, key, name).status_code == 303
    group = server.process.pid
    assert set(job_states(site).values()) <= {"queued", "running"}  # acknowledged before made
    server.kill()
    wait_for(lambda: not report_workers(group), 30, "the killed server's report workers ended")
    assert set(job_states(site).values()) <= {"queued", "running"}
    assert {r["report"] for r in site.db.all("SELECT report FROM submissions")} == {"pending"}
    server.start()  # puts back what the dead workers were making
    wait_for(lambda: set(job_states(site).values()) <= {"done", "failed"}, 240, "the queued reports made")
    rows = site.db.all("SELECT report, report_problems FROM submissions")
    assert [r["report"] for r in rows] == ["ok", "ok"], [r["report_problems"] for r in rows]
    answer = config.settings.inputs / "answers" / "02-นนทบุรี-บางบัวทอง.yaml"
    assert "นายก่อนดับ ทดสอบ" in answer.read_text(encoding="utf-8")
    for key in (CENTER, OTHER):
        token = link_of(site, key)
        report = httpx.get(f"{server.url}/c/{token}/report.pdf")
        assert report.status_code == 200 and report.content.startswith(b"%PDF")
        assert token not in server.log.read_text(encoding="utf-8", errors="replace")  # never logged


def test_pages_answer_while_a_worker_is_making_reports(served):
    config, server = served
    server.start()
    site = Site(config)
    client = httpx.Client(base_url=server.url, timeout=30)
    sign_in(client, site)
    assert post_submit(server, site, CENTER, "นายระหว่างทำ ทดสอบ").status_code == 303
    wait_for(lambda: "running" in job_states(site).values(), 60, "a worker making the report")
    token = link_of(site, OTHER)
    assert client.get(f"/c/{token}").status_code == 200  # another center's form
    board = client.get("/department")
    assert board.status_code == 200 and "กำลังจัดทำรายงาน" in board.text
    assert "running" in job_states(site).values()  # all of it while the worker was busy
    wait_for(lambda: "done" in job_states(site).values(), 240, "the report made")
