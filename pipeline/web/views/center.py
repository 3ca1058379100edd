"""A center's form (/c/<token>): its answers, drafts, submissions and report."""

from __future__ import annotations

from datetime import date

import anyio
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response

from ... import review
from .. import auth, forms, reviews
from ..access import Actor, allow, form_of, site_of
from .common import not_found, page, when_iso


async def center_page(request: Request) -> Response:
    actor = await allow(request, "center.view")
    return await run_in_threadpool(_view, request, actor, None, [], {})


def _view(
    request: Request,
    actor: Actor,
    fields: dict[str, str] | None,
    general: list[str],
    errors: dict[str, list[str]],
    status: int = 200,
) -> Response:
    site, center, token = site_of(request), actor.center, actor.token or ""
    assert center is not None  # allow() found it
    campaign = site.campaign()
    history = site.submissions(center)
    draft = site.draft(center)
    found = reviews.status(site, center)
    if fields is None:
        fields = draft or (forms.fields_of_answer(history[-1].answer) if history else {})
    criteria, deadline = campaign.criteria, campaign.circular.deadline
    answered = {
        "physical": sum(1 for i in criteria.physical if fields.get(f"p:{i.id}")),
        **{part.id: sum(1 for i in part.items if fields.get(f"q:{i.id}")) for part in criteria.parts},
    }
    making = bool(history) and history[-1].report == "pending"
    return page(
        request,
        "center.html",
        status,
        center=center,
        criteria=criteria,
        circular=campaign.circular,
        deadline=deadline,
        late=deadline is not None and date.today() > deadline,
        answered=answered,
        physical_answered=answered["physical"],
        ticked=sum(v for k, v in answered.items() if k != "physical"),
        items=len(criteria.physical) + len(criteria.quality),
        fields=fields,
        errors=errors,
        general=general,
        history=history,
        closed=site.closed(),
        has_draft=draft is not None,
        draft_after=draft is not None and bool(history),
        report=site.report_pdf(center) is not None,
        csrf=site.csrf.token("center:" + auth.digest(token)),
        token=token,
        saved=request.query_params.get("saved"),
        ahead=site.reports.ahead_of(history[-1].id) if making else None,
        # Just after a submit the page reloads itself until the report is there (no script needed): a
        # form being typed again later is never reloaded under the clerk's hands.
        refresh=making and request.query_params.get("saved") == "submitted",
        review=found,
        comments=found.decision.items if found.decision and found.state == review.RETURNED else {},
        when_iso=when_iso,
    )


# Centers' posts worked on at once; the others wait without a thread. In a rush every thread of the
# server's pool held a submit, and a page load waited behind hundreds of them (18 s at 878 centers);
# 24 at a time still share their disk flushes (web/commits.py): a rush of 76 acknowledged at p95 0.77-0.90 s
# with the slowest page 0.22-0.31 s (without this: 0.73-0.78 s and 0.54-0.58 s; at 16: up to 1.08 s).
POSTS_AT_ONCE = 24


def _posts(request: Request) -> anyio.CapacityLimiter:
    state = request.app.state
    if getattr(state, "posts", None) is None:  # made in the event loop, on first use
        state.posts = anyio.CapacityLimiter(POSTS_AT_ONCE)
    limiter: anyio.CapacityLimiter = state.posts
    return limiter


async def center_post(request: Request) -> Response:
    actor = await allow(request, "center.answer")
    site, center, token = site_of(request), actor.center, actor.token
    assert center is not None
    async with _posts(request):
        campaign = await run_in_threadpool(site.campaign)
        form = form_of(request)
        fields = forms.typed(form, campaign.criteria)
        if form.get("action") == "submit":
            outcome = await run_in_threadpool(site.submit, center, fields)
            if outcome.problems:
                errors, general = forms.problems_by_field(outcome.problems)
                return await run_in_threadpool(_view, request, actor, fields, general, errors, 422)
            return RedirectResponse(f"/c/{token}?saved=submitted", status_code=303)
        await run_in_threadpool(site.save_draft, center, fields)
        await run_in_threadpool(site.record, actor.name, "draft", {"center": center.slug})
        return RedirectResponse(f"/c/{token}?saved=draft#top", status_code=303)


async def center_report(request: Request) -> Response:
    actor = await allow(request, "center.report")
    assert actor.center is not None
    pdf = site_of(request).report_pdf(actor.center)
    if pdf is None:
        return not_found(request)
    return FileResponse(pdf, media_type="application/pdf", content_disposition_type="inline", filename=pdf.name)
