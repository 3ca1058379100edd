"""The department's dashboard: every center's state, the figures, the recent builds."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ...problems import InputError
from ..access import allow, site_of
from .common import page


async def home(request: Request) -> Response:
    await allow(request, "home")
    return RedirectResponse("/department", status_code=303)


async def dashboard(request: Request) -> Response:
    await allow(request, "dashboard.view")
    site = site_of(request)
    province, state = request.query_params.get("province", ""), request.query_params.get("state", "")
    try:
        figures = await run_in_threadpool(site.figures, province)
    except InputError as error:
        return page(request, "inputs_wrong.html", 200, problems=error.problems, csrf=request.state.csrf)
    return page(
        request,
        "dashboard.html",
        f=figures,
        rows=[r for r in figures.rows if not state or r["state"] == state],
        province=province,
        state=state,
        csrf=request.state.csrf,
        closed=site.closed(),
        builds=site.builds.recent(3),
    )
