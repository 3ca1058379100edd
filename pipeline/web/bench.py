"""The web app's speed, on the real server over the loopback address (part of `make bench`).

- one submission to a checked report available: p50 and p95 over ``singles`` centers in turn;
- every center submitting at once (a bounded loop of concurrent posts): all stored, all reported;
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
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TextIO

from ..model import Criteria
from ..sample import make_inputs
from ..settings import PROJECT, Settings
from .site import Site, WebConfig

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def web_bench(
    work: Path, *, centers: int = 76, singles: int = 10, dashboard_centers: int = 878, log: TextIO = sys.stderr
) -> dict[str, Any]:
    import httpx

    root = work / "campaign"
    inputs = make_inputs(root, centers=centers)
    for path in (inputs / "answers").iterdir():
        path.unlink()  # every answer comes through the web
    outputs = root / "outputs"
    config = WebConfig(Settings.from_environment(inputs, outputs), secure_cookies=False)
    site = Site(config)
    links = site.issue_all_links()
    criteria = site.campaign().criteria
    port = _free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "pipeline",
            "serve",
            "--inputs",
            str(inputs),
            "--outputs",
            str(outputs),
            "--port",
            str(port),
            "--insecure-cookies",
        ],
        cwd=PROJECT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait(base)
        client = httpx.Client(timeout=600, limits=httpx.Limits(max_connections=centers))

        def submit(n: int, url: str, version: int) -> float:
            path = url.split("/c/", 1)[1]
            page = client.get(f"{base}/c/{path}")
            form = _form(criteria, _csrf(page.text), f"ผู้ประเมิน ทดสอบ{n} ฉบับ{version}")
            started = time.perf_counter()
            response = client.post(f"{base}/c/{path}", data=form)
            if response.status_code != 303:
                raise RuntimeError(f"submit {n}: {response.status_code}")
            return time.perf_counter() - started

        log.write(f"web: {singles} submissions one after the other …\n")
        submit(0, links[0][1], 0)  # LibreOffice's first start is not a clerk's wait
        one = [submit(n, url, 1) for n, (_, url) in enumerate(links[:singles])]
        log.write(f"web: {centers} centers submitting at once …\n")
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=centers) as pool:
            together = list(pool.map(lambda item: submit(item[0], item[1][1], 2), enumerate(links)))
        wall = time.perf_counter() - started
        rows = site.db.all("SELECT report FROM submissions")
        latest = site.db.all(
            "SELECT s.report, s.report_problems FROM submissions s JOIN (SELECT max(id) AS id "
            "FROM submissions GROUP BY province, center) n ON n.id = s.id"
        )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(60)
    result = {
        "centers": centers,
        "one_submission_s": {"p50": _pct(one, 50), "p95": _pct(one, 95), "n": len(one)},
        "all_at_once": {
            "wall_s": round(wall, 2),
            "p50_s": _pct(together, 50),
            "p95_s": _pct(together, 95),
            "stored": len(rows),
            "expected": 1 + singles + centers,
            "reports_ok": sum(1 for r in latest if r["report"] == "ok"),
            "of": len(latest),
            "problems": [p for r in latest if r["report"] != "ok" for p in json.loads(r["report_problems"])],
        },
        "dashboard": dashboard(work / "dashboard", dashboard_centers),
    }
    log.write(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    return result


def dashboard(work: Path, centers: int, repeats: int = 7) -> dict[str, Any]:
    """The dashboard's response time at ``centers`` generated centers (each with an answer file)."""
    import warnings

    from . import auth
    from .app import create_app

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient
    inputs = make_inputs(work, centers=centers)
    app = create_app(
        WebConfig(Settings.from_environment(inputs, work / "outputs"), secure_cookies=False), start_background=False
    )
    site = app.state.site
    password = "bench-password-1234"
    auth.set_password(site.db, password)
    with TestClient(app) as client:
        page = client.get("/department/sign-in")
        client.post("/department/sign-in", data={"csrf_token": _csrf(page.text), "password": password})
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
