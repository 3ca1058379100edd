"""Reading a file anyone may have put in the inputs: never through a link, always within limits.

Centers e-mail their workbooks, and a wrong, broken or hostile file must stay one
problem naming that file, never a traceback, a hang or a page that fails for
every center. So an input is read only if it is a regular file (a symbolic link
is named and not followed: it could point anywhere, and no file's content may be
echoed in a message), no larger than ``MAX_BYTES``; a workbook (a zip of XML)
only if every member is within a size and a compression-ratio limit, no XML
member has a DTD (so no entity can expand: defusedxml refuses them again inside
openpyxl), merged areas are bounded, and it is parsed within ``READ_SECONDS``.
"""

from __future__ import annotations

import io
import os
import re
import stat
import time
import zipfile

from ..problems import Problem

MAX_BYTES = 20 * 1024 * 1024  # a national list is a few hundred kB; more is a wrong file
MAX_UNCOMPRESSED = 60 * 1024 * 1024  # every member of a workbook together, unpacked (878 centers: about 3 MB)
MAX_RATIO = 100  # unpacked / packed of a member over 1 MB (sheets of real workbooks: 5 to 20)
_RATIO_FROM = 1024 * 1024
MAX_MERGED = 200_000  # cells covered by merged areas (openpyxl makes an object for each)
READ_SECONDS = float(os.environ.get("GECC_READ_TIMEOUT", "60"))
_XML_MEMBERS = (".xml", ".rels", ".vml")
_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\s[^>]*?ref="([A-Z]{1,3})([0-9]{1,7}):([A-Z]{1,3})([0-9]{1,7})"')

LINK = "เป็นลิงก์ (symbolic link) ไปยังไฟล์อื่น: ไม่อ่านไฟล์ผ่านลิงก์ ให้วางไฟล์จริงไว้แทน"


def read_input(path: os.PathLike[str] | str, display: str, problems: list[Problem]) -> bytes | None:
    """The bytes of a regular file of at most ``MAX_BYTES``; None (and the problem) otherwise.

    Opened with O_NOFOLLOW, so a link swapped in after any earlier look is still not followed.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as error:
        problems.append(Problem(display, LINK if os.path.islink(path) else _unreadable(error)))
        return None
    with os.fdopen(fd, "rb") as file:
        info = os.fstat(file.fileno())
        if not stat.S_ISREG(info.st_mode):
            problems.append(Problem(display, "ไม่ใช่ไฟล์ธรรมดา (เป็นโฟลเดอร์หรืออุปกรณ์): ไม่อ่าน"))
            return None
        if info.st_size > MAX_BYTES:
            problems.append(too_large(display, info.st_size))
            return None
        data = file.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        problems.append(too_large(display, len(data)))
        return None
    return data


def too_large(display: str, size: int) -> Problem:
    return Problem(display, f"ไฟล์ใหญ่เกินไป ({size:,} ไบต์; รับได้ไม่เกิน {MAX_BYTES:,} ไบต์)")


def _unreadable(error: OSError) -> str:
    return f"เปิดไฟล์ไม่ได้ ({error.strerror or type(error).__name__})"


def is_link(path: os.PathLike[str] | str) -> bool:
    return os.path.islink(path)


# --- workbooks --------------------------------------------------------------------


BROKEN_WORKBOOK = (
    "เปิดไฟล์ Excel ไม่ได้ (ไฟล์เสีย ตั้งรหัสผ่านไว้ หรือไม่ใช่ไฟล์ .xlsx จริง): "
    "ให้เปิดใน Excel แล้วบันทึกใหม่เป็น Excel Workbook (.xlsx) หรือ CSV"
)


def workbook_problem(data: bytes) -> str | None:
    """Why this .xlsx must not be opened (the message, in Thai), or None: members, sizes, ratios, DTDs, merges."""
    try:
        book = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as error:
        return f"{BROKEN_WORKBOOK} [{type(error).__name__}]"
    problem = _members_problem(book)
    return None if problem is None else f"เปิดไฟล์ Excel ไม่ได้: {problem}"


def _members_problem(book: zipfile.ZipFile) -> str | None:
    with book:
        members = book.infolist()
        total = sum(m.file_size for m in members)
        if total > MAX_UNCOMPRESSED:
            return f"เมื่อคลายไฟล์แล้วใหญ่เกินไป ({total:,} ไบต์; รับได้ไม่เกิน {MAX_UNCOMPRESSED:,} ไบต์)"
        merged = 0
        for member in members:
            if member.file_size > _RATIO_FROM and member.file_size > MAX_RATIO * max(member.compress_size, 1):
                return f"ส่วน {member.filename[:60]} ถูกบีบอัดมากผิดปกติ (เกิน {MAX_RATIO} เท่า): ไม่ใช่สมุดงานที่ Excel บันทึกตามปกติ"
            if not member.filename.lower().endswith(_XML_MEMBERS):
                continue
            try:
                xml = book.read(member)  # bounded: the declared size, checked above, is all zipfile gives
            except (zipfile.BadZipFile, NotImplementedError, ValueError, OSError, EOFError, RuntimeError):
                return "ไฟล์เสียหรือถูกตัด (อ่านส่วนประกอบในไฟล์ไม่ครบ): บันทึกใหม่จาก Excel"
            if b"<!DOCTYPE" in xml or b"<!ENTITY" in xml:
                return "มีการประกาศ DTD หรือ entity ในไฟล์ (Excel ไม่เขียนแบบนี้): ไม่เปิด เพื่อความปลอดภัย"
            for match in _MERGE.finditer(xml):
                merged += _area(*match.groups())
                if merged > MAX_MERGED:
                    return f"มีช่องที่ผสานเซลล์ (merge) รวมกันมากเกินไป (เกิน {MAX_MERGED:,} ช่อง)"
    return None


def _column(letters: bytes) -> int:
    number = 0
    for c in letters:
        number = number * 26 + c - ord("A") + 1
    return number


def _area(c1: bytes, r1: bytes, c2: bytes, r2: bytes) -> int:
    return (abs(int(r2) - int(r1)) + 1) * (abs(_column(c2) - _column(c1)) + 1)


class ReadTimeout(Exception):
    """Parsing a workbook took longer than READ_SECONDS."""


class DeadlineBytes(io.BytesIO):
    """A file in memory whose every read past ``seconds`` from now raises ReadTimeout.

    openpyxl reads a workbook member by member as it parses, so the bound holds
    while it works, whatever in the file makes it slow.
    """

    def __init__(self, data: bytes, seconds: float = READ_SECONDS):
        super().__init__(data)
        self.deadline = time.monotonic() + seconds

    def read(self, size: int | None = -1, /) -> bytes:
        if time.monotonic() > self.deadline:
            raise ReadTimeout
        return super().read(size)
