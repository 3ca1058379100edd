"""What every view uses: rendering a template, the 404 and 403 pages, times as people read them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ..access import EXPIRED, Refused, sign_in_path


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


def forbidden(request: Request, message: str = EXPIRED) -> Response:
    return page(request, "message.html", 403, title="ไม่อนุญาต", message=message)


def refused(request: Request, refusal: Refused) -> Response:
    """The page for a request access.allow refused."""
    if refusal.kind == "sign-in":
        return RedirectResponse(sign_in_path(refusal.next_path), status_code=303)
    if refusal.kind == "not-found":
        return not_found(request)
    return forbidden(request, refusal.message or EXPIRED)


def when(stamp: float | None) -> str:
    if not stamp:
        return ""
    return datetime.fromtimestamp(stamp).strftime("%Y-%m-%d %H:%M")
