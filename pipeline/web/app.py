"""The Starlette application: routes, templates, limits and security headers."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import re
import sqlite3
import threading
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..load import yamlfile
from ..problems import InputError
from ..thai import FILTERS, thai_digits, thai_text
from . import slow, words
from .access import Refused
from .site import Site, WebConfig
from .views import builds, campaign, center, centers, circular, dashboard, files, ingest, links, review, sign_in
from .views.common import not_found, page, refused

HERE = Path(__file__).parent
HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),  # a center's link never leaves in a Referer
    (
        b"content-security-policy",
        b"default-src 'self'; img-src 'self' data:; style-src 'self'; "
        b"script-src 'self'; frame-ancestors 'none'; form-action 'self'",
    ),
    (b"cache-control", b"no-store"),
]


class Limits:
    """Refuses a request body over ``max_bytes`` (413) before any handler reads it; adds security headers."""

    def __init__(self, app: ASGIApp, max_bytes: int):
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_bytes):
            return await _plain(send, 413, "คำขอใหญ่เกินกำหนด (request too large)")
        seen, whole = 0, False
        started = time.monotonic()

        async def limited_receive() -> Message:
            """The next part of the body: within its size limit, and at a pace (slow.py), else 413 / 408."""
            nonlocal seen, whole
            if whole:  # after the body only a disconnect comes, and a download may wait for it long
                return await receive()
            try:
                message = await asyncio.wait_for(receive(), slow.BODY_IDLE_SECONDS)
            except TimeoutError:
                raise TooSlow() from None
            whole = message["type"] != "http.request" or not message.get("more_body")
            seen += len(message.get("body", b""))
            if seen > self.max_bytes:
                raise TooLarge()
            elapsed = time.monotonic() - started
            if message.get("more_body") and elapsed > slow.BODY_GRACE_SECONDS and seen < slow.BODY_MIN_RATE * elapsed:
                raise TooSlow()
            return message

        static = scope["path"].startswith("/static/")  # the stylesheet may be cached; pages never

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [
                    h for h in HEADERS if h[0] not in names and not (static and h[0] == b"cache-control")
                ]
            await send(message)

        try:
            await self.app(scope, limited_receive, with_headers)
        except TooLarge:
            await _plain(send, 413, "คำขอใหญ่เกินกำหนด (request too large)")
        except TooSlow:
            await _plain(send, 408, "ส่งข้อมูลช้าเกินไป โปรดลองใหม่ (request timeout)")


class TooLarge(Exception):
    pass


class TooSlow(Exception):
    pass


async def _plain(send: Send, status: int, text: str) -> None:
    body = text.encode("utf-8")
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})


class RedactTokens(logging.Filter):
    """Access logs keep the path but never a center's token."""

    PATTERN = re.compile(r"/c/[^/\s\"?]+")

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args:
            record.args = tuple(self.PATTERN.sub("/c/…", a) if isinstance(a, str) else a for a in record.args)
        if isinstance(record.msg, str):
            record.msg = self.PATTERN.sub("/c/…", record.msg)
        return True


async def favicon(request: Request) -> Response:
    """The tab's icon (static/favicon.ico, in the project: no outside asset); browsers ask for it unprompted."""
    return FileResponse(HERE / "static" / "favicon.ico", media_type="image/x-icon", headers=ICON_CACHE)


ICON_CACHE = {"Cache-Control": "public, max-age=86400"}


def _warm_then_redo(site: Site) -> None:
    with contextlib.suppress(Exception):  # wrong inputs: the department's page says so
        site.campaign()
    site.redo_pending()


def create_app(config: WebConfig, start_background: bool = True) -> Starlette:
    # The server reads the answer files again and again while it runs; a command that makes a Site
    # (gecc links, the benchmark) reads them once and forks workers that must not carry them.
    yamlfile.keep_parsed()
    site = Site(config)
    env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(default=True))
    env.filters.update(FILTERS)
    env.filters["thai"] = thai_digits  # a number
    env.filters["thai_text"] = thai_text  # a message: Thai digits where it is Thai, a path keeps its own
    env.filters["when"] = words.when
    env.filters["rule"] = words.rule
    env.globals["words"] = words
    for name in env.list_templates(extensions=["html"]):  # compiled now: not by a clerk's first page in a rush
        env.get_template(name)
    templates = Jinja2Templates(env=env)

    routes = [
        Route("/", dashboard.home),
        Route("/c/{token}", center.center_page, methods=["GET"]),
        Route("/c/{token}", center.center_post, methods=["POST"]),
        Route("/c/{token}/report.pdf", center.center_report),
        Route("/department/sign-in", sign_in.sign_in_page, methods=["GET"]),
        Route("/department/sign-in", sign_in.sign_in_post, methods=["POST"]),
        Route("/department/sign-out", sign_in.sign_out, methods=["POST"]),
        Route("/department", dashboard.dashboard),
        Route("/department/build", builds.start_build, methods=["POST"]),
        Route("/department/builds/{id}", builds.build_page),
        Route("/department/centers/{slug}/link", links.reissue_page, methods=["GET"]),
        Route("/department/centers/{slug}/link", links.reissue_link, methods=["POST"]),
        Route("/department/links/new", links.issue_page, methods=["GET"]),
        Route("/department/links", links.issue_links, methods=["POST"]),
        Route("/department/links", links.link_sheet, methods=["GET"]),
        Route("/department/campaign", campaign.campaign_page, methods=["GET"]),
        Route("/department/campaign", campaign.campaign_state, methods=["POST"]),
        Route("/department/centers", centers.centers_page, methods=["GET"]),
        Route("/department/centers", centers.upload_centers, methods=["POST"]),
        Route("/department/centers/{slug}", review.center_detail, methods=["GET"]),
        Route("/department/centers/{slug}/review", review.review_post, methods=["POST"]),
        Route("/department/ingest", ingest.ingest_page, methods=["GET"]),
        Route("/department/ingest", ingest.upload_ingest, methods=["POST"]),
        Route("/department/circular", circular.circular_page, methods=["GET"]),
        Route("/department/circular", circular.circular_post, methods=["POST"]),
        Route("/department/files", files.files_page),
        Route("/department/files.zip", files.files_zip),
        Route("/department/files/{path:path}", files.download),
        Route("/department/archive.zip", files.archive_zip),
        Route("/favicon.ico", favicon),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        site.close()  # the report workers

    async def inputs_wrong(request: Request, error: Exception) -> Response:
        title, message = words.INPUTS_WRONG
        return page(request, "message.html", 503, title=title, message=message)

    async def http_error(request: Request, error: Exception) -> Response:
        status = getattr(error, "status_code", 500)
        if status == 404:
            return not_found(request)
        return page(request, "message.html", status, title=words.CANNOT, message=f"รหัส {thai_digits(status)}")

    async def server_error(request: Request, error: Exception) -> Response:
        title, message = words.SERVER_ERROR
        return page(request, "message.html", 500, title=title, message=message)

    async def storage_error(request: Request, error: Exception) -> Response:
        """The database or a file could not be read or written: most often a full disk. Said in Thai,
        logged in one line (no traceback: it is no bug), and the server goes on."""
        logging.getLogger("uvicorn.error").warning("storage: %s %s: %s", request.method, request.url.path, error)
        full = isinstance(error, OSError) and error.errno in (errno.ENOSPC, errno.EDQUOT)
        full = full or "full" in str(error) or "disk I/O" in str(error)
        title, message = words.DISK_FULL if full else words.STORAGE_ERROR
        return page(request, "message.html", 503, title=title, message=message)

    async def refusal(request: Request, error: Exception) -> Response:
        assert isinstance(error, Refused)
        return refused(request, error)

    app = Starlette(
        routes=routes,
        middleware=[Middleware(Limits, max_bytes=config.max_upload)],
        lifespan=lifespan,
        exception_handlers={
            Refused: refusal,
            InputError: inputs_wrong,
            HTTPException: http_error,
            sqlite3.OperationalError: storage_error,
            OSError: storage_error,
            500: server_error,
        },
    )
    app.state.site = site
    app.state.templates = templates
    if start_background:
        site.builds.resume()
        site.start_workers()  # the report queue: what a killed server left queued goes on
        # Read the campaign (seconds at 878 answer files) before the first page asks, then finish
        # what a killed server left.
        threading.Thread(target=_warm_then_redo, args=(site,), name="gecc-redo", daemon=True).start()
    return app
