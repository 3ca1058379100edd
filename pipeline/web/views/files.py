"""The department's downloads: documents by province and kind (with a zip of each selection), the archive."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import quote

from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, Response

from .. import scope, words
from ..access import allow, site_of
from ..outputs import Document
from ..site import Site
from .common import not_found, page


def _visible(site: Site, province: str) -> list[Document]:
    """The documents this actor may download: a province account only its province's (and the
    enclosures every province receives)."""
    docs = site.catalog()
    if not province:
        return docs
    campaign = site.campaign()
    return [d for d in docs if all(scope.file_visible(r, province, campaign) for r in d.files.values())]


def _chosen(request: Request, docs: list[Document], own: str = "") -> tuple[str, str, list[Document]]:
    province = request.query_params.get("province", "") or own  # a province account starts at its own
    kind = request.query_params.get("kind", "")
    shown = [
        d
        for d in docs
        if (not province or d.province == province or (not d.province and (province == "-" or own)))
        and (not kind or d.kind == kind)
    ]
    return province, kind, shown


async def files_page(request: Request) -> Response:
    actor = await allow(request, "files.view")
    site = site_of(request)
    docs = await run_in_threadpool(_visible, site, actor.province)
    province, kind, shown = _chosen(request, docs, actor.province)
    provinces: dict[str, dict[str, Any]] = {}
    for d in docs:
        if d.province:
            entry = provinces.setdefault(d.province, {"documents": 0, "failed": 0, "unchecked": 0})
            entry["documents"] += 1
            entry["failed"] += bool(d.check and not d.check["ok"])
            entry["unchecked"] += "pdf" in d.files and d.check is None
    by_kind: dict[str, list[Document]] = {}
    if province or kind:
        for d in shown:
            by_kind.setdefault(d.kind, []).append(d)
    return page(
        request,
        "files.html",
        province=province,
        kind=kind,
        provinces=provinces,
        kinds=[k for k in dict.fromkeys(d.kind for d in docs) if k],
        national=[d for d in docs if not d.province],
        by_kind=by_kind,
        quote=quote,
        csrf=request.state.csrf,
    )


async def files_zip(request: Request) -> Response:
    """The files the page shows for this province and kind, as one zip."""
    actor = await allow(request, "files.download")
    site = site_of(request)
    province, kind, shown = _chosen(request, await run_in_threadpool(_visible, site, actor.province), actor.province)
    if not (province or kind) or not shown:
        return not_found(request)
    path = await run_in_threadpool(site.files_zip, [p for d in shown for p in d.files.values()])
    name = "-".join(x for x in (province if province != "-" else words.WHOLE_COUNTRY, kind) if x)
    return FileResponse(
        path,
        media_type="application/zip",
        filename=f"{name}.zip",
        background=BackgroundTask(path.unlink, missing_ok=True),
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
