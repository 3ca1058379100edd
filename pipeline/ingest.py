"""Ticked fillable forms → answer files: ``gecc ingest``, and the web app's upload of forms (``edits.py``)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import fitz

from .answer_files import TEMPLATE, answer_files_of, render_answer_file, shorten
from .files import write_new
from .fillable import PHYSICAL_NO, PHYSICAL_YES, QUALITY, field_names, read_identity
from .load.limits import LINK
from .model import Campaign, Center
from .problems import Problem

MAX_PDF_BYTES = 50 * 1024 * 1024  # a fillable form is well under 1 MB; anything this big is not one
MAX_PDF_PAGES = 100
_NOT_OURS = (
    "ไม่ใช่แบบประเมินแบบกรอกได้ที่โปรแกรมนี้สร้าง: ใช้ไฟล์แบบกรอกได้ของศูนย์ที่ได้รับไป แล้วกาเครื่องหมายและบันทึก (Save) ในโปรแกรมอ่าน PDF"
)
_FROM_PAPER = (
    "# วันที่ประเมินและผู้ประเมิน: เจ้าหน้าที่ต้องกรอกเองจากแบบประเมินฉบับกระดาษที่ลงนามแล้ว\n"
    "# (ชื่อ ตำแหน่ง ของผู้ประเมิน และวันที่ประเมิน) เพราะพิมพ์ภาษาไทยลงในช่องของแบบ PDF ไม่ได้\n"
    "# โปรแกรมจะไม่ใช้คำตอบนี้จนกว่าจะกรอกครบ\n"
)


def ingest(
    pdfs: Sequence[Path],
    inputs: Path,
    campaign: Campaign,
    *,
    template: Path = TEMPLATE,
    names: Sequence[str] | None = None,
) -> tuple[list[Path], list[Problem]]:
    """Answer files from fillable forms ticked in a PDF reader: the files written, and every problem.

    Each PDF must be one of this project's fillable forms (``pipeline.fillable``),
    for a center of the campaign, with every checkbox field present, exactly one
    of มี / ไม่มี ticked for each physical item. Its answers go to
    ``inputs/answers/<slug>.yaml``, laid out like init-answers' files, with the
    date and the assessor left blank for the clerk to copy from the signed paper
    form. Nothing is written for a PDF with any problem, and no existing answer
    of the center is ever replaced: a clerk decides which one counts.

    ``names``: what each PDF is called in messages (an upload's own file name,
    not the temporary file it was kept in); the path itself by default.
    """
    folder = inputs / "answers"
    source = template.read_text(encoding="utf-8")
    written: list[Path] = []
    problems: list[Problem] = []
    for n, pdf in enumerate(pdfs):
        display = names[n] if names is not None else str(pdf)
        found: list[Problem] = []
        read = _read_form(Path(pdf), display, campaign, found)
        problems += found
        if read is None:
            continue
        center, values = read
        existing = answer_files_of(folder, center, campaign.centers)
        if existing:
            problems.append(
                Problem(
                    display,
                    f"มีไฟล์คำตอบของ{center.name} จังหวัด{center.province} อยู่แล้ว: "
                    f"{', '.join(_inputs_path(p, inputs) for p in existing)} "
                    "(ไม่เขียนทับ: ถ้าจะใช้คำตอบจากแบบนี้ ให้ย้ายไฟล์เดิมออกจากโฟลเดอร์ "
                    "answers ก่อน แล้วนำเข้าใหม่)",
                )
            )
            continue
        target = folder / f"{center.slug}.yaml"
        text = _ingested_text(render_answer_file(source, center, campaign.criteria, values), Path(pdf).name)
        if write_new(target, text):
            written.append(target)
        else:  # appeared meanwhile
            problems.append(Problem(display, f"มีไฟล์ {_inputs_path(target, inputs)} อยู่แล้ว (ไม่เขียนทับ)"))
    return written, problems


def _read_form(
    pdf: Path, display: str, campaign: Campaign, problems: list[Problem]
) -> tuple[Center, dict[str, dict[str, str]]] | None:
    """The center and the answers of one ticked form ("physical"/"quality" → id → text); None after a problem."""

    def refuse(message: str) -> None:
        problems.append(Problem(display, message))

    try:
        if pdf.is_symlink():
            refuse(LINK)
            return None
        if not pdf.is_file():
            refuse("ไม่พบไฟล์")
            return None
        size = pdf.stat().st_size
        if size > MAX_PDF_BYTES:
            refuse(f"ไฟล์ใหญ่เกินไป ({size / 1024 / 1024:.0f} MB; แบบกรอกได้มีขนาดไม่ถึง 1 MB) {_NOT_OURS}")
            return None
        with open(pdf, "rb") as file:
            head = file.read(1024)
    except OSError as error:
        refuse(f"อ่านไฟล์ไม่ได้ ({error.strerror or error})")
        return None
    if b"%PDF-" not in head:
        refuse("ไม่ใช่ไฟล์ PDF" + (" (ไฟล์ว่าง)" if not head else "") + f": {_NOT_OURS}")
        return None
    shown = fitz.TOOLS.mupdf_display_errors()
    fitz.TOOLS.mupdf_display_errors(False)  # a damaged file is reported here, in Thai, not by MuPDF on stderr
    try:
        try:
            doc = fitz.open(pdf, filetype="pdf")
        except Exception:  # MuPDF raises several kinds for a file it cannot read
            refuse("เปิดไฟล์ PDF ไม่ได้ ไฟล์อาจเสียหายหรือส่งมาไม่ครบ: ขอให้ศูนย์ส่งไฟล์มาใหม่")
            return None
        try:
            return _read_doc(doc, display, campaign, problems)
        except Exception:  # a damaged object deep in the file
            refuse("อ่านช่องกาเครื่องหมายในไฟล์ไม่ได้ ไฟล์อาจเสียหาย: ขอให้ศูนย์ส่งไฟล์มาใหม่")
            return None
        finally:
            doc.close()
    finally:
        fitz.TOOLS.mupdf_display_errors(shown)


def _read_doc(
    doc: fitz.Document, display: str, campaign: Campaign, problems: list[Problem]
) -> tuple[Center, dict[str, dict[str, str]]] | None:
    def refuse(message: str) -> None:
        problems.append(Problem(display, message))

    # is_encrypted turns False once a file without an open password is opened: the Encrypt entry still says so
    if doc.needs_pass or doc.is_encrypted or (doc.metadata or {}).get("encryption"):
        refuse("ไฟล์ถูกตั้งรหัสผ่านหรือเข้ารหัสไว้ โปรแกรมอ่านไม่ได้: ให้บันทึกแบบใหม่โดยไม่ตั้งรหัสผ่าน")
        return None
    if doc.is_repaired:
        # A cut-off file opens "repaired", often without the ticks saved last: its answers cannot be trusted.
        refuse("ไฟล์ PDF เสียหายหรือส่งมาไม่ครบ (โปรแกรมต้องซ่อมไฟล์จึงจะเปิดได้ คำตอบอาจหายไป): ขอให้ศูนย์ส่งไฟล์มาใหม่")
        return None
    if not doc.is_pdf or doc.page_count > MAX_PDF_PAGES:
        refuse(_NOT_OURS)
        return None
    data = read_identity(doc)
    if data is None:
        refuse(f"{_NOT_OURS} (ไม่พบข้อมูลระบุศูนย์ในไฟล์)")
        return None
    province, name = data.get("province"), data.get("center")
    center = next((c for c in campaign.centers if c.province == province and c.name == name), None)
    if center is None:  # what the file says, shortened: anyone can write anything there
        said = f"“{shorten(str(name), 80)}” จังหวัด “{shorten(str(province), 40)}”"
        refuse(f"เป็นแบบของ {said} ซึ่งไม่มีในรายชื่อศูนย์ (inputs/centers.csv)")
        return None
    criteria = campaign.criteria
    ticked: dict[str, bool] = {}
    for page in doc:
        for widget in page.widgets():
            if widget.field_type != fitz.PDF_WIDGET_TYPE_CHECKBOX:
                continue
            on = widget.field_value not in (None, False, "", "Off")
            ticked[widget.field_name] = ticked.get(widget.field_name, False) or on
    missing = [n for n in field_names(criteria) if n not in ticked]
    found = len(problems)
    if missing:
        listed = ", ".join(missing[:10]) + (f" และอีก {len(missing) - 10} ช่อง" if len(missing) > 10 else "")
        refuse(f"ไม่พบช่องกาเครื่องหมาย {listed} ({len(missing)} ช่อง) แบบอาจถูกแก้ไขด้วยโปรแกรมอื่น: ให้ใช้แบบกรอกได้ที่โปรแกรมสร้าง")
    values: dict[str, dict[str, str]] = {"physical": {}, "quality": {}}
    for item in criteria.physical:
        yes, no = f"{PHYSICAL_YES}{item.id}", f"{PHYSICAL_NO}{item.id}"
        if yes not in ticked or no not in ticked:
            continue
        if ticked[yes] and ticked[no]:
            problems.append(
                Problem(display, f"ข้อ {item.id} กาเครื่องหมายทั้ง มี และ ไม่มี (ให้กาช่องเดียว)", criteria.physical_title, yes)
            )
        elif not ticked[yes] and not ticked[no]:
            problems.append(
                Problem(display, f"ข้อ {item.id} ยังไม่ได้กาเครื่องหมาย (ให้กา มี หรือ ไม่มี)", criteria.physical_title, yes)
            )
        else:
            values["physical"][item.id] = "มี" if ticked[yes] else "ไม่มี"
    for question in criteria.quality:
        key = f"{QUALITY}{question.id}"
        if key in ticked:
            values["quality"][question.id] = "true" if ticked[key] else "false"
    if len(problems) > found:
        return None
    return center, values


def _ingested_text(text: str, source: str) -> str:
    """The rendered answer file, saying where its answers came from and what the clerk still fills in."""
    header = f"# นำเข้าคำตอบจากแบบกรอกได้ {source} โดยโปรแกรม (กาเครื่องหมายในแบบ PDF; ข้อที่ไม่ได้กาในเกณฑ์ที่ ๒ บันทึกเป็น false)\n"
    marker = "\nassessed_on:"
    if marker in text:
        text = text.replace(marker, "\n" + _FROM_PAPER.rstrip("\n") + marker, 1)
    else:
        header += _FROM_PAPER
    return header + text


def _inputs_path(path: Path, inputs: Path) -> str:
    try:
        return str(Path(inputs.name) / path.relative_to(inputs))
    except ValueError:
        return str(path)
