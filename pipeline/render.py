"""Stage 3: fill a DOCX template with a document's context (docxtpl)."""

from __future__ import annotations

import html
import io
import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from docx.shared import Mm
from docxtpl import DocxTemplate, InlineImage
from jinja2 import TemplateError, TemplateSyntaxError, UndefinedError

from .documents import Chart, Document, Image, QrCode
from .files import write_bytes
from .templating import environment
from .workers import parallel_map

DOCX_ENV = environment(autoescape=True)  # a value holding & or < must not corrupt the XML
_LISTING = re.compile("[\t\n\a\f]")  # what docxtpl's resolve_listing turns into elements


class _Template(DocxTemplate):  # type: ignore[misc]
    """docxtpl's clean-up of the template's XML for Jinja (some 40 regular expressions over the whole
    part) depends on that XML alone, the same for every document of a kind: done once per process
    (a quarter of a report's render time, cProfile)."""

    def patch_xml(self, src_xml: str) -> str:
        return _patched(src_xml)

    def resolve_listing(self, xml: str) -> str:
        # docxtpl turns a tab, newline, bell or form feed typed in a value into Word's own elements, with
        # regular expressions over every paragraph and run (a tenth of a report's render time). Without
        # any of those characters, what it returns is what it was given.
        if not _LISTING.search(xml):
            return xml
        resolved: str = super().resolve_listing(xml)
        return resolved


@lru_cache(maxsize=64)
def _patched(src_xml: str) -> str:
    patched: str = DocxTemplate.patch_xml(None, src_xml)
    return patched


class TemplateProblem(Exception):
    """A template that cannot be rendered: names the template and what is wrong."""


def render_all(
    documents: Sequence[Document],
    templates: Path,
    outputs: Path,
    *,
    progress: Callable[[int, int], object] | None = None,
) -> dict[str, str]:
    """Each document to ``outputs/<name>.docx``, one process per core; name → problem for
    those whose template could not be rendered (the others are written)."""
    # A chart (drawn by matplotlib, imported for it) takes as long as 40 letters: started first, not last
    # with the other cores idle.
    ordered = sorted(documents, key=lambda doc: not written_beside(doc, outputs / f"{doc.name}.docx"))
    jobs = [(doc, templates, outputs / f"{doc.name}.docx") for doc in ordered]
    problems = parallel_map(_render_job, jobs, progress=progress)
    return {doc.name: problem for doc, problem in zip(ordered, problems, strict=True) if problem}


def _render_job(job: tuple[Document, Path, Path]) -> str | None:
    try:
        render(*job)
    except TemplateProblem as problem:
        return str(problem)
    return None


def render(document: Document, templates: Path, target: Path) -> None:
    template_path = templates / document.template
    if not template_path.is_file():
        raise TemplateProblem(f"{template_path}: ไม่พบแม่แบบ")
    template = _Template(template_path)
    context = {key: _value(template, value, target) for key, value in document.context.items()}
    try:
        template.render(context, jinja_env=DOCX_ENV, autoescape=True)
    except UndefinedError as error:
        raise TemplateProblem(_undefined(template_path, error, context)) from error
    except TemplateSyntaxError as error:
        tag = _tag_text(error)
        shown = f" ที่ข้อความ “{tag}”" if tag else ""
        raise TemplateProblem(
            f"{template_path}: แม่แบบผิดพลาด: แท็ก Jinja ผิดรูปแบบ{shown}: {error.message} "
            "(แต่ละแท็ก {{ … }} หรือ {% … %} ต้องครบและอยู่ในย่อหน้าเดียว; "
            "{% if %} / {% for %} ต้องมี {% endif %} / {% endfor %})"
        ) from error
    except TemplateError as error:
        raise TemplateProblem(f"{template_path}: แม่แบบผิดพลาด: {error}") from error
    for value in context.values():
        if isinstance(value, _ChartPicture) and not value.drawn:
            value()  # a template without the chart: its picture is still an output (written_beside)
    properties = template.docx.core_properties
    # Word's core properties hold at most 255 characters (python-docx raises beyond): a 300-character center name
    properties.title, properties.subject = _property(document.title), _property(document.subject)
    # Zipped in memory, then written whole: a full disk fails the write, never a half-made zip.
    buffer = io.BytesIO()
    template.save(buffer)
    write_bytes(target, buffer.getvalue())


def _property(text: str | None, limit: int = 255) -> str | None:
    return text if text is None or len(text) <= limit else text[: limit - 1] + "…"


_XML_TAG = re.compile(r"<[^>]*>")
_JINJA_TAG = re.compile(r"{[{%#]")
TAG_CONTEXT = 120  # characters of the template's text shown around a bad tag


def _tag_text(error: TemplateSyntaxError) -> str:
    """The template's text (XML stripped) of the paragraph holding the bad tag.

    docxtpl hands Jinja the document XML one paragraph per line, so the error's
    line is the paragraph; for an unclosed block Jinja points at the end of the
    document, and the last line holding a tag is the one to show.
    """
    lines = (error.source or "").splitlines()
    if not lines or not error.lineno:
        return ""
    texts = [html.unescape(_XML_TAG.sub("", line)).strip() for line in lines[: error.lineno]]
    at = len(texts) - 1
    while at > 0 and not _JINJA_TAG.search(texts[at]):
        at -= 1
    text = texts[at]
    if len(text) > TAG_CONTEXT:
        tag = _JINJA_TAG.search(text)
        start = max(0, (tag.start() if tag else 0) - 20)
        text = ("…" if start else "") + text[start : start + TAG_CONTEXT] + "…"
    return text


def _undefined(template_path: Path, error: UndefinedError, context: dict[str, Any]) -> str:
    match = re.search(r"'([^']+)' is undefined", str(error))
    if not match:
        return f"{template_path}: แม่แบบผิดพลาด: {error}"
    return (
        f"{template_path}: แม่แบบใช้ตัวแปร “{match.group(1)}” ซึ่งไม่มีในข้อมูลของเอกสารนี้ "
        f"(ตัวแปรที่มี: {', '.join(sorted(context)) or '-'})"
    )


def written_beside(document: Document, target: Path) -> list[Path]:
    """The files ``render`` writes next to ``target`` besides the DOCX (the charts' pictures)."""
    return [_chart_path(target)] if any(isinstance(v, Chart) for v in document.context.values()) else []


def _chart_path(target: Path) -> Path:
    return target.with_name(f"{target.stem}-chart.png")


def _value(template: DocxTemplate, value: Any, target: Path) -> Any:
    if isinstance(value, Image):
        return InlineImage(template, str(value.path), height=Mm(value.height_mm))
    if isinstance(value, Chart):
        return _ChartPicture(template, value, _chart_path(target))
    if isinstance(value, QrCode):
        return _qr_picture(template, value)
    return value


def _qr_picture(template: DocxTemplate, qr: QrCode) -> InlineImage:
    """The QR code as a PNG in memory (nothing beside the document), placed ``size_mm`` square."""
    import segno  # here: only a run with links pays for it

    png = io.BytesIO()
    # Error level M: still scans with a fold or a smudge. A 2-module border: the page's white around the
    # picture completes the quiet zone, and the modules come out larger for the same size.
    segno.make(qr.text, error="m", micro=False).save(png, kind="png", scale=10, border=2)
    png.seek(0)
    return InlineImage(template, png, width=Mm(qr.size_mm), height=Mm(qr.size_mm))


class _ChartPicture:
    """A Chart as the template sees it: ``{{ chart("caption") }}`` draws it with the template's
    caption (the wording stays in the template) and places the picture; ``{{ chart }}``: no caption.

    Drawn beside the document and kept: the chart is an output of its own too.
    """

    def __init__(self, template: DocxTemplate, chart: Chart, png: Path):
        self.template, self.chart, self.png = template, chart, png
        self.drawn = False

    def __call__(self, caption: str = "") -> InlineImage:
        from . import chart  # here: importing matplotlib costs 0.6 s, too much for a run with nothing to draw

        chart.draw(replace(self.chart, title=str(caption)), self.png)
        self.drawn = True
        return InlineImage(self.template, str(self.png), width=Mm(self.chart.width_mm))

    def __html__(self) -> str:  # {{ chart }} (autoescaped output)
        return str(self().__html__())
