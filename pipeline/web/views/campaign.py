"""Closing the campaign to the centers (after a page that says who can no longer send), and opening it again."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ..access import allow, form_of, site_of
from .common import page


async def campaign_page(request: Request) -> Response:
    await allow(request, "campaign.view")
    site = site_of(request)
    rows = await run_in_threadpool(site.dashboard)
    return page(
        request,
        "campaign.html",
        closed=site.closed(),
        waiting=[r for r in rows if r["state"] != "submitted"],
        drafts=[r for r in rows if r["state"] == "draft" or r["newer_draft"]],
        centers=len(rows),
        csrf=request.state.csrf,
    )


async def campaign_state(request: Request) -> Response:
    actor = await allow(request, "campaign.open-close")
    form = form_of(request)
    close = form.get("action") == "close"
    if close and form.get("confirm") != "yes":  # closing stops every center: only from its own page
        return RedirectResponse("/department/campaign", status_code=303)
    await run_in_threadpool(site_of(request).set_closed, close)
    await run_in_threadpool(site_of(request).record, actor.name, "close" if close else "open", {})
    return RedirectResponse("/department", status_code=303)
