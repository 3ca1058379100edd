"""The centers' links: one re-issued, all issued anew (each after a page that says what stops), the printable sheet."""

from __future__ import annotations

from urllib.parse import quote

from markupsafe import Markup
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ..access import allow, form_of, site_of, visible_center
from .common import page


async def reissue_page(request: Request) -> Response:
    """What a new link for this center stops, and the button that does it."""
    actor = await allow(request, "links.reissue")
    site = site_of(request)
    center = await run_in_threadpool(visible_center, site, actor, request.path_params["slug"])
    return page(
        request,
        "link_confirm.html",
        center=center,
        printed=await run_in_threadpool(site.links_printed),
        csrf=request.state.csrf,
    )


async def reissue_link(request: Request) -> Response:
    actor = await allow(request, "links.reissue")
    site = site_of(request)
    center = await run_in_threadpool(visible_center, site, actor, request.path_params["slug"])
    if form_of(request).get("confirm") != "yes":  # the old link and its printed form would stop: asked first
        return RedirectResponse(f"/department/centers/{quote(center.slug)}/link", status_code=303)
    link, in_file = await run_in_threadpool(site.reissue_link, center)
    await run_in_threadpool(site.record, actor.name, "re-issue", {"center": center.slug})
    form = f"forms/{center.slug}.pdf"
    response = page(
        request,
        "link.html",
        center=center,
        link=link,
        in_file=in_file,
        form=form if site.output_file(form) else None,
        csrf=request.state.csrf,
    )
    response.headers["Cache-Control"] = "no-store"
    return response


async def issue_page(request: Request) -> Response:
    """What issuing every link again stops, and the button that does it."""
    await allow(request, "links.issue")
    rows = await run_in_threadpool(site_of(request).dashboard)
    return page(
        request,
        "links_confirm.html",
        centers=len(rows),
        submitted=sum(1 for r in rows if r["state"] == "submitted"),
        csrf=request.state.csrf,
    )


async def issue_links(request: Request) -> Response:
    actor = await allow(request, "links.issue")
    if form_of(request).get("confirm") != "yes":  # every center's link would stop: asked for explicitly
        return RedirectResponse("/department/links/new", status_code=303)
    await run_in_threadpool(site_of(request).write_links)
    await run_in_threadpool(site_of(request).record, actor.name, "links", {})
    return RedirectResponse("/department/links?issued=1", status_code=303)


async def link_sheet(request: Request) -> Response:
    actor = await allow(request, "links.view")
    site = site_of(request)
    province = actor.province or request.query_params.get("province", "")
    sheet = await run_in_threadpool(site.link_sheet, province)
    provinces = list(dict.fromkeys(row["province"] for row in await run_in_threadpool(site.link_sheet)))
    return page(
        request,
        "links.html",
        sheet=sheet,
        province=province,
        provinces=provinces,
        issued=request.query_params.get("issued"),
        csrf=request.state.csrf,
        Markup=Markup,
    )
