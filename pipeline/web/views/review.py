"""A center as the department or its province sees it: its answers, versions and reports, and the review
(accept, or return for correction with a comment per item). POST /department/centers/<slug>/review takes
csrf_token, decision = accept | return, comment, and comment:<ID> per item (the IDs of notes:<ID>)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ... import archive, review
from ..access import Actor, Refused, allow, form_of, site_of, visible_center
from ..reviews import LABELS, current_answer, decide, status
from .common import page, when, when_iso


async def center_detail(request: Request) -> Response:
    actor = await allow(request, "center.detail")
    center = await run_in_threadpool(visible_center, site_of(request), actor, request.path_params["slug"])
    return await run_in_threadpool(_view, request, actor, center.slug, {}, "", 200)


def _view(request: Request, actor: Actor, slug: str, typed: dict[str, Any], error: str, code: int) -> Response:
    site = site_of(request)
    center = visible_center(site, actor, slug)
    answer, submission = current_answer(site, center)
    found = status(site, center)
    outputs = site.settings.outputs
    report = f"reports/{center.slug}.pdf" if (outputs / "reports" / f"{center.slug}.pdf").is_file() else ""
    return page(
        request,
        "center_review.html",
        code,
        center=center,
        criteria=site.campaign().criteria,
        answer=answer,
        submission=submission,
        history=site.submissions(center),
        review=found,
        labels=LABELS,
        decisions=list(reversed(review.history(outputs, center.slug))),
        finals=archive.final_versions(outputs / "archive", center.slug),
        report=report,
        typed=typed,
        error=error,
        csrf=request.state.csrf,
        may_accept=actor.account is not None and actor.account.department,
        reviewed=request.query_params.get("reviewed", ""),
        when=when,
        when_iso=when_iso,
        quote=quote,
    )


async def review_post(request: Request) -> Response:
    actor = await allow(request, "center.review")
    site, form = site_of(request), form_of(request)
    center = await run_in_threadpool(visible_center, site, actor, request.path_params["slug"])
    decision = str(form.get("decision") or "")
    if decision == review.ACCEPT and not (actor.account and actor.account.department):
        raise Refused("forbidden", "การตรวจรับเป็นของกรมการปกครอง จังหวัดส่งกลับแก้ไขได้เท่านั้น")
    try:
        await run_in_threadpool(decide, site, actor.name, center, decision, form)
    except review.ReviewError as error:
        typed = {k: str(v) for k, v in form.items() if k == "comment" or k.startswith("comment:")}
        return await run_in_threadpool(_view, request, actor, center.slug, typed, str(error), 422)
    return RedirectResponse(f"/department/centers/{quote(center.slug)}?reviewed={decision}", status_code=303)
