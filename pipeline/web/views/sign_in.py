"""The department's and the provinces' accounts sign in and out."""

from __future__ import annotations

import secrets

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from .. import auth, words
from ..access import allow, form_of, site_of
from .common import page


async def sign_in_page(request: Request) -> Response:
    await allow(request, "sign-in")
    return _form(request)


def _form(request: Request, error: str = "", status: int = 200) -> Response:
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
    cookie(request, response, auth.SIGN_IN_COOKIE, bound, 3600)
    return response


def _next(value: str | None) -> str:
    return value if value and value.startswith("/department") and "//" not in value else "/department"


def cookie(request: Request, response: Response, name: str, value: str, max_age: int | None) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path="/",
        httponly=True,
        samesite="lax",
        secure=site_of(request).config.secure_cookies,
    )


async def sign_in_post(request: Request) -> Response:
    await allow(request, "sign-in")
    site, form = site_of(request), form_of(request)
    address = request.client.host if request.client else "?"
    attempt = await run_in_threadpool(auth.claim_attempt, site.db, address)  # before the slow hash
    if attempt is None:
        return _form(request, words.TOO_MANY_TRIES, 429)
    name = str(form.get("username") or "").strip()[:64]
    session = await run_in_threadpool(auth.sign_in, site.db, attempt, str(form.get("password") or ""), name)
    user = f"user:{name or auth.DEFAULT_ACCOUNT}"
    if session is None:
        await run_in_threadpool(site.record, user, "sign-in-failed", {"address": address})
        return _form(request, words.WRONG_PASSWORD, 401)
    await run_in_threadpool(site.record, user, "sign-in", {"address": address})
    response = RedirectResponse(_next(str(form.get("next") or "")), status_code=303)
    cookie(request, response, auth.SESSION_COOKIE, session, auth.SESSION_SECONDS)
    return response


async def sign_out(request: Request) -> Response:
    actor = await allow(request, "sign-out")
    await run_in_threadpool(auth.sign_out, site_of(request).db, actor.session)
    await run_in_threadpool(site_of(request).record, actor.name, "sign-out", {})
    response = RedirectResponse("/department/sign-in", status_code=303)
    response.delete_cookie(auth.SESSION_COOKIE, path="/")
    return response
