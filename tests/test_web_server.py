"""The real server (uvicorn, real LibreOffice): a running build survives kill -9 (queued reports: test_report_queue)."""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path

import httpx
import pytest
from web_helpers import PASSWORD, complete_form, csrf_of, link_of, web_config
from web_server import Server

from pipeline.web.site import Site


@pytest.fixture
def campaign(tmp_path):
    config = web_config(tmp_path, build_reports=True)
    server = Server(config.settings.inputs, config.settings.outputs, tmp_path / "server.log", "--insecure-cookies")
    yield config, server
    server.stop()


def wait_for(condition, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"not within {seconds} s: {what}")


def report_workers(group: int) -> list[int]:
    """The report worker processes (multiprocessing spawn) of a server's process group."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            if (
                proc.name.isdigit()
                and os.getpgid(int(proc.name)) == group
                and b"spawn_main" in (proc / "cmdline").read_bytes()
            ):
                found.append(int(proc.name))
        except (OSError, ProcessLookupError):
            pass
    return found


def test_a_build_running_when_the_server_is_killed_is_redone_after_the_restart(campaign):
    config, server = campaign
    server.set_password(PASSWORD)
    server.start()
    client = httpx.Client(base_url=server.url, follow_redirects=True, timeout=60)
    sign_in = client.get("/department/sign-in")
    client.post("/department/sign-in", data={"csrf_token": csrf_of(sign_in.text), "password": PASSWORD})
    dashboard = client.get("/department")
    assert dashboard.url.path == "/department", dashboard.text[:300]
    client.post("/department/build", data={"csrf_token": csrf_of(dashboard.text), "command": "build"})
    site = Site(config)
    wait_for(lambda: (site.builds.get(1) or {"state": ""})["state"] == "running", 60, "the build running")
    time.sleep(0.5)
    server.kill()
    assert site.builds.get(1)["state"] == "running"
    server.start()
    wait_for(lambda: site.builds.get(1)["state"] in ("done", "failed"), 300, "the build redone")
    assert site.builds.get(1)["state"] == "done", site.builds.get(1)["failures"]
    assert (config.settings.outputs / "letters" / "all-provinces.pdf").is_file()
    assert (config.settings.outputs / "package" / "02-นนทบุรี.pdf").is_file()


def test_the_icon_is_served_and_stopping_the_server_leaks_no_semaphore(campaign):
    """The tab's icon is the project's own; a server that made a report (its worker processes) stops
    cleanly: no "leaked semaphore objects" warning from multiprocessing's resource tracker."""
    config, server = campaign
    server.start()
    icon = httpx.get(f"{server.url}/favicon.ico")
    assert icon.status_code == 200 and icon.headers["content-type"] == "image/x-icon"
    assert icon.content[:4] == b"\x00\x00\x01\x00"  # an ICO file
    site = Site(config)
    token = link_of(site)
    page = httpx.get(f"{server.url}/c/{token}")
    form = complete_form(site.campaign().criteria, csrf_of(page.text))
    assert httpx.post(f"{server.url}/c/{token}", data=form, timeout=300).status_code in (200, 303)
    report = config.settings.outputs / "reports" / "02-นนทบุรี-บางบัวทอง.pdf"
    wait_for(report.is_file, 180, "the report made by a worker process")
    group = server.process.pid
    server.process.terminate()  # what systemd's stop does; the tracker reports when the server is gone
    server.process.wait(60)
    wait_for(lambda: not in_group(group), 30, "the server's helper processes (resource tracker) ended")
    log = server.log.read_text(errors="replace")
    assert "Application shutdown complete" in log
    assert "leaked" not in log and "resource_tracker" not in log, log[-2000:]


def in_group(group: int) -> list[int]:
    """The processes still in a server's process group."""
    found = []
    for proc in Path("/proc").iterdir():
        with contextlib.suppress(OSError, ValueError):
            if proc.name.isdigit() and os.getpgid(int(proc.name)) == group:
                found.append(int(proc.name))
    return found
