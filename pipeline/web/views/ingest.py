"""Filled PDF forms uploaded by the department, read into answer files."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from ..access import allow, form_of, site_of
from .common import page


async def ingest_page(request: Request) -> Response:
    await allow(request, "ingest.view")
    return page(request, "upload.html", kind="ingest", csrf=request.state.csrf, problems=[], done=None)


async def upload_ingest(request: Request) -> Response:
    actor = await allow(request, "ingest.upload")
    uploads = [(f.filename or "", await f.read()) for f in form_of(request).getlist("files") if hasattr(f, "read")]
    written, problems = await run_in_threadpool(site_of(request).ingest, uploads)
    if written:
        detail = {"files": [name for name, _ in uploads], "written": [p.name for p in written]}
        await run_in_threadpool(site_of(request).record, actor.name, "ingest", detail)
    return page(
        request,
        "upload.html",
        422 if problems and not written else 200,
        kind="ingest",
        csrf=request.state.csrf,
        problems=problems,
        done=written,
    )
