"""Stage 3: fill a DOCX template with a document's context (docxtpl)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from docx.shared import Mm
from docxtpl import DocxTemplate, InlineImage
from jinja2 import TemplateError

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
    except TemplateError as error:
        line = f" บรรทัด {error.lineno}" if getattr(error, "lineno", None) else ""
        raise TemplateProblem(f"{template_path}{line}: แม่แบบผิดพลาด: {error}") from error
    properties = template.docx.core_properties
    properties.title, properties.subject = document.title, document.subject
    with atomic_path(target) as tmp:
        template.save(tmp)


def _value(template: DocxTemplate, value: Any, target: Path) -> Any:
    if isinstance(value, Image):
        return InlineImage(template, str(value.path), height=Mm(value.height_mm))
    if isinstance(value, Chart):
        # Drawn beside the document and kept: the chart is an output of its own too.
        png = target.with_name(f"{target.stem}-chart.png")
        chart.draw(value, png)
        return InlineImage(template, str(png), width=Mm(value.width_mm))
    return value
