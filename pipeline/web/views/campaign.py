"""Closing the campaign to the centers, and opening it again."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ..access import allow, form_of, site_of


async def campaign_state(request: Request) -> Response:
    await allow(request, "campaign.open-close")
    await run_in_threadpool(site_of(request).set_closed, form_of(request).get("action") == "close")
    return RedirectResponse("/department", status_code=303)
