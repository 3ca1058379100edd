"""Builds started from the dashboard, and each build's page."""

from __future__ import annotations

import json

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from .. import jobs, words
from ..access import allow, form_of, site_of
from .common import not_found, page


async def start_build(request: Request) -> Response:
    actor = await allow(request, "builds.start")
    command = str(form_of(request).get("command") or "")
    if command not in jobs.COMMANDS:
        title, message = words.NO_COMMAND
        return page(request, "message.html", 400, title=title, message=message)
    build_id, _ = await run_in_threadpool(site_of(request).builds.start, command, actor.name)
    return RedirectResponse(f"/department/builds/{build_id}", status_code=303)


async def build_page(request: Request) -> Response:
    await allow(request, "builds.view")
    builds = site_of(request).builds
    try:
        row = builds.get(int(request.path_params["id"]))
    except ValueError:
        row = None
    if row is None:
        return not_found(request)
    done = row["state"] in ("done", "failed")
    return page(
        request,
        "build.html",
        build=row,
        outcome=builds.outcome(row["id"]) if done else None,
        failures=json.loads(row["failures"]),
        csrf=request.state.csrf,
    )
