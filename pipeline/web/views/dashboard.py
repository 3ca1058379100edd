"""The department's dashboard: every center's state, the figures, the recent builds."""

from __future__ import annotations

from datetime import datetime

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ...problems import InputError
from .. import jobs, reviews, scope
from ..access import allow, site_of
from .common import page, when

STATES = reviews.LABELS
AUDIT_SHOWN = 15  # recent audit entries on the dashboard
BUILD_STATES = {"queued": "รอคิว", "running": "กำลังทำงาน", "done": "เสร็จ", "failed": "ไม่สำเร็จ"}


async def home(request: Request) -> Response:
    await allow(request, "home")
    return RedirectResponse("/department", status_code=303)


async def dashboard(request: Request) -> Response:
    actor = await allow(request, "dashboard.view")
    site = site_of(request)
    try:
        rows = await run_in_threadpool(site.dashboard)
    except InputError as error:
        if actor.province:  # the inputs are the department's to fix
            return page(request, "message.html", 503, title="ระบบยังไม่พร้อม", message="กรมการปกครองกำลังแก้ไขข้อมูลนำเข้า")
        return page(request, "inputs_wrong.html", 200, problems=error.problems, csrf=request.state.csrf)
    rows = await run_in_threadpool(reviews.with_states, site, rows)
    if actor.province:  # a province account's whole page is its province: rows, counts, bars, results
        rows = [r for r in rows if r["center"].province == actor.province]
    provinces = sorted(
        {r["center"].province for r in rows},
        key=lambda p: next(r["center"].order for r in rows if r["center"].province == p),
    )
    province, state = request.query_params.get("province", ""), request.query_params.get("state", "")
    province = actor.province or province
    shown = [
        r for r in rows if (not province or r["center"].province == province) and (not state or r["state"] == state)
    ]
    counts = {s: sum(1 for r in rows if r["state"] == s) for s in STATES}
    submitted = [r for r in rows if r["state"] in reviews.ANSWERED]
    figures = {
        "centers": len(rows),
        "basic": sum(1 for r in submitted if r["basic"]),
        "quality_items": len(site.campaign().criteria.quality),
    }
    return page(
        request,
        "dashboard.html",
        rows=shown,
        provinces=provinces,
        province=province,
        state=state,
        states=STATES,
        counts=counts,
        figures=figures,
        csrf=request.state.csrf,
        closed=site.closed(),
        builds=site.builds.recent(3) if not actor.province else [],
        commands=jobs.COMMANDS,
        build_states=BUILD_STATES,
        when=when,
        chart=await run_in_threadpool(site.national_chart, rows),
        results=await run_in_threadpool(site.results_figures, actor.province),
        entries=[
            {**vars(e), "at": when(datetime.fromisoformat(e.at).timestamp())}
            for e in scope.entries(await run_in_threadpool(site.recent_entries), actor.province, site.campaign())
        ][:AUDIT_SHOWN],
        names={c.slug: c for c in site.campaign().centers},
        queue=await run_in_threadpool(site.reports.waiting),
    )
