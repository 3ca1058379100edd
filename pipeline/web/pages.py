"""One handler per page. Each parses its request, asks the Site (site.py), renders a template.

No validation, document logic or file writing here: that is the core's (pipeline.service)
and the Site's.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any
from urllib.parse import quote, urlencode

from markupsafe import Markup
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response

from ..model import Center
from ..problems import InputError
from . import auth, edits, forms, jobs
from .site import Site

STATES = {"not started": "ยังไม่เริ่ม", "draft": "ร่าง", "submitted": "ส่งแล้ว"}
BUILD_STATES = {"queued": "รอคิว", "running": "กำลังทำงาน", "done": "เสร็จ", "failed": "ไม่สำเร็จ"}
FORM_LIMITS = {"max_files": 0, "max_fields": 1000, "max_part_size": 64 * 1024}
UPLOAD_LIMITS = {"max_files": 200, "max_fields": 20, "max_part_size": 20 * 2**20}


def site_of(request: Request) -> Site:
    site: Site = request.app.state.site
    return site


def page(request: Request, name: str, status: int = 200, **context: Any) -> Response:
    response: Response = request.app.state.templates.TemplateResponse(request, name, context, status_code=status)
    return response


def not_found(request: Request) -> Response:
    return page(
        request,
        "message.html",
        404,
        title="ไม่พบหน้านี้",
        message="ลิงก์นี้ไม่ถูกต้องหรือถูกยกเลิกแล้ว โปรดติดต่อกรมการปกครองเพื่อขอลิงก์ใหม่",
    )


def forbidden(request: Request, message: str = "แบบฟอร์มหมดอายุหรือไม่ถูกต้อง โปรดเปิดหน้าเดิมแล้วส่งใหม่") -> Response:
    return page(request, "message.html", 403, title="ไม่อนุญาต", message=message)


# --- a center's form -----------------------------------------------------------------------


async def center_page(request: Request) -> Response:
    site, token = site_of(request), request.path_params["token"]
    center = await run_in_threadpool(site.center_of_token, token)
    if center is None:
        return not_found(request)
    return await run_in_threadpool(_center_view, request, site, token, center, None, [], {})


def _center_view(
    request: Request,
    site: Site,
    token: str,
    center: Center,
    fields: dict[str, str] | None,
    general: list[str],
    errors: dict[str, list[str]],
    status: int = 200,
) -> Response:
    campaign = site.campaign()
    history = site.submissions(center)
    if fields is None:
        fields = site.draft(center) or (forms.fields_of_answer(history[-1].answer) if history else {})
    making = bool(history) and history[-1].report == "pending"
    return page(
        request,
        "center.html",
        status,
        center=center,
        criteria=campaign.criteria,
        fields=fields,
        errors=errors,
        general=general,
        history=history,
        closed=site.closed(),
        has_draft=site.draft(center) is not None,
        report=site.report_pdf(center) is not None,
        csrf=site.csrf.token("center:" + auth.digest(token)),
        token=token,
        saved=request.query_params.get("saved"),
        when=_when,
        ahead=site.reports.ahead_of(history[-1].id) if making else None,
        # Just after a submit the page reloads itself until the report is there (no script): a form being
        # typed again later is never reloaded under the clerk's hands.
        refresh=making and request.query_params.get("saved") == "submitted",
    )


async def center_post(request: Request) -> Response:
    site, token = site_of(request), request.path_params["token"]
    center = await run_in_threadpool(site.center_of_token, token)
    if center is None:
        return not_found(request)
    form = await request.form(
        max_files=0, max_fields=FORM_LIMITS["max_fields"], max_part_size=FORM_LIMITS["max_part_size"]
    )
    if not site.csrf.valid("center:" + auth.digest(token), form.get("csrf_token")):
        return forbidden(request)
    if site.closed():
        return forbidden(request, "กรมการปกครองปิดรับแบบประเมินแล้ว แก้ไขหรือส่งใหม่ไม่ได้")
    campaign = await run_in_threadpool(site.campaign)
    fields = forms.typed(form, campaign.criteria)
    if form.get("action") == "submit":
        outcome = await run_in_threadpool(site.submit, center, fields)
        if outcome.problems:
            errors, general = forms.problems_by_field(outcome.problems)
            return await run_in_threadpool(_center_view, request, site, token, center, fields, general, errors, 422)
        return RedirectResponse(f"/c/{token}?saved=submitted", status_code=303)
    await run_in_threadpool(site.save_draft, center, fields)
    return RedirectResponse(f"/c/{token}?saved=draft#top", status_code=303)


async def center_report(request: Request) -> Response:
    site, token = site_of(request), request.path_params["token"]
    center = await run_in_threadpool(site.center_of_token, token)
    pdf = site.report_pdf(center) if center else None
    if pdf is None:
        return not_found(request)
    return FileResponse(pdf, media_type="application/pdf", content_disposition_type="inline", filename=pdf.name)


# --- the department: signing in --------------------------------------------------------------


def session_of(request: Request) -> str | None:
    session = request.cookies.get(auth.SESSION_COOKIE)
    return session if auth.session_valid(site_of(request).db, session) else None


def to_sign_in(request: Request) -> Response:
    return RedirectResponse("/department/sign-in?" + urlencode({"next": request.url.path}), status_code=303)


def _cookie(request: Request, response: Response, name: str, value: str, max_age: int | None) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path="/",
        httponly=True,
        samesite="lax",
        secure=site_of(request).config.secure_cookies,
    )


async def sign_in_page(request: Request, error: str = "", status: int = 200) -> Response:
    site = site_of(request)
    bound = request.cookies.get(auth.SIGN_IN_COOKIE) or secrets.token_urlsafe(32)
    response = page(
        request,
        "sign_in.html",
        status,
        error=error,
        has_password=auth.has_password(site.db),
        csrf=site.csrf.token("sign-in:" + bound),
        next=_next(request.query_params.get("next")),
    )
    _cookie(request, response, auth.SIGN_IN_COOKIE, bound, 3600)
    return response


def _next(value: str | None) -> str:
    return value if value and value.startswith("/department") and "//" not in value else "/department"


async def sign_in_post(request: Request) -> Response:
    site = site_of(request)
    form = await request.form(
        max_files=0, max_fields=FORM_LIMITS["max_fields"], max_part_size=FORM_LIMITS["max_part_size"]
    )
    bound = request.cookies.get(auth.SIGN_IN_COOKIE)
    if not site.csrf.valid("sign-in:" + bound if bound else None, form.get("csrf_token")):
        return forbidden(request)
    address = request.client.host if request.client else "?"
    if not await run_in_threadpool(auth.sign_in_allowed, site.db, address):
        return await sign_in_page(request, "ลองเข้าสู่ระบบผิดหลายครั้งเกินไป โปรดรอ 15 นาทีแล้วลองใหม่", 429)
    session = await run_in_threadpool(auth.sign_in, site.db, address, str(form.get("password") or ""))
    if session is None:
        return await sign_in_page(request, "รหัสผ่านไม่ถูกต้อง", 401)
    response = RedirectResponse(_next(str(form.get("next") or "")), status_code=303)
    _cookie(request, response, auth.SESSION_COOKIE, session, auth.SESSION_SECONDS)
    return response


Handler = Callable[[Request], Awaitable[Response]]


def department(handler: Handler) -> Handler:
    """The page needs a session (else: to sign-in); a POST also the session's CSRF token (else 403)."""

    async def wrapped(request: Request) -> Response:
        session = await run_in_threadpool(session_of, request)
        if session is None:
            return to_sign_in(request)
        request.state.csrf = site_of(request).csrf.token("session:" + session)
        request.state.session = session
        if request.method == "POST":
            limits = UPLOAD_LIMITS if handler.__name__.startswith("upload") else FORM_LIMITS
            request.state.form = await request.form(
                max_files=limits["max_files"], max_fields=limits["max_fields"], max_part_size=limits["max_part_size"]
            )
            if not site_of(request).csrf.valid("session:" + session, request.state.form.get("csrf_token")):
                return forbidden(request)
        return await handler(request)

    wrapped.__name__ = handler.__name__
    return wrapped


@department
async def sign_out(request: Request) -> Response:
    await run_in_threadpool(auth.sign_out, site_of(request).db, request.state.session)
    response = RedirectResponse("/department/sign-in", status_code=303)
    response.delete_cookie(auth.SESSION_COOKIE, path="/")
    return response


# --- the department: the dashboard and its actions ---------------------------------------------


@department
async def dashboard(request: Request) -> Response:
    site = site_of(request)
    try:
        rows = await run_in_threadpool(site.dashboard)
    except InputError as error:
        return page(request, "inputs_wrong.html", 200, problems=error.problems, csrf=request.state.csrf)
    provinces = sorted(
        {r["center"].province for r in rows},
        key=lambda p: next(r["center"].order for r in rows if r["center"].province == p),
    )
    province, state = request.query_params.get("province", ""), request.query_params.get("state", "")
    shown = [
        r for r in rows if (not province or r["center"].province == province) and (not state or r["state"] == state)
    ]
    counts = {s: sum(1 for r in rows if r["state"] == s) for s in STATES}
    submitted = [r for r in rows if r["state"] == "submitted"]
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
        builds=site.builds.recent(3),
        commands=jobs.COMMANDS,
        build_states=BUILD_STATES,
        when=_when,
        chart=await run_in_threadpool(site.national_chart, rows),
        results=await run_in_threadpool(site.results_figures),
        queue=await run_in_threadpool(site.reports.waiting),
    )


@department
async def start_build(request: Request) -> Response:
    site = site_of(request)
    command = str(request.state.form.get("command") or "")
    if command not in jobs.COMMANDS:
        return page(request, "message.html", 400, title="คำสั่งไม่ถูกต้อง", message="ไม่มีคำสั่งนี้")
    build_id, _ = await run_in_threadpool(site.builds.start, command)
    return RedirectResponse(f"/department/builds/{build_id}", status_code=303)


@department
async def build_page(request: Request) -> Response:
    site = site_of(request)
    try:
        row = site.builds.get(int(request.path_params["id"]))
    except ValueError:
        row = None
    if row is None:
        return not_found(request)
    import json

    return page(
        request,
        "build.html",
        build=row,
        failures=json.loads(row["failures"]),
        commands=jobs.COMMANDS,
        when=_when,
        csrf=request.state.csrf,
    )


@department
async def reissue_link(request: Request) -> Response:
    site = site_of(request)
    center = await run_in_threadpool(site.center_by_slug, request.path_params["slug"])
    if center is None:
        return not_found(request)
    link = await run_in_threadpool(site.reissue_link, center)
    response = page(request, "link.html", center=center, link=link, csrf=request.state.csrf)
    response.headers["Cache-Control"] = "no-store"
    return response


@department
async def issue_links(request: Request) -> Response:
    site = site_of(request)
    if request.state.form.get("confirm") != "yes":  # every center's link would stop: asked for explicitly
        return RedirectResponse("/department", status_code=303)
    await run_in_threadpool(site.write_links)
    return RedirectResponse("/department/links", status_code=303)


@department
async def link_sheet(request: Request) -> Response:
    site = site_of(request)
    province = request.query_params.get("province", "")
    sheet = await run_in_threadpool(site.link_sheet, province)
    provinces = list(dict.fromkeys(row["province"] for row in await run_in_threadpool(site.link_sheet)))
    response = page(
        request,
        "links.html",
        sheet=sheet,
        province=province,
        provinces=provinces,
        csrf=request.state.csrf,
        Markup=Markup,
    )
    return response


@department
async def campaign_state(request: Request) -> Response:
    site = site_of(request)
    await run_in_threadpool(site.set_closed, request.state.form.get("action") == "close")
    return RedirectResponse("/department", status_code=303)


@department
async def centers_page(request: Request) -> Response:
    return page(request, "upload.html", kind="centers", csrf=request.state.csrf, problems=[], done=None)


@department
async def upload_centers(request: Request) -> Response:
    site = site_of(request)
    upload = request.state.form.get("file")
    data = await upload.read() if hasattr(upload, "read") else b""
    problems = await run_in_threadpool(site.replace_centers, data)
    return page(
        request,
        "upload.html",
        422 if problems else 200,
        kind="centers",
        csrf=request.state.csrf,
        problems=problems,
        done=not problems,
    )


@department
async def ingest_page(request: Request) -> Response:
    return page(request, "upload.html", kind="ingest", csrf=request.state.csrf, problems=[], done=None)


@department
async def upload_ingest(request: Request) -> Response:
    site = site_of(request)
    uploads = [(f.filename or "", await f.read()) for f in request.state.form.getlist("files") if hasattr(f, "read")]
    written, problems = await run_in_threadpool(site.ingest, uploads)
    return page(
        request,
        "upload.html",
        422 if problems and not written else 200,
        kind="ingest",
        csrf=request.state.csrf,
        problems=problems,
        done=written,
    )


@department
async def circular_page(request: Request) -> Response:
    site = site_of(request)
    values = await run_in_threadpool(edits.circular_values, site.settings.inputs)
    return page(
        request,
        "circular.html",
        values=values,
        labels=edits.CIRCULAR_FIELDS,
        problems=[],
        csrf=request.state.csrf,
        done=False,
    )


@department
async def circular_post(request: Request) -> Response:
    site = site_of(request)
    form = request.state.form
    changes = {key: str(form.get(key) or "") for key in edits.CIRCULAR_FIELDS if key in form}
    problems = await run_in_threadpool(site.edit_circular, changes)
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


# --- the department: downloads -----------------------------------------------------------------


@department
async def files_page(request: Request) -> Response:
    site = site_of(request)
    groups, checks = await run_in_threadpool(site.catalog)
    return page(
        request,
        "files.html",
        groups=groups,
        checks=checks,
        quote=quote,
        csrf=request.state.csrf,
        written=request.query_params.get("written"),
    )


@department
async def download(request: Request) -> Response:
    site = site_of(request)
    path = site.output_file(request.path_params["path"])
    if path is None:
        return not_found(request)
    inline = path.suffix.lower() == ".pdf"
    return FileResponse(path, filename=path.name, content_disposition_type="inline" if inline else "attachment")


@department
async def archive_zip(request: Request) -> Response:
    site = site_of(request)
    path = await run_in_threadpool(site.archive_zip)
    stamp = datetime.now().strftime("%Y%m%d-%H%M")
    return FileResponse(
        path,
        media_type="application/zip",
        filename=f"archive-{stamp}.zip",
        background=BackgroundTask(path.unlink, missing_ok=True),
    )


def _when(stamp: float | None) -> str:
    if not stamp:
        return ""
    return datetime.fromtimestamp(stamp).strftime("%Y-%m-%d %H:%M")


async def home(request: Request) -> Response:
    return RedirectResponse("/department", status_code=303)
