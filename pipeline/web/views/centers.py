"""Replacing centers.csv by an upload."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from ..access import allow, form_of, site_of
from .common import page


async def centers_page(request: Request) -> Response:
    await allow(request, "centers.view")
    return page(request, "upload.html", kind="centers", csrf=request.state.csrf, problems=[], done=None)


async def upload_centers(request: Request) -> Response:
    actor = await allow(request, "centers.replace")
    form = form_of(request)
    upload = form.get("file")
    data = await upload.read() if hasattr(upload, "read") else b""
    left_out = await run_in_threadpool(site_of(request).centers_left_out, data)
    if left_out and form.get("confirm") != "yes":  # those centers' links stop: said first, asked again
        return page(
            request,
            "upload.html",
            409,
            kind="centers",
            csrf=request.state.csrf,
            problems=[],
            done=None,
            left_out=left_out,
        )
    problems = await run_in_threadpool(site_of(request).replace_centers, data)
    if not problems:
        await run_in_threadpool(site_of(request).record, actor.name, "edit-centers", {"bytes": len(data)})
    return page(
        request,
        "upload.html",
        422 if problems else 200,
        kind="centers",
        csrf=request.state.csrf,
        problems=problems,
        done=not problems,
    )
