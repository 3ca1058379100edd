"""The centers' links: one re-issued, all issued anew, the printable sheet."""

from __future__ import annotations

from markupsafe import Markup
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ..access import allow, form_of, site_of
from .common import not_found, page


async def reissue_link(request: Request) -> Response:
    await allow(request, "links.issue")
    site = site_of(request)
    center = await run_in_threadpool(site.center_by_slug, request.path_params["slug"])
    if center is None:
        return not_found(request)
    link = await run_in_threadpool(site.reissue_link, center)
    response = page(request, "link.html", center=center, link=link, csrf=request.state.csrf)
    response.headers["Cache-Control"] = "no-store"
    return response


async def issue_links(request: Request) -> Response:
    await allow(request, "links.issue")
    if form_of(request).get("confirm") != "yes":  # every center's link would stop: asked for explicitly
        return RedirectResponse("/department", status_code=303)
    await run_in_threadpool(site_of(request).write_links)
    return RedirectResponse("/department/links", status_code=303)


async def link_sheet(request: Request) -> Response:
    await allow(request, "links.view")
    site = site_of(request)
    province = request.query_params.get("province", "")
    sheet = await run_in_threadpool(site.link_sheet, province)
    provinces = list(dict.fromkeys(row["province"] for row in await run_in_threadpool(site.link_sheet)))
    return page(
        request,
        "links.html",
        sheet=sheet,
        province=province,
        provinces=provinces,
        csrf=request.state.csrf,
        Markup=Markup,
    )
