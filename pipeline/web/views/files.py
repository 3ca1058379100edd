"""The department's downloads: the documents under outputs/ and the archive as a zip."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import quote

from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, Response

from ..access import allow, site_of
from .common import not_found, page


async def files_page(request: Request) -> Response:
    await allow(request, "files.view")
    groups, checks = await run_in_threadpool(site_of(request).catalog)
    return page(
        request,
        "files.html",
        groups=groups,
        checks=checks,
        quote=quote,
        csrf=request.state.csrf,
        written=request.query_params.get("written"),
    )


async def download(request: Request) -> Response:
    await allow(request, "files.download")
    path = site_of(request).output_file(request.path_params["path"])
    if path is None:
        return not_found(request)
    inline = path.suffix.lower() == ".pdf"
    return FileResponse(path, filename=path.name, content_disposition_type="inline" if inline else "attachment")


async def archive_zip(request: Request) -> Response:
    await allow(request, "files.download")
    path = await run_in_threadpool(site_of(request).archive_zip)
    stamp = datetime.now().strftime("%Y%m%d-%H%M")
    return FileResponse(
        path,
        media_type="application/zip",
        filename=f"archive-{stamp}.zip",
        background=BackgroundTask(path.unlink, missing_ok=True),
    )
