"""The fillable form: checkboxes over the printed boxes, and ticked forms read back into answer files."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import fitz
import pytest
from campaigns import copy_shipped

from pipeline.boxes import box_glyphs
from pipeline.fillable import field_names, ink_box, make_fillable
from pipeline.ingest import MAX_PDF_BYTES, ingest
from pipeline.load import load_campaign
from pipeline.load.answers import load_answers

PROJECT = Path(__file__).resolve().parents[1]
CENTERS = 2


# --- fixtures ---------------------------------------------------------------------


def _inputs_for_two_centers(folder: Path) -> Path:
    """The shipped inputs, with the first two centers only and no answer for any other center."""
    copy_shipped(folder)
    path = folder / "centers.csv"
    text = path.read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    kept = [rows[0]] + [r for r in rows[1:] if any(v.strip() for v in r)][:CENTERS]
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(kept)
    path.write_text(out.getvalue(), encoding="utf-8")
    prefixes = tuple(f"{int(r[0]):02d}-" for r in kept[1:])
    for answer in (folder / "answers").iterdir():
        if answer.suffix.lower() in {".yaml", ".yml", ".csv"} and not answer.name.startswith(prefixes):
            answer.unlink()
    return folder


@pytest.fixture(scope="module")
def made(tmp_path_factory) -> dict:
    """Blank forms of two centers made by the real forms command, and one fillable form."""
    root = tmp_path_factory.mktemp("fillable")
    inputs = _inputs_for_two_centers(root / "inputs")
    outputs = root / "outputs"
    result = subprocess.run(
        [sys.executable, "-m", "pipeline", "forms", "--inputs", str(inputs), "--outputs", str(outputs)],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    forms = sorted(p for p in (outputs / "forms").glob("*.pdf") if not p.stem.endswith("-fillable"))
    # a failing check elsewhere (say, the enclosures of a two-center list) does not matter here; the forms do
    assert len(forms) == CENTERS, f"no forms made (exit {result.returncode}):\n{result.stdout}\n{result.stderr}"
    campaign = load_campaign(inputs)
    center = campaign.centers[0]
    form = outputs / "forms" / f"{center.slug}.pdf"
    fillable = root / "fillable" / f"{center.slug}.pdf"
    make_fillable(form, fillable, campaign.criteria, center)
    return {"inputs": inputs, "campaign": campaign, "center": center, "form": form, "fillable": fillable, "root": root}


@pytest.fixture
def fresh(made, tmp_path) -> Path:
    """A private copy of the two-center inputs with no answer file at all."""
    inputs = tmp_path / "inputs"
    shutil.copytree(made["inputs"], inputs)
    for answer in (inputs / "answers").iterdir():
        if answer.suffix.lower() in {".yaml", ".yml", ".csv"}:
            answer.unlink()
    return inputs


def tick(source: Path, target: Path, on: set[str]) -> Path:
    """``source`` with exactly the fields of ``on`` ticked, as a PDF reader would save it."""
    doc = fitz.open(source)
    pages = list(doc)  # widgets hold their page weakly: keep the pages alive
    for page in pages:
        for widget in page.widgets():
            widget.field_value = widget.on_state() if widget.field_name in on else "Off"
            widget.update()
    doc.save(target)
    doc.close()
    return target


def tick_boxes(source: Path, target: Path, on: list[bool]) -> Path:
    """``source`` with the n-th printed box ticked when ``on[n]``: ticked by position on the page, not by name."""
    doc = fitz.open(source)
    pages = list(doc)
    glyphs = box_glyphs(doc)
    assert len(glyphs) == len(on)
    for (page, glyph, _), wanted in zip(glyphs, on, strict=True):
        centre = (glyph.tl + glyph.br) / 2
        [widget] = [w for w in pages[page].widgets() if centre in w.rect]
        widget.field_value = widget.on_state() if wanted else "Off"
        widget.update()
    doc.save(target)
    doc.close()
    return target


def printed_order(criteria, physical: dict[str, bool], quality: dict[str, bool]) -> list[bool]:
    """The boxes as the checklist prints them: มี then ไม่มี for each physical item, then each quality item."""
    boxes = []
    for item in criteria.physical:
        boxes += [physical[item.id], not physical[item.id]]
    return boxes + [quality[item.id] for item in criteria.quality]


def answer_set(criteria) -> tuple[dict[str, bool], dict[str, bool]]:
    """A mixed answer: physical items alternate มี / ไม่มี, every third quality item ticked."""
    physical = {item.id: n % 2 == 0 for n, item in enumerate(criteria.physical)}
    quality = {item.id: n % 3 == 0 for n, item in enumerate(criteria.quality)}
    return physical, quality


def fields_on(physical: dict[str, bool], quality: dict[str, bool]) -> set[str]:
    return (
        {f"p:{i}" for i, v in physical.items() if v}
        | {f"pn:{i}" for i, v in physical.items() if not v}
        | {f"q:{i}" for i, v in quality.items() if v}
    )


def listing(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


# --- the fillable form --------------------------------------------------------------


def test_one_checkbox_per_printed_box_named_in_box_order(made):
    criteria = made["campaign"].criteria
    doc = fitz.open(made["fillable"])
    pages = list(doc)
    widgets = [w for page in pages for w in page.widgets()]
    glyphs = box_glyphs(doc)
    assert len(widgets) == 78 == len(glyphs) == 2 * len(criteria.physical) + len(criteria.quality)
    assert all(w.field_type == fitz.PDF_WIDGET_TYPE_CHECKBOX for w in widgets)
    assert [w.field_name for w in widgets] == field_names(criteria)
    assert field_names(criteria)[:4] == ["p:1", "pn:1", "p:2", "pn:2"]
    assert field_names(criteria)[26:28] == ["q:1.1", "q:1.2"] and field_names(criteria)[-1] == "q:24"
    blank = list(fitz.open(made["form"]))  # the printed squares, without the fields' own borders
    for widget, (page, glyph, _) in zip(widgets, glyphs, strict=True):
        assert widget.parent.number == page
        ink = ink_box(blank[page], glyph)
        assert widget.rect.intersects(glyph), widget.field_name
        assert widget.rect.contains(ink), widget.field_name  # the whole printed square is inside the field
        assert abs(widget.rect.width - ink.width) < 3 and abs(widget.rect.height - ink.height) < 3


def test_the_checkboxes_show_a_border_and_start_off(made):
    doc = fitz.open(made["fillable"])
    pages = list(doc)
    for widget in (w for page in pages for w in page.widgets()):
        assert tuple(widget.border_color) == (0, 0, 0)
        assert 0.5 <= widget.border_width <= 1.5
        assert not widget.fill_color
        assert widget.field_value in ("Off", False)
        assert widget.on_state() not in (None, False, "Off")


def test_the_center_is_stored_in_the_metadata(made):
    center = made["center"]
    doc = fitz.open(made["fillable"])
    assert json.loads(doc.metadata["keywords"]) == {
        "gecc": 1,
        "order": center.order,
        "province": center.province,
        "center": center.name,
    }
    assert center.name in doc.metadata["title"]


def test_the_fillable_form_is_still_a_printable_a4_pdf(made):
    doc = fitz.open(made["fillable"])
    blank = fitz.open(made["form"])
    assert doc.page_count == blank.page_count
    assert [p.get_text() for p in doc] == [p.get_text() for p in blank]  # the printed text is unchanged
    for page in doc:
        assert abs(page.rect.width - 595.28) <= 1 and abs(page.rect.height - 841.89) <= 1
        # every font the page content uses is embedded
        assert [f for f in page.get_fonts(full=True) if f[1] == "n/a"] == []
    # fonts not embedded: base-14 fonts of the form fields only (the check mark's ZapfDingbats, the /DA's Helvetica)
    loose = {
        doc.xref_get_key(x, "BaseFont")[1]
        for x in range(1, doc.xref_length())
        if doc.xref_get_key(x, "Type")[1] == "/Font"
        and doc.xref_get_key(x, "FontDescriptor")[0] == "null"
        and doc.xref_get_key(x, "Subtype")[1] != "/Type0"
    }
    assert loose <= {"/ZapfDingbats", "/Helvetica"}
    acroform = doc.xref_get_key(doc.pdf_catalog(), "AcroForm/DR/Font")
    assert acroform[0] == "dict" and "/ZaDb" in acroform[1] and "/Helv" in acroform[1]


def test_a_form_with_the_wrong_number_of_boxes_is_refused(made, tmp_path):
    criteria = made["campaign"].criteria
    fewer = dataclasses.replace(criteria, physical=criteria.physical[:-1])
    with pytest.raises(ValueError, match="78 box glyphs.*76"):
        make_fillable(made["form"], tmp_path / "x.pdf", fewer, made["center"])
    assert not (tmp_path / "x.pdf").exists()


def _inked(page: fitz.Page, rect: fitz.Rect) -> bool:
    inner = fitz.Rect(rect.x0 + 3, rect.y0 + 3, rect.x1 - 3, rect.y1 - 3)  # inside the printed square
    pix = page.get_pixmap(clip=inner, matrix=fitz.Matrix(4, 4), colorspace=fitz.csGRAY, alpha=False)
    return min(pix.samples) < 128


def test_a_tick_lands_inside_the_printed_box(made, tmp_path):
    """Rendered: the check mark of a ticked field is drawn inside its printed box; an unticked box stays empty."""
    ticked = tick(made["fillable"], tmp_path / "ticked.pdf", {"p:1", "pn:2"})
    doc = fitz.open(ticked)
    page = doc[0]
    page.get_pixmap(dpi=150).save(tmp_path / "page1.png")  # for a person to look at
    widgets = {w.field_name: w.rect for w in page.widgets()}
    assert _inked(page, widgets["p:1"]) and _inked(page, widgets["pn:2"])
    assert not _inked(page, widgets["pn:1"]) and not _inked(page, widgets["p:2"])


def test_a_tick_set_by_pdftk_shows_the_fields_own_appearance(made, tmp_path):
    """pdftk only sets a field's state: the check mark drawn is the field's appearance, which every field
    after the first of its size shares with it (fillable._add_checkboxes); each shows where it sits."""
    if shutil.which("pdftk") is None:
        pytest.fail("pdftk is missing: tools/install-system.sh installs pdftk-java")
    on = {"pn:2", "p:3", "q:1.2"}
    xfdf = tmp_path / "on.xfdf"
    xfdf.write_text(
        '<?xml version="1.0" encoding="UTF-8"?><xfdf xmlns="http://ns.adobe.com/xfdf/"><fields>'
        + "".join(f'<field name="{n}"><value>Yes</value></field>' for n in sorted(on))
        + "</fields></xfdf>",
        encoding="utf-8",
    )
    filled = tmp_path / "filled.pdf"
    done = subprocess.run(["pdftk", str(made["fillable"]), "fill_form", str(xfdf), "output", str(filled)])
    assert done.returncode == 0
    doc = fitz.open(filled)
    pages = list(doc)
    fields = {w.field_name: (page, w.rect) for page in pages for w in page.widgets()}
    assert len(fields) == 78
    for name, (page, rect) in fields.items():
        assert _inked(page, rect) == (name in on), name


# --- ingest: ticked forms back to answer files ------------------------------------------


def test_a_ticked_form_becomes_an_answer_file_that_loads(made, fresh, tmp_path):
    campaign, center = load_campaign(fresh), made["center"]
    physical, quality = answer_set(campaign.criteria)
    on = printed_order(campaign.criteria, physical, quality)
    pdf = tick_boxes(made["fillable"], tmp_path / "returned.pdf", on)

    written, problems = ingest([pdf], fresh, campaign)

    assert problems == []
    target = fresh / "answers" / f"{center.slug}.yaml"
    assert written == [target]
    text = target.read_text(encoding="utf-8")
    assert "กระดาษ" in text  # the clerk is told to copy date and assessor from the paper form
    # as written, the date and the assessor are blank: the loader refuses the file until they are filled in
    answers, blanks = load_answers(fresh / "answers", fresh, campaign.centers, campaign.criteria)
    assert answers == [] and {p.field for p in blanks} == {"assessed_on", "assessor.name", "assessor.position"}

    text = (
        text.replace("\nassessed_on:\n", "\nassessed_on: 2021-03-01\n", 1)
        .replace("\n  name:\n", "\n  name: นายทดสอบ ระบบ\n", 1)
        .replace("\n  position:\n", "\n  position: ปลัดอำเภอ\n", 1)
    )
    target.write_text(text, encoding="utf-8")
    answers, problems = load_answers(fresh / "answers", fresh, campaign.centers, campaign.criteria)
    assert problems == []
    [answer] = answers
    assert (answer.province, answer.center) == (center.province, center.name)
    assert answer.physical == physical and answer.quality == quality
    assert answer.notes == {}


def test_physical_items_ticked_twice_or_not_at_all_are_reported(made, fresh, tmp_path):
    campaign = load_campaign(fresh)
    physical, quality = answer_set(campaign.criteria)
    on = fields_on(physical, quality) | {"p:3", "pn:3"}  # both
    on -= {"p:5", "pn:5", "p:12", "pn:12"}  # neither
    pdf = tick(made["fillable"], tmp_path / "returned.pdf", on)
    before = listing(fresh / "answers")

    written, problems = ingest([pdf], fresh, campaign)

    assert written == [] and listing(fresh / "answers") == before
    messages = [p.message for p in problems]
    assert any(m.startswith("ข้อ 3 กาเครื่องหมายทั้ง มี และ ไม่มี") for m in messages)
    assert any(m.startswith("ข้อ 5 ยังไม่ได้กาเครื่องหมาย") for m in messages)
    assert any(m.startswith("ข้อ 12 ยังไม่ได้กาเครื่องหมาย") for m in messages)
    assert len(problems) == 3 and all(p.file == str(pdf) for p in problems)


def test_an_existing_answer_file_is_never_overwritten(made, tmp_path):
    inputs = tmp_path / "inputs"
    shutil.copytree(made["inputs"], inputs)  # still holds the shipped example answer of this center
    campaign = load_campaign(inputs)
    existing = inputs / "answers" / f"{made['center'].slug}.yaml"
    before = existing.read_bytes()
    physical, quality = answer_set(campaign.criteria)
    pdf = tick(made["fillable"], tmp_path / "returned.pdf", fields_on(physical, quality))

    written, problems = ingest([pdf], inputs, campaign)

    assert written == [] and existing.read_bytes() == before
    [problem] = problems
    assert problem.file == str(pdf) and existing.name in problem.message and "ไม่เขียนทับ" in problem.message


def test_every_problem_of_every_file_comes_back_at_once(made, fresh, tmp_path):
    campaign = load_campaign(fresh)
    physical, quality = answer_set(campaign.criteria)
    good = tick(made["fillable"], tmp_path / "good.pdf", fields_on(physical, quality))
    bad = tick(made["fillable"], tmp_path / "bad.pdf", fields_on(physical, quality) - {"p:1", "pn:1"})
    text = tmp_path / "notes.pdf"
    text.write_text("not a form", encoding="utf-8")

    written, problems = ingest([bad, text, good], fresh, campaign)

    assert written == [fresh / "answers" / f"{made['center'].slug}.yaml"]
    assert {p.file for p in problems} == {str(bad), str(text)}


def _encrypted(source: Path, target: Path, user_pw: str) -> Path:
    doc = fitz.open(source)
    doc.save(target, encryption=fitz.PDF_ENCRYPT_AES_256, owner_pw="owner-secret", user_pw=user_pw)
    return target


REFUSALS = {  # kind of file → what the Thai message says
    "text": "ไม่ใช่ไฟล์ PDF",
    "empty": "ไฟล์ว่าง",
    "truncated": "เสียหาย",
    "encrypted": "รหัสผ่าน",
    "owner-encrypted": "รหัสผ่าน",
    "blank form": "ไม่พบข้อมูลระบุศูนย์",
    "other pdf": "ไม่พบข้อมูลระบุศูนย์",
    "unknown center": "ไม่มีในรายชื่อศูนย์",
    "too big": "ใหญ่เกินไป",
    "missing": "ไม่พบไฟล์",
}


@pytest.mark.parametrize("kind", list(REFUSALS))
def test_files_that_are_not_our_forms_are_refused(made, fresh, tmp_path, kind):
    campaign = load_campaign(fresh)
    physical, quality = answer_set(campaign.criteria)
    ticked = tick(made["fillable"], tmp_path / "ticked.pdf", fields_on(physical, quality))
    pdf = tmp_path / f"{kind}.pdf"
    if kind == "text":
        pdf.write_text("province,center\nขอนแก่น,ชนบท\n", encoding="utf-8")
    elif kind == "empty":
        pdf.write_bytes(b"")
    elif kind == "truncated":
        data = ticked.read_bytes()
        pdf.write_bytes(data[: len(data) * 2 // 3])
    elif kind == "encrypted":
        _encrypted(ticked, pdf, "user-secret")
    elif kind == "owner-encrypted":
        _encrypted(ticked, pdf, "")
    elif kind == "blank form":
        shutil.copy(made["form"], pdf)  # the printed form: no fields, no identity
    elif kind == "other pdf":
        doc = fitz.open()
        doc.new_page().insert_text((72, 72), "hello")
        doc.set_metadata({"keywords": "invoice, 2021"})
        doc.save(pdf)
    elif kind == "unknown center":
        doc = fitz.open(ticked)
        doc.set_metadata(
            {
                **doc.metadata,
                "keywords": json.dumps(
                    {"gecc": 1, "order": 99, "province": "ขอนแก่น", "center": "ศูนย์ดำรงธรรมอำเภอชนบท"}, ensure_ascii=False
                ),
            }
        )
        doc.save(pdf)
    elif kind == "too big":
        with open(pdf, "wb") as out:  # sparse: costs no disk
            out.write(b"%PDF-1.7\n")
            out.truncate(MAX_PDF_BYTES + 1)
    before = listing(fresh / "answers")

    written, problems = ingest([pdf], fresh, campaign)

    assert written == [] and listing(fresh / "answers") == before
    [problem] = problems
    assert problem.file == str(pdf) and REFUSALS[kind] in problem.message, problem.message
