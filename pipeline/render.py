"""Stage 3: fill a DOCX template with a document's context (docxtpl)."""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

from docx.shared import Mm
from docxtpl import DocxTemplate, InlineImage
from jinja2 import TemplateError, TemplateSyntaxError, UndefinedError

from . import chart
from .documents import Chart, Document, Image
from .files import atomic_path
from .templating import environment

DOCX_ENV = environment(autoescape=True)  # a value holding & or < must not corrupt the XML


class TemplateProblem(Exception):
    """A template that cannot be rendered: names the template and what is wrong."""


def render(document: Document, templates: Path, target: Path) -> None:
    template_path = templates / document.template
    if not template_path.is_file():
        raise TemplateProblem(f"{template_path}: ไม่พบแม่แบบ")
    template = DocxTemplate(template_path)
    context = {key: _value(template, value, target) for key, value in document.context.items()}
    try:
        template.render(context, jinja_env=DOCX_ENV, autoescape=True)
    except UndefinedError as error:
        raise TemplateProblem(_undefined(template_path, error, context)) from error
    except TemplateSyntaxError as error:
        tag = _tag_text(error)
        shown = f" ที่ข้อความ “{tag}”" if tag else ""
        raise TemplateProblem(f"{template_path}: แม่แบบผิดพลาด: แท็ก Jinja ผิดรูปแบบ{shown}: {error.message} "
                              "(แต่ละแท็ก {{ … }} หรือ {% … %} ต้องครบและอยู่ในย่อหน้าเดียว; "
                              "{% if %} / {% for %} ต้องมี {% endif %} / {% endfor %})") from error
    except TemplateError as error:
        raise TemplateProblem(f"{template_path}: แม่แบบผิดพลาด: {error}") from error
    properties = template.docx.core_properties
    # Word's core properties hold at most 255 characters (python-docx raises beyond): a 300-character center name
    properties.title, properties.subject = _property(document.title), _property(document.subject)
    with atomic_path(target) as tmp:
        template.save(tmp)


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
    texts = [html.unescape(_XML_TAG.sub("", l)).strip() for l in lines[: error.lineno]]
    at = len(texts) - 1
    while at > 0 and not _JINJA_TAG.search(texts[at]):
        at -= 1
    text = texts[at]
    if len(text) > TAG_CONTEXT:
        start = max(0, (_JINJA_TAG.search(text) or re.search("", text)).start() - 20)
        text = ("…" if start else "") + text[start:start + TAG_CONTEXT] + "…"
    return text


def _undefined(template_path: Path, error: UndefinedError, context: dict) -> str:
    match = re.search(r"'([^']+)' is undefined", str(error))
    if not match:
        return f"{template_path}: แม่แบบผิดพลาด: {error}"
    return (f"{template_path}: แม่แบบใช้ตัวแปร “{match.group(1)}” ซึ่งไม่มีในข้อมูลของเอกสารนี้ "
            f"(ตัวแปรที่มี: {', '.join(sorted(context)) or '-'})")


def _value(template: DocxTemplate, value: Any, target: Path) -> Any:
    if isinstance(value, Image):
        return InlineImage(template, str(value.path), height=Mm(value.height_mm))
    if isinstance(value, Chart):
        # Drawn beside the document and kept: the chart is an output of its own too.
        png = target.with_name(f"{target.stem}-chart.png")
        chart.draw(value, png)
        return InlineImage(template, str(png), width=Mm(value.width_mm))
    return value
