"""Builds started from the dashboard, and each build's page."""

from __future__ import annotations

import json

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from .. import jobs
from ..access import allow, form_of, site_of
from .common import not_found, page, when


async def start_build(request: Request) -> Response:
    await allow(request, "builds.start")
    command = str(form_of(request).get("command") or "")
    if command not in jobs.COMMANDS:
        return page(request, "message.html", 400, title="คำสั่งไม่ถูกต้อง", message="ไม่มีคำสั่งนี้")
    build_id, _ = await run_in_threadpool(site_of(request).builds.start, command)
    return RedirectResponse(f"/department/builds/{build_id}", status_code=303)


async def build_page(request: Request) -> Response:
    await allow(request, "builds.view")
    try:
        row = site_of(request).builds.get(int(request.path_params["id"]))
    except ValueError:
        row = None
    if row is None:
        return not_found(request)
    return page(
        request,
        "build.html",
        build=row,
        failures=json.loads(row["failures"]),
        commands=jobs.COMMANDS,
        when=when,
        csrf=request.state.csrf,
    )
