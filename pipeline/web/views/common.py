"""What every view uses: rendering a template, the 404 and 403 pages, times as people read them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from .. import words
from ..access import EXPIRED, Refused, sign_in_path


def page(request: Request, name: str, status: int = 200, **context: Any) -> Response:
    actor = getattr(request.state, "actor", None)
    context.setdefault("account", getattr(actor, "account", None))  # the signed-in account, for the menu
    response: Response = request.app.state.templates.TemplateResponse(request, name, context, status_code=status)
    return response


def not_found(request: Request) -> Response:
    title, message = words.NOT_FOUND
    return page(request, "message.html", 404, title=title, message=message)


def forbidden(request: Request, message: str = EXPIRED) -> Response:
    return page(request, "message.html", 403, title=words.FORBIDDEN, message=message)


def refused(request: Request, refusal: Refused) -> Response:
    """The page for a request access.allow refused."""
    if refusal.kind == "sign-in":
        return RedirectResponse(sign_in_path(refusal.next_path), status_code=303)
    if refusal.kind == "not-found":
        return not_found(request)
    return forbidden(request, refusal.message or EXPIRED)


when = words.when


def when_iso(text: str) -> str:
    """An ISO time (the audit log's) as people read it."""
    try:
        return when(datetime.fromisoformat(text).timestamp())
    except ValueError:
        return text
