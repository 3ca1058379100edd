"""Rendering user-editable templates: sandboxed, strict, escaped."""

from pathlib import Path

import pytest
from docx import Document as Docx

from pipeline.documents import Document
from pipeline.render import TemplateProblem, render


def template(folder: Path, text: str) -> Path:
    doc = Docx()
    doc.add_paragraph(text)
    path = folder / "t.docx"
    doc.save(path)
    return path


def body(path: Path) -> str:
    return "\n".join(p.text for p in Docx(path).paragraphs)


def test_values_render_escaped_and_thai_filters_apply(tmp_path):
    template(tmp_path, "{{ name }} {{ number|thai_digits }}")
    render(Document("t", "out", "t.docx", {"name": "A & <B>", "number": 25}), tmp_path, tmp_path / "out.docx")
    assert body(tmp_path / "out.docx") == "A & <B> ๒๕"


def test_python_internals_are_out_of_reach(tmp_path):
    template(tmp_path, "{{ ''.__class__.__mro__ }}")
    with pytest.raises(TemplateProblem, match="t.docx"):
        render(Document("t", "out", "t.docx", {}), tmp_path, tmp_path / "out.docx")
    assert not (tmp_path / "out.docx").exists()


def test_a_missing_variable_is_an_error_not_an_empty_string(tmp_path):
    template(tmp_path, "ถึง {{ adressee }}")
    with pytest.raises(TemplateProblem, match="adressee"):
        render(Document("t", "out", "t.docx", {"addressee": "x"}), tmp_path, tmp_path / "out.docx")


def test_a_syntax_error_names_the_template(tmp_path):
    template(tmp_path, "{% if x %}ไม่ปิด")
    with pytest.raises(TemplateProblem, match=r"t\.docx.*แม่แบบผิดพลาด"):
        render(Document("t", "out", "t.docx", {"x": True}), tmp_path, tmp_path / "out.docx")


def test_a_typed_newline_still_becomes_a_line_break_and_other_text_is_left_as_it_is():
    """render._Template skips docxtpl's listing pass (tab, newline, bell, form feed) when the XML holds
    none of those characters; when it does, the pass runs as before."""
    from pipeline.render import _Template

    template = _Template(Path(__file__).resolve().parents[1] / "templates" / "checklist.docx")
    plain = '<w:p><w:r><w:t xml:space="preserve">หมายเหตุ: ไม่มี</w:t></w:r></w:p>'
    assert template.resolve_listing(plain) is plain
    typed = '<w:p><w:r><w:t xml:space="preserve">บรรทัดแรก\nบรรทัดสอง</w:t></w:r></w:p>'
    assert "<w:br/>" in template.resolve_listing(typed)
