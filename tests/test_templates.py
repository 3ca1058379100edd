"""What matters in every template a clerk may edit (templates/*.docx), not its bytes.

The .docx files are the source of truth: a clerk edits them in Word or LibreOffice,
and tools/make_templates.py only starts over. So the tests check what an edit must
keep: every Jinja tag whole in one run (Word splits runs as it pleases), Thai text
in TH Sarabun New with a complex-script size and Thai language, A4 with the official
margins (left 3 cm, right 2 cm), the variables a template uses given by its
documents; and a template saved again by another program (python-docx, as Word
would: other bytes, the same document) still builds into a PDF that passes the checks.
"""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import docx
import pytest
from campaigns import copy_shipped, shipped
from docxtpl import DocxTemplate
from lxml import etree

from pipeline import outgoing
from pipeline.check import Expectation, check_pdf
from pipeline.documents import enclosures
from pipeline.load import load_campaign
from pipeline.registry import KINDS, RULES_BY_KIND, drafting
from pipeline.render import DOCX_ENV, render
from pipeline.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = ROOT / "templates"
NAMES = sorted(p.name for p in TEMPLATES.glob("*.docx"))
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
THAI_FONT = "TH Sarabun New"
TWIPS_PER_CM = 1440 / 2.54
_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.S)
_THAI = re.compile("[\u0e00-\u0e7f]")


def _parts(path: Path) -> dict[str, etree._Element]:
    """The parts with text: the body, headers and footers; and the styles."""
    with zipfile.ZipFile(path) as archive:
        return {
            name: etree.fromstring(archive.read(name))
            for name in archive.namelist()
            if re.fullmatch(r"word/(document|header\d*|footer\d*|styles)\.xml", name)
        }


def split_tags(root: etree._Element) -> list[str]:
    """Each Jinja tag, or tag opener, that is not whole inside one w:t of its paragraph."""
    problems = []
    for paragraph in root.iter(f"{W}p"):
        texts = [t.text or "" for t in paragraph.iter(f"{W}t")]
        whole = "".join(texts)
        if "{" not in whole:
            continue
        ends, at = [], 0
        for text in texts:  # where each w:t starts and ends in the paragraph's text
            ends.append((at, at + len(text)))
            at += len(text)
        covered = []
        for tag in _TAG.finditer(whole):
            covered.append((tag.start(), tag.end()))
            if not any(start <= tag.start() and tag.end() <= end for start, end in ends):
                problems.append(f"split across runs: {tag.group()!r}")
        for opener in re.finditer(r"\{\{|\{%", whole):
            if not any(start <= opener.start() < end for start, end in covered):
                problems.append(f"tag not closed in its paragraph: {whole[opener.start() : opener.start() + 40]!r}")
    return problems


@pytest.mark.parametrize("name", NAMES)
def test_every_jinja_tag_is_whole_in_one_run(name):
    parts = _parts(TEMPLATES / name)
    tags = sum(len(_TAG.findall("".join(t.text or "" for t in root.iter(f"{W}t")))) for root in parts.values())
    assert tags > 0
    assert {part: split_tags(root) for part, root in parts.items() if split_tags(root)} == {}


def test_a_tag_word_split_across_runs_is_caught(tmp_path):
    document = docx.Document()
    paragraph = document.add_paragraph()
    paragraph.add_run("ศูนย์ {{ cen")
    paragraph.add_run("ter }} และ {{ whole }} {% if")
    document.add_paragraph("x }}")
    document.save(tmp_path / "split.docx")
    body = _parts(tmp_path / "split.docx")["word/document.xml"]
    assert split_tags(body) == ["split across runs: '{{ center }}'", "tag not closed in its paragraph: '{% if'"]


class _Styles:
    """Run properties as Word resolves them: the run, its character style, its paragraph's
    style (Normal when none), each with the styles it is based on, then the defaults."""

    def __init__(self, styles: etree._Element):
        self.by_id = {s.get(f"{W}styleId"): s for s in styles.iter(f"{W}style")}
        self.defaults = styles.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr")
        self.default_paragraph = next(
            (
                s.get(f"{W}styleId")
                for s in styles.iter(f"{W}style")
                if s.get(f"{W}type") == "paragraph" and s.get(f"{W}default") == "1"
            ),
            None,
        )

    def _chain(self, style_id: str | None) -> list[etree._Element]:
        found, seen = [], set()
        while style_id and style_id in self.by_id and style_id not in seen:
            seen.add(style_id)
            style = self.by_id[style_id]
            if style.find(f"{W}rPr") is not None:
                found.append(style.find(f"{W}rPr"))
            based = style.find(f"{W}basedOn")
            style_id = based.get(f"{W}val") if based is not None else None
        return found

    def layers(self, run: etree._Element, paragraph: etree._Element | None) -> list[etree._Element]:
        rpr = run.find(f"{W}rPr")
        layers = [rpr] if rpr is not None else []
        r_style = rpr.find(f"{W}rStyle") if rpr is not None else None
        layers += self._chain(r_style.get(f"{W}val") if r_style is not None else None)
        p_style = paragraph.find(f"{W}pPr/{W}pStyle") if paragraph is not None else None
        layers += self._chain(p_style.get(f"{W}val") if p_style is not None else self.default_paragraph)
        return layers + ([self.defaults] if self.defaults is not None else [])

    def resolve(self, run: etree._Element, paragraph: etree._Element | None) -> dict[str, str | None]:
        """The complex-script font (or "theme …"), its size and the bidi language of ``run``."""
        found: dict[str, str | None] = {"cs": None, "szCs": None, "bidi": None}
        for layer in self.layers(run, paragraph):
            fonts = layer.find(f"{W}rFonts")
            if found["cs"] is None and fonts is not None:
                if fonts.get(f"{W}cstheme") is not None:
                    found["cs"] = f"theme {fonts.get(f'{W}cstheme')}"
                elif fonts.get(f"{W}cs") is not None:
                    found["cs"] = fonts.get(f"{W}cs")
            size = layer.find(f"{W}szCs")
            if found["szCs"] is None and size is not None:
                found["szCs"] = size.get(f"{W}val")
            lang = layer.find(f"{W}lang")
            if found["bidi"] is None and lang is not None and lang.get(f"{W}bidi") is not None:
                found["bidi"] = lang.get(f"{W}bidi")
        return found


@pytest.mark.parametrize("name", NAMES)
def test_thai_run_properties_on_the_defaults_and_every_run(name):
    parts = _parts(TEMPLATES / name)
    styles = _Styles(parts["word/styles.xml"])
    assert styles.defaults is not None, "no run defaults (w:docDefaults/w:rPrDefault)"
    fonts = styles.defaults.find(f"{W}rFonts")
    assert fonts is not None and fonts.get(f"{W}cs") == THAI_FONT
    assert styles.defaults.find(f"{W}szCs") is not None
    assert styles.defaults.find(f"{W}lang").get(f"{W}bidi") == "th-TH"
    wrong = {}
    for part, root in parts.items():
        if part == "word/styles.xml":
            continue
        for paragraph in root.iter(f"{W}p"):
            for run in paragraph.iter(f"{W}r"):
                text = "".join(t.text or "" for t in run.iter(f"{W}t"))
                if not text.strip():
                    continue
                got = styles.resolve(run, paragraph)
                if got["cs"] != THAI_FONT or not got["szCs"] or got["bidi"] != "th-TH":
                    wrong.setdefault(part, []).append((text[:30], got))
    assert wrong == {}


def test_the_run_property_check_sees_a_thai_run_in_another_font(tmp_path):
    source = TEMPLATES / "summary.docx"
    document = docx.Document(str(source))
    run = next(r for p in document.paragraphs for r in p.runs if _THAI.search(r.text) and "{" not in r.text)
    run.font.name = "Angsana New"  # what choosing another font in Word does: ascii, hAnsi, eastAsia …
    run._element.get_or_add_rPr().find(f"{W}rFonts").set(f"{W}cs", "Angsana New")  # … and cs
    document.save(tmp_path / "summary.docx")
    parts = _parts(tmp_path / "summary.docx")
    styles = _Styles(parts["word/styles.xml"])
    body = parts["word/document.xml"]
    fonts = [
        styles.resolve(r, p)["cs"]
        for p in body.iter(f"{W}p")
        for r in p.iter(f"{W}r")
        if _THAI.search("".join(t.text or "" for t in r.iter(f"{W}t")))
    ]
    assert "Angsana New" in fonts and THAI_FONT in fonts


@pytest.mark.parametrize("name", NAMES)
def test_every_section_is_a4_portrait_with_the_official_margins(name):
    body = _parts(TEMPLATES / name)["word/document.xml"]
    sections = list(body.iter(f"{W}sectPr"))
    assert sections
    for section in sections:
        size, margins = section.find(f"{W}pgSz"), section.find(f"{W}pgMar")
        assert (int(size.get(f"{W}w")), int(size.get(f"{W}h"))) == (11906, 16838)  # 21 × 29.7 cm
        assert size.get(f"{W}orient") in (None, "portrait")
        assert abs(int(margins.get(f"{W}left")) - 3 * TWIPS_PER_CM) <= 2
        assert abs(int(margins.get(f"{W}right")) - 2 * TWIPS_PER_CM) <= 2


@pytest.mark.parametrize("name", NAMES)
def test_templates_carry_only_the_styles_they_use(name):
    """Every document made from a template carries its styles, and LibreOffice reads them at each
    conversion: no style left that nothing uses (python-docx's stock 164), no Word 2010 copy of them, no
    thumbnail; the Thai set-up of Normal, Header and Footer stays for a clerk's edits."""
    with zipfile.ZipFile(TEMPLATES / name) as archive:
        assert not {"word/stylesWithEffects.xml", "docProps/thumbnail.jpeg"} & set(archive.namelist())
        parts = {n: etree.fromstring(archive.read(n)) for n in archive.namelist() if re.fullmatch(r"word/\w+\.xml", n)}
    styles = parts["word/styles.xml"]
    assert styles.find(f"{W}latentStyles") is None
    used = {"Normal", "Header", "Footer"}
    for part, root in parts.items():
        if part != "word/styles.xml":
            used |= {e.get(f"{W}val") for t in ("pStyle", "rStyle", "tblStyle") for e in root.iter(f"{W}{t}")}
    for style in styles.iter(f"{W}style"):
        referred = {e.get(f"{W}val") for e in styles.iter() if e.tag in (f"{W}basedOn", f"{W}link", f"{W}next")}
        style_id = style.get(f"{W}styleId")
        assert style_id in used or style_id in referred or style.get(f"{W}default") == "1", (name, style_id)


def test_the_start_over_tool_writes_templates_that_keep_all_this(tmp_path):
    """tools/make_templates.py (README: to start over) writes every template, each passing the checks above."""
    import sys

    sys.path.insert(0, str(ROOT / "tools"))
    import make_templates

    assert make_templates.main(["--out", str(tmp_path)]) == 0
    assert sorted(p.name for p in tmp_path.glob("*.docx")) == NAMES
    for name in NAMES:
        parts = _parts(tmp_path / name)
        assert {part: split_tags(root) for part, root in parts.items() if split_tags(root)} == {}, name
        section = parts["word/document.xml"].find(f"{W}body/{W}sectPr")
        assert section.find(f"{W}pgSz").get(f"{W}w") == "11906", name


@pytest.fixture(scope="module")
def campaign(tmp_path_factory):
    """The shipped inputs; and the same with each example circular (another letter format). Each with
    its outgoing state (the letters after the circular, numbered in a register of its own)."""
    campaigns = [load_campaign(shipped())]
    for example in sorted(shipped().glob("circular.*.example.yaml")):
        inputs = tmp_path_factory.mktemp("inputs")
        copy_shipped(inputs)
        shutil.copyfile(example, inputs / "circular.yaml")
        campaigns.append(load_campaign(inputs))
    names = [kind.name for kind in KINDS]
    return [
        outgoing.prepare(Settings(c.inputs, tmp_path_factory.mktemp("outputs")), c, drafting(names), take=True)
        for c in campaigns
    ]


def _documents(campaigns):
    """Every document of the inputs, of every kind."""
    return [document for campaign in campaigns for kind in KINDS for document in kind.documents(campaign)]


def _document(campaigns, name: str):
    """A document made with template ``name`` (none: skipped, loudly)."""
    found = next((d for d in _documents(campaigns) if d.template == name), None)
    if found is None:
        pytest.skip(f"no document of the shipped inputs or example circulars uses templates/{name}")
    return found


def test_every_variable_a_template_uses_is_given_by_its_documents(campaign):
    given: dict[str, set[str]] = {}
    for document in _documents(campaign):
        given.setdefault(document.template, set()).update(document.context)
    assert set(given) == set(NAMES)  # every template is used, and every template used is there
    for name in given:
        used = DocxTemplate(TEMPLATES / name).get_undeclared_template_variables(DOCX_ENV)
        assert used and used <= given[name], (name, sorted(used - given[name]))


EDITED = "ข้อความที่แก้ในเวิร์ด"


def _edit_a_word(source: Path, target: Path) -> str:
    """Change the first Thai word outside a tag and save, as Word would: python-docx writes
    every part again (other bytes than the shipped file)."""
    document = docx.Document(str(source))
    text, word = next(
        (t, w)
        for t in document.element.body.iter(f"{W}t")
        for w in (t.text or "").split()
        if _THAI.search(w) and not set(w) & set("{}%|")
    )
    text.text = text.text.replace(word, EDITED, 1)
    document.save(target)
    return word


@pytest.mark.parametrize("name", NAMES)
def test_a_template_edited_and_saved_by_another_program_still_renders(name, campaign, tmp_path):
    edited = tmp_path / "templates"
    edited.mkdir()
    word = _edit_a_word(TEMPLATES / name, edited / name)
    assert (edited / name).read_bytes() != (TEMPLATES / name).read_bytes()
    document = _document(campaign, name)
    render(document, edited, tmp_path / "out.docx")
    with zipfile.ZipFile(tmp_path / "out.docx") as out:
        text = "".join(t.text or "" for t in etree.fromstring(out.read("word/document.xml")).iter(f"{W}t"))
    assert EDITED in text and "{{" not in text and "{%" not in text, word


@pytest.mark.skipif(not (shutil.which("soffice") or shutil.which("libreoffice")), reason="LibreOffice not installed")
def test_an_edited_template_builds_a_pdf_that_passes_the_checks(campaign, tmp_path):
    from pipeline import fonts
    from pipeline.convert import How, convert

    edited = tmp_path / "templates"
    edited.mkdir()
    _edit_a_word(TEMPLATES / "center-list.docx", edited / "center-list.docx")
    document = next(d for d in enclosures.documents(campaign[0]) if d.template == "center-list.docx")
    render(document, edited, tmp_path / "centers.docx")
    pdf = tmp_path / "centers.pdf"
    result = convert(
        [(tmp_path / "centers.docx", pdf)],
        How(fontconfig=fonts.prepare(ROOT / "build"), profile_root=tmp_path / "profiles"),
    )
    assert result.converted == [pdf], result.log
    findings = check_pdf(
        Expectation(pdf, document.kind, {**document.expect, "edited": EDITED}, facts=document.facts),
        RULES_BY_KIND.get(document.kind, {}),
    )
    assert [(f.rule, f.detail) for f in findings if not f.ok] == []
