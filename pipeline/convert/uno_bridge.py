"""The UNO bridge: run by Debian's /usr/bin/python3 (python3-uno works only there, not in a venv).

It connects to one LibreOffice started with ``--accept=pipe,name=NAME;urp;`` and converts
what it is asked, one request per line on stdin, one answer per line on stdout (JSON):

    {"docx": "/abs/in.docx", "pdf": "/abs/out.pdf", "pdfa": false, "destinations": false}
    →  {"ok": true} | {"error": "…"}

It imports nothing from the project (it runs outside the venv). Its parent (pipeline/convert/warm.py)
starts and supervises it and LibreOffice: time bounds, restarts, the tie to the parent's life.
"""

import json
import sys
import time
from typing import Any

import uno  # type: ignore[import-not-found]
from com.sun.star.beans import PropertyValue  # type: ignore[import-not-found]

CONNECT_FOR = 60.0  # s to wait for LibreOffice to accept connections


def prop(name: str, value: Any) -> Any:
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


def connect(pipe: str) -> Any:
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    url = f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext"
    deadline = time.monotonic() + CONNECT_FOR
    while True:
        try:
            ctx = resolver.resolve(url)
            break
        except Exception:  # NoConnectException until LibreOffice listens
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
    return ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)


def export_filter(pdfa: bool, destinations: bool = False) -> tuple[Any, ...]:
    # What `--convert-to pdf` uses (writer_pdf_Export, its defaults); PDF/A-2b for the reports and
    # bookmarks as named destinations (compose) as batches.export_filter asks for them.
    props = [prop("FilterName", "writer_pdf_Export")]
    options = [prop("SelectPdfVersion", 2)] if pdfa else []
    if destinations:
        options.append(prop("ExportBookmarksToPDFDestination", True))
    if options:
        props.append(prop("FilterData", uno.Any("[]com.sun.star.beans.PropertyValue", tuple(options))))
    return tuple(props)


def convert(desktop: Any, request: dict[str, Any]) -> None:
    url = uno.systemPathToFileUrl(request["docx"])
    doc = desktop.loadComponentFromURL(url, "_blank", 0, (prop("Hidden", True), prop("ReadOnly", True)))
    if doc is None:
        raise RuntimeError("LibreOffice could not open the file")
    try:
        uno.invoke(
            doc,
            "storeToURL",
            (
                uno.systemPathToFileUrl(request["pdf"]),
                export_filter(request["pdfa"], request.get("destinations", False)),
            ),
        )
    finally:
        doc.close(True)


def main() -> None:
    desktop = connect(sys.argv[1])
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        request = json.loads(line)
        try:
            convert(desktop, request)
            answer: dict[str, Any] = {"ok": True}
        except Exception as error:  # any UNO error is this document's failure, said to the parent
            answer = {"error": f"{type(error).__name__}: {getattr(error, 'Message', '') or error}"}
        print(json.dumps(answer), flush=True)


if __name__ == "__main__":
    main()
