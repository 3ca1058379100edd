"""The circular's fields, edited on a page."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from ... import edits
from ..access import allow, form_of, site_of
from .common import page


async def circular_page(request: Request) -> Response:
    await allow(request, "circular.view")
    values = await run_in_threadpool(edits.circular_values, site_of(request).settings.inputs)
    return page(
        request,
        "circular.html",
        values=values,
        labels=edits.CIRCULAR_FIELDS,
        problems=[],
        csrf=request.state.csrf,
        done=False,
    )


async def circular_post(request: Request) -> Response:
    actor = await allow(request, "circular.edit")
    site, form = site_of(request), form_of(request)
    changes = {key: str(form.get(key) or "") for key in edits.CIRCULAR_FIELDS if key in form}
    problems = await run_in_threadpool(site.edit_circular, changes)
    if not problems:
        await run_in_threadpool(site.record, actor.name, "edit-circular", {"fields": changes})
    values = await run_in_threadpool(edits.circular_values, site.settings.inputs)
    if problems:
        values.update(changes)
    return page(
        request,
        "circular.html",
        422 if problems else 200,
        values=values,
        labels=edits.CIRCULAR_FIELDS,
        problems=problems,
        csrf=request.state.csrf,
        done=not problems,
    )
