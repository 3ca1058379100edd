"""The department's dashboard: every center's state, the figures, the recent builds and log entries."""

from __future__ import annotations

from datetime import datetime

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ...problems import InputError
from .. import reviews, scope, words
from ..access import allow, site_of
from ..figures import Rows
from .common import page, when

AUDIT_SHOWN = 15  # recent audit entries on the dashboard


async def home(request: Request) -> Response:
    await allow(request, "home")
    return RedirectResponse("/department", status_code=303)


async def dashboard(request: Request) -> Response:
    actor = await allow(request, "dashboard.view")
    site = site_of(request)
    # a province account's whole page is its province: rows, counts, bars, results
    province = actor.province or request.query_params.get("province", "")
    state = request.query_params.get("state", "")

    def states(rows: Rows) -> Rows:
        return reviews.with_states(site, rows)

    try:
        figures = await run_in_threadpool(site.figures, province, states)
    except InputError as error:
        if actor.province:  # the inputs are the department's to fix
            title, message = words.INPUTS_WRONG
            return page(request, "message.html", 503, title=title, message=message)
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
        builds=site.builds.recent(3) if not actor.province else [],
        entries=[
            {**vars(e), "at": when(datetime.fromisoformat(e.at).timestamp())}
            for e in scope.entries(await run_in_threadpool(site.recent_entries), actor.province, site.campaign())
        ][:AUDIT_SHOWN],
        names={c.slug: c for c in site.campaign().centers},
        queue=await run_in_threadpool(site.reports.waiting),
    )
