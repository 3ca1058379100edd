"""The web app's speed, on the real server over the loopback address (part of `make bench`).

- one submission to its checked, archived report: p50 and p95 over ``singles`` centers in turn
  (from the post to the report's row saying it is made);
- the rush: every center submitting at the same moment while another client keeps loading pages
  (a center's form and the department's dashboard, one after the other): the acknowledgements
  (p50, p95, slowest), the slowest page load from the first submit to the last report, and the
  time from the first submit to the last report made;
- the department's dashboard at ``dashboard_centers`` generated centers (in-process, warm).

    python -m pipeline.web.bench [--centers N] [--singles N] [--dashboard N]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from ..model import Criteria
from ..sample import make_inputs
from ..settings import PROJECT, Settings
from . import auth
from .site import Site, WebConfig

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
PASSWORD = "bench-password-1234"
POLL = 0.02  # s between looks at the database for a report made
THINK = 0.2  # s between two page loads of the other clerk (a tight loop would be a load test of its own)
WAIT = 3600.0  # s the bench waits for reports before it says they were not made


@dataclass
class Served:
    """The running server of a bench and what the bench reads beside it."""

    base: str
    site: Site
    criteria: Criteria
    links: list[str]  # each center's link path, /c/<token>


def web_bench(
    work: Path, *, centers: int = 76, singles: int = 10, dashboard_centers: int = 878, log: TextIO = sys.stderr
) -> dict[str, Any]:
    """The web app's figures at ``centers`` centers (singles 0 or dashboard_centers 0: left out)."""
    root = work / "campaign"
    inputs = make_inputs(root, centers=centers)
    for path in (inputs / "answers").iterdir():
        path.unlink()  # every answer comes through the web
    outputs = root / "outputs"
    config = WebConfig(Settings.from_environment(inputs, outputs), secure_cookies=False)
    site = Site(config)
    links = ["/c/" + link.url.split("/c/", 1)[1] for link in site.issue_all_links()]
    auth.set_password(site.db, PASSWORD)
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "pipeline", "serve", "--inputs", str(inputs), "--outputs", str(outputs)]
        + ["--port", str(port), "--insecure-cookies"],
        cwd=PROJECT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    served = Served(f"http://127.0.0.1:{port}", site, site.campaign().criteria, links)
    result: dict[str, Any] = {"centers": centers, "report_workers": config.report_workers}
    try:
        _wait(served.base)
        log.write("web: the first report (LibreOffice's first start is not a clerk's wait) …\n")
        _one(served, 0, "warm-up")
        if singles:
            log.write(f"web: {singles} submissions one after the other …\n")
            one = [_one(served, n, "single") for n in range(min(singles, centers))]
            result["one_submission_s"] = {"p50": _pct(one, 50), "p95": _pct(one, 95), "n": len(one)}
        log.write(f"web: {centers} centers submitting at once while pages load …\n")
        result["rush"] = rush(served)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(60)
    if dashboard_centers:
        result["dashboard"] = dashboard(work / "dashboard", dashboard_centers)
    log.write(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    return result


def _one(served: Served, n: int, version: str) -> float:
    """One center's submission, from its post to its report made (checked and archived)."""
    import httpx

    with httpx.Client(base_url=served.base, timeout=600) as client:
        form = _form(served.criteria, _csrf(client.get(served.links[n]).text), f"ผู้ประเมิน ทดสอบ{n} {version}")
        started = time.perf_counter()
        response = client.post(served.links[n], data=form)
        if response.status_code != 303:
            raise RuntimeError(f"submit {n}: {response.status_code}")
    row = served.site.db.one("SELECT max(id) AS id FROM submissions")["id"]
    deadline = time.monotonic() + WAIT
    while served.site.db.one("SELECT report FROM submissions WHERE id = ?", row)["report"] == "pending":
        if time.monotonic() > deadline:
            raise RuntimeError(f"submit {n}: its report was not made in {WAIT:.0f} s")
        time.sleep(POLL)
    return time.perf_counter() - started


def rush(served: Served) -> dict[str, Any]:
    """Every center posting at the same moment (their forms fetched before), pages loaded meanwhile."""
    import httpx

    centers = len(served.links)
    client = httpx.Client(base_url=served.base, timeout=600, limits=httpx.Limits(max_connections=centers))
    forms = [
        _form(served.criteria, _csrf(client.get(link).text), f"ผู้ประเมิน ทดสอบ{n} rush")
        for n, link in enumerate(served.links)
    ]
    before = served.site.db.one("SELECT coalesce(max(id), 0) AS id FROM submissions")["id"]
    start = threading.Barrier(centers + 1)
    done = threading.Event()
    loads: list[float] = []
    reader = threading.Thread(target=_load_pages, args=(served, done, loads), daemon=True)
    reader.start()

    def post(n: int) -> float:
        start.wait()
        started = time.perf_counter()
        response = client.post(served.links[n], data=forms[n])
        if response.status_code != 303:
            raise RuntimeError(f"submit {n}: {response.status_code}")
        return time.perf_counter() - started

    with ThreadPoolExecutor(max_workers=centers) as pool:
        futures = [pool.submit(post, n) for n in range(centers)]
        start.wait()
        first = time.perf_counter()
        acks = [f.result() for f in futures]
    deadline = time.monotonic() + WAIT
    while served.site.db.one("SELECT count(*) AS n FROM submissions WHERE id > ? AND report = 'pending'", before)["n"]:
        if time.monotonic() > deadline:
            raise RuntimeError(f"the reports of the rush were not made in {WAIT:.0f} s")
        time.sleep(POLL * 5)
    last = time.perf_counter() - first
    done.set()
    reader.join(60)
    latest = served.site.db.all("SELECT report, report_problems FROM submissions WHERE id > ?", before)
    return {
        "ack_p50_s": _pct(acks, 50),
        "ack_p95_s": _pct(acks, 95),
        "ack_max_s": round(max(acks), 3),
        "page_loads": len(loads),
        "page_p50_s": _pct(loads, 50) if loads else None,
        "page_max_s": round(max(loads), 3) if loads else None,
        "last_report_s": round(last, 2),
        "stored": len(latest),
        "reports_ok": sum(1 for r in latest if r["report"] == "ok"),
        "problems": [p for r in latest if r["report"] != "ok" for p in json.loads(r["report_problems"])][:10],
    }


def _load_pages(served: Served, done: threading.Event, loads: list[float]) -> None:
    """Another clerk: the department's dashboard and a center's form, one after the other (THINK apart),
    until the last report is made."""
    import httpx

    with httpx.Client(base_url=served.base, timeout=600) as client:
        page = client.get("/department/sign-in")
        client.post("/department/sign-in", data={"csrf_token": _csrf(page.text), "password": PASSWORD})
        pages = ["/department", served.links[-1]]
        n = 0
        while not done.is_set():
            started = time.perf_counter()
            response = client.get(pages[n % 2])
            loads.append(time.perf_counter() - started)
            if response.status_code != 200:
                raise RuntimeError(f"page {pages[n % 2]}: {response.status_code}")
            n += 1
            done.wait(THINK)


def dashboard(work: Path, centers: int, repeats: int = 7) -> dict[str, Any]:
    """The dashboard's response time at ``centers`` generated centers (each with an answer file)."""
    import warnings

    from .app import create_app

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient
    inputs = make_inputs(work, centers=centers)
    app = create_app(
        WebConfig(Settings.from_environment(inputs, work / "outputs"), secure_cookies=False), start_background=False
    )
    site = app.state.site
    auth.set_password(site.db, PASSWORD)
    with TestClient(app) as client:
        page = client.get("/department/sign-in")
        client.post("/department/sign-in", data={"csrf_token": _csrf(page.text), "password": PASSWORD})
        client.get("/department")  # reads the campaign once
        times = []
        for _ in range(repeats):
            started = time.perf_counter()
            response = client.get("/department")
            times.append(time.perf_counter() - started)
        assert response.status_code == 200 and response.text.count("data-slug=") == centers
    return {"centers": centers, "p50_ms": round(_pct(times, 50) * 1000), "max_ms": round(max(times) * 1000)}


def _form(criteria: Criteria, csrf: str, name: str) -> dict[str, str]:
    form = {
        "csrf_token": csrf,
        "action": "submit",
        "assessor_name": name,
        "assessor_position": "ปลัดอำเภอ",
        "assessed_on": "2021-02-15",
    }
    form.update({f"p:{i.id}": "มี" for i in criteria.physical})
    form.update({f"q:{i.id}": "true" for i in criteria.quality})
    return form


def _csrf(html: str) -> str:
    found = CSRF.search(html)
    if found is None:
        raise RuntimeError("no CSRF token in the page")
    return found.group(1)


def _pct(values: list[float], p: int) -> float:
    if len(values) == 1:
        return round(values[0], 3)
    return round(statistics.quantiles(values, n=100, method="inclusive")[p - 1], 3)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _wait(base: str) -> None:
    import httpx

    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            httpx.get(base + "/department/sign-in", timeout=2)
            return
        except httpx.TransportError:
            time.sleep(0.3)
    raise RuntimeError("the web server did not start")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m pipeline.web.bench")
    parser.add_argument("--centers", type=int, default=76)
    parser.add_argument("--singles", type=int, default=10)
    parser.add_argument("--dashboard", type=int, default=878)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="gecc-web-bench-") as folder:
        web_bench(Path(folder), centers=args.centers, singles=args.singles, dashboard_centers=args.dashboard)
