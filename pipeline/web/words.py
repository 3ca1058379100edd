"""The web pages' words in one place: what a clerk reads instead of an identifier.

Templates reach this module as ``words`` (app.py); views take their messages from here,
so no page text lives in handler code. Numbers and dates are shown with Thai digits and
the Buddhist Era (pipeline.thai), like the documents.
"""

from __future__ import annotations

from datetime import datetime

from ..problems import Problem
from ..thai import thai_datetime, thai_digits, thai_text

# A center's state on the dashboard.
STATES = {
    "not started": "ยังไม่เริ่ม",
    "draft": "ร่าง (ยังไม่ส่ง)",
    "submitted": "ส่งแล้ว",
    "returned": "ส่งกลับแก้ไข",
    "accepted": "ตรวจรับแล้ว",
}

# A build's state.
BUILD_STATES = {"queued": "รอคิว", "running": "กำลังสร้าง", "done": "เสร็จเรียบร้อย", "failed": "ไม่สำเร็จ"}

# What each build button makes (the `gecc` command behind it is the key).
COMMANDS = {
    "build": "ทุกเอกสาร",
    "letters": "หนังสือเวียน",
    "forms": "แบบประเมิน สิ่งที่ส่งมาด้วย และชุดเอกสาร",
    "reports": "รายงานผล สรุปภาพรวม และจัดเก็บ",
    # Letters sent after the circular, each entered in the register of outgoing letters (gecc follow-up,
    # gecc results-letters): the same core, so the command line and the dashboard agree.
    "follow-up": "หนังสือติดตามจังหวัดที่มีศูนย์ยังไม่ส่ง",
    "results-letters": "หนังสือแจ้งผลถึงทุกจังหวัด",
}

# Folders of outputs/ as a clerk names what is in them.
FOLDERS = {
    "": "ไฟล์หลัก",
    "letters": "หนังสือเวียน",
    "letters/follow-up": "หนังสือติดตาม",
    "letters/results": "หนังสือแจ้งผล",
    "enclosures": "สิ่งที่ส่งมาด้วย",
    "forms": "แบบประเมินตนเอง",
    "package": "ชุดเอกสารรายจังหวัด",
    "print": "ไฟล์สำหรับพิมพ์",
    "reports": "รายงานผลการประเมิน",
    "summary": "สรุปภาพรวม",
}

# File types a download link offers.
FILE_TYPES = {"pdf": "PDF", "docx": "Word", "csv": "ตาราง CSV", "json": "ไฟล์ข้อมูล", "xlsx": "Excel"}

# Documents of the whole campaign under outputs/ (by path without suffix), as a clerk names them.
DOCUMENTS = {
    "check": "ผลตรวจเอกสารทุกฉบับ",
    "links": "ลิงก์ของทุกศูนย์",
    "letters/all-provinces": "หนังสือเวียนถึงทุกจังหวัด",
    "package/all-provinces": "ชุดเอกสารถึงทุกจังหวัด",
    "enclosures/centers": "บัญชีรายชื่อศูนย์ (สิ่งที่ส่งมาด้วย)",
    "enclosures/criteria": "หลักเกณฑ์การประเมิน (สิ่งที่ส่งมาด้วย)",
    "print/forms": "แบบประเมินทุกศูนย์ รวมเล่มสำหรับพิมพ์",
    "print/letters": "หนังสือเวียนทุกฉบับ รวมเล่มสำหรับพิมพ์",
    "summary/results": "ตัวเลขผลการประเมินรายศูนย์",
    "summary/summary": "สรุปผลการประเมินภาพรวม",
    "summary/summary-chart": "แผนภูมิสรุปผลการประเมิน",
    "register": "ทะเบียนหนังสือส่ง",
    "audit": "บันทึกการกระทำ",
}

# Each check a PDF goes through, described (check/rules.py, check/kinds.py).
RULES = {
    "open": "เปิดไฟล์ได้",
    "a4_portrait": "กระดาษ A4 แนวตั้งทุกหน้า",
    "fonts_embedded": "ฝังแบบอักษรไว้ในไฟล์ครบ",
    "thai_font": "ใช้แบบอักษร TH Sarabun New",
    "clean_text": "ข้อความไม่มีอักขระเสียหรือสระลอย",
    "thai_digits": "ใช้เลขไทยในเนื้อความ",
    "margins": "ระยะขอบกระดาษตามระเบียบ",
    "expected_text": "มีข้อความที่ต้องมีครบ",
    "pdfa": "เป็นไฟล์ PDF/A สำหรับเก็บถาวร",
    "pages": "จำนวนหน้าถูกต้อง",
    "page_numbers": "เลขหน้าถูกต้อง",
    "parts": "มีส่วนของหนังสือครบตามแบบ",
    "layout": "ตำแหน่งส่วนต่าง ๆ ของหนังสือตามแบบ",
    "boxes": "ช่องกาครบทุกข้อ",
    "ticks": "เครื่องหมายถูกตรงกับคำตอบ",
    "chart": "แผนภูมิตรงกับตัวเลข",
    "fields": "ช่องกรอกได้ครบทุกข้อ",
    "source": "ชุดเอกสารมีเอกสารครบทุกฉบับ",
    "results_csv": "ตัวเลขผลการประเมินตรงกับคำตอบ",
    "table_word_breaks": "ไม่มีคำถูกตัดกลางคำในช่องตาราง",
    "entries": "ทะเบียนหนังสือส่งมีหนังสือครบทุกฉบับ",
}
OTHER_RULE = "การตรวจอื่น"

YES, NO = "ผ่าน", "ไม่ผ่าน"
VERSION = "ฉบับที่ {n}"


def rule(name: str) -> str:
    return RULES.get(name, OTHER_RULE)


def document(path: str) -> str:
    """A file under outputs/ as a clerk names it: “แบบประเมินตนเอง ๐๒ นนทบุรี บางบัวทอง (แบบกรอกได้)”."""
    folder, _, name = path.rpartition("/")
    stem = name.rsplit(".", 1)[0] if "." in name else name
    key = f"{folder}/{stem}" if folder else stem
    if key in DOCUMENTS:
        return DOCUMENTS[key]
    extra = ""
    if stem.endswith("-fillable"):
        stem, extra = stem.removesuffix("-fillable"), " (แบบกรอกได้)"
    kind = FOLDERS.get(folder, FOLDERS.get(folder.split("/")[0], "")) if folder else ""
    return thai_digits(" ".join(w for w in [kind, *stem.split("-")] if w)) + extra


def when(stamp: float | None) -> str:
    """A moment as a person reads it: “๕ ธ.ค. ๒๕๖๙ ๑๗:๑๔” (empty for none)."""
    return thai_datetime(datetime.fromtimestamp(stamp)) if stamp else ""


def number(value: object) -> str:
    return thai_digits(value)


def version(n: int) -> str:
    return VERSION.format(n=thai_digits(n))


# The center form's fields, as a problem names them (the form's field names are a contract for scripts).
FIELDS = {"assessor_name": "ชื่อ-สกุลผู้ประเมิน", "assessor_position": "ตำแหน่งผู้ประเมิน", "assessed_on": "วันที่ประเมิน"}
FIELD_PREFIXES = {"p:": "ด้านกายภาพ ข้อ ", "q:": "ด้านคุณภาพ ข้อ ", "notes:": "หมายเหตุ ข้อ "}
# Answer-file wording in a problem, and what the web form says instead.
WEB_WORDING = {"(ใส่ มี หรือ ไม่มี)": "(เลือก มี หรือ ไม่มี)", "ยังไม่ได้กรอก (ต้องมี name และ position)": "ยังไม่ได้กรอก"}


def field(name: str) -> str:
    """“ตำแหน่งผู้ประเมิน”, “ด้านกายภาพ ข้อ ๓”: the field a problem is about."""
    if name in FIELDS:
        return FIELDS[name]
    for prefix, said in FIELD_PREFIXES.items():
        if name.startswith(prefix):
            return said + thai_digits(name[len(prefix) :])
    return ""


def web_message(message: str) -> str:
    """A validation message as the web form says it: its wording, Thai digits."""
    for said, instead in WEB_WORDING.items():
        message = message.replace(said, instead)
    return thai_text(message)


# Columns of the centers list, as a problem with an uploaded list names them.
COLUMNS = {"order": "ลำดับ", "province": "จังหวัด", "center": "ศูนย์", "note": "หมายเหตุ"}


def problem(p: Problem) -> str:
    """A problem of an uploaded file: where (row) and which column in Thai words, then what is wrong."""
    place = " ".join(x for x in (thai_text(p.where or ""), COLUMNS.get(p.field or "", "")) if x)
    return f"{place}: {thai_text(p.message)}" if place else thai_text(p.message)


def account(name: str) -> str:
    """An account as the menu names it (the account an upgrade made from the old password has an English name)."""
    return "กรมการปกครอง" if name == "department" else name


# Messages the views show (the pages' own text is in the templates).
CLOSED = "กรมการปกครองปิดรับแบบประเมินแล้ว แก้ไขหรือส่งใหม่ไม่ได้"
EXPIRED = "แบบฟอร์มหมดอายุหรือไม่ถูกต้อง โปรดเปิดหน้าเดิมแล้วส่งใหม่"
NOT_ALLOWED = "ไม่อนุญาต"
DEPARTMENT_ONLY = "บัญชีของจังหวัดทำรายการนี้ไม่ได้ (เฉพาะกรมการปกครอง)"
SAVE_FAILED = "บันทึกไม่สำเร็จ ระบบเก็บสิ่งที่กรอกไว้เป็นร่างแล้ว โปรดส่งใหม่อีกครั้งภายหลัง ({reason})"
ONLINE_FORM = "แบบประเมินออนไลน์"
BUILD_RESTARTED = "เริ่มใหม่หลังเปิดระบบอีกครั้ง"
BUILD_STOPPED = "การสร้างหยุดกลางคัน (กระบวนการสร้างเอกสารถูกปิด) สั่งใหม่ได้"
BUILD_BUSY = "มีการสร้างเอกสารอื่นใช้โฟลเดอร์ผลลัพธ์อยู่ (จากหน้าเว็บหรือคำสั่ง) รอให้เสร็จแล้วสั่งใหม่"
WHOLE_COUNTRY = "ทั้งประเทศ"
NOT_FOUND = ("ไม่พบหน้านี้", "ลิงก์นี้ไม่ถูกต้องหรือถูกยกเลิกแล้ว โปรดติดต่อกรมการปกครองเพื่อขอลิงก์ใหม่")
FORBIDDEN = "ไม่อนุญาต"
INPUTS_WRONG = ("ระบบยังไม่พร้อม", "ข้อมูลนำเข้าของการประเมินมีปัญหา กรมการปกครองกำลังแก้ไข โปรดลองใหม่ภายหลัง")
CANNOT = "ทำรายการนี้ไม่ได้"
# The database or a file of the server could not be read or written (app.storage_error).
DISK_FULL = (
    "ระบบบันทึกข้อมูลไม่ได้ชั่วคราว",
    "พื้นที่ดิสก์ของเครื่องแม่ข่ายเต็ม ข้อมูลที่บันทึกแล้วยังอยู่ครบ โปรดแจ้งผู้ดูแลระบบแล้วลองใหม่ภายหลัง",
)
STORAGE_ERROR = (
    "ระบบบันทึกข้อมูลไม่ได้ชั่วคราว",
    "อ่านหรือเขียนข้อมูลในเครื่องแม่ข่ายไม่ได้ ข้อมูลที่บันทึกแล้วยังอยู่ครบ โปรดแจ้งผู้ดูแลระบบแล้วลองใหม่ภายหลัง",
)
SERVER_ERROR = ("เกิดข้อผิดพลาด", "ระบบทำรายการนี้ไม่สำเร็จ ข้อมูลที่บันทึกแล้วยังอยู่ครบ โปรดลองใหม่อีกครั้ง")
NO_COMMAND = ("คำสั่งไม่ถูกต้อง", "ไม่มีคำสั่งนี้")
TOO_MANY_TRIES = "ลองเข้าสู่ระบบผิดหลายครั้งเกินไป โปรดรอ ๑๕ นาทีแล้วลองใหม่"
WRONG_PASSWORD = "ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง"
