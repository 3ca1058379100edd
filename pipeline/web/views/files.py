"""The department's downloads: the documents under outputs/ and the archive as a zip."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import quote

from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, Response

from .. import scope
from ..access import allow, site_of
from .common import not_found, page


async def files_page(request: Request) -> Response:
    actor = await allow(request, "files.view")
    site = site_of(request)
    groups, checks = await run_in_threadpool(site.catalog)
    if actor.province:  # only its province's documents (and the enclosures every province receives)
        campaign = site.campaign()
        groups = {
            name: kept
            for name, docs in groups.items()
            if (
                kept := [
                    d for d in docs if all(scope.file_visible(r, actor.province, campaign) for r in d["files"].values())
                ]
            )
        }
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
    actor = await allow(request, "files.download")
    site, relative = site_of(request), request.path_params["path"]
    path = site.output_file(relative)
    if path is None or (actor.province and not scope.file_visible(relative, actor.province, site.campaign())):
        return not_found(request)
    inline = path.suffix.lower() == ".pdf"
    return FileResponse(path, filename=path.name, content_disposition_type="inline" if inline else "attachment")


async def archive_zip(request: Request) -> Response:
    await allow(request, "archive.download")
    path = await run_in_threadpool(site_of(request).archive_zip)
    stamp = datetime.now().strftime("%Y%m%d-%H%M")
    return FileResponse(
        path,
        media_type="application/zip",
        filename=f"archive-{stamp}.zip",
        background=BackgroundTask(path.unlink, missing_ok=True),
    )
