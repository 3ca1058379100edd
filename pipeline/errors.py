"""Every failure a clerk can meet, its exit status and its Thai message: in one place.

The stages raise their own exceptions (InputError, Busy, LibreOfficeError,
FontMissing, OSError …); the doors (command line, web) turn them into a message
and a status here, so no clerk ever sees a traceback.
"""

from __future__ import annotations

import errno
import signal
from dataclasses import dataclass
from enum import IntEnum
from pathlib import Path

from .convert import LibreOfficeError
from .guard import Busy, Terminated
from .problems import InputError

__all__ = ["Busy", "ExitCode", "Failure", "FontMissing", "InputError", "LibreOfficeError", "describe"]


class FontMissing(RuntimeError):
    """The Thai font could not be found through the conversion's fontconfig file."""


class ExitCode(IntEnum):
    ok = 0
    failed = 1  # a document, a check or an answer file failed, or an output could not be written
    bad_inputs = 2  # centers, circular or criteria are wrong: nothing was made
    busy = 3  # another run holds the outputs folder
    office = 4  # LibreOffice is missing or cannot start
    fonts = 5  # the Thai fonts are missing
    interrupted = 128 + signal.SIGINT  # 130, Ctrl-C
    terminated = 128 + signal.SIGTERM  # 143, SIGTERM


@dataclass(frozen=True)
class Failure:
    code: ExitCode
    message: str  # Thai, for the clerk; may span lines


def describe(error: BaseException, outputs: Path | None = None) -> Failure | None:
    """The exit status and message for an error a clerk can meet; None for a bug (let it show)."""
    if isinstance(error, InputError):
        lines = "".join(f"  - {p}\n" for p in error.problems)
        return Failure(
            ExitCode.bad_inputs, f"ข้อมูลนำเข้ามีปัญหา {len(error.problems)} รายการ (ยังไม่ได้สร้างเอกสารใด):\n{lines}"
        )
    if isinstance(error, Busy):
        where = f"โฟลเดอร์ผลลัพธ์ {outputs}" if outputs else "โฟลเดอร์ผลลัพธ์"
        return Failure(
            ExitCode.busy,
            f"{where} กำลังถูกใช้โดยการรันอื่น (pid {error.pid}) รอให้การรันนั้นเสร็จก่อนแล้วค่อยรันอีกครั้ง (ไม่ได้เขียนไฟล์ใด)\n",
        )
    if isinstance(error, KeyboardInterrupt):
        code = ExitCode.terminated if isinstance(error, Terminated) else ExitCode.interrupted
        return Failure(code, "\nถูกขัดจังหวะ: หยุดแล้ว ไม่มีไฟล์ที่เขียนค้างไว้ ไฟล์ที่เสร็จก่อนหน้ายังใช้ได้ รันใหม่ได้เลย\n")
    if isinstance(error, LibreOfficeError):
        return Failure(
            ExitCode.office,
            f"ใช้ LibreOffice ไม่ได้: {error}\n"
            "  ติดตั้งด้วยคำสั่ง make (หรือ apt-get install libreoffice-writer-nogui) "
            "แล้วรันใหม่อีกครั้ง ไฟล์ที่สร้างไว้ก่อนหน้ายังอยู่ครบ\n",
        )
    if isinstance(error, FontMissing) or (isinstance(error, FileNotFoundError) and "Laksaman" in str(error)):
        return Failure(
            ExitCode.fonts,
            f"ไม่พบฟอนต์ภาษาไทยที่ต้องใช้: {error}\n"
            "  รันคำสั่ง make เพื่อติดตั้งฟอนต์ (fonts-thai-tlwg) และสร้างฟอนต์แทน "
            "TH Sarabun New ใน build/fonts แล้วรันใหม่อีกครั้ง\n",
        )
    if isinstance(error, OSError):
        return Failure(ExitCode.failed, write_problem(error, outputs) + "ไม่ผ่าน: เขียนผลลัพธ์ไม่ครบ\n")
    return None


def write_problem(error: OSError, outputs: Path | None) -> str:
    """A failed read or write, in Thai, naming the file."""
    name = error.filename
    if name and outputs is not None:
        try:
            name = str(Path(name).relative_to(outputs.parent))
        except ValueError:
            pass
    where = f"เขียนไฟล์ {name} ไม่ได้" if name else "เขียนไฟล์ผลลัพธ์ไม่ได้"
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        why = "พื้นที่ดิสก์เต็ม"
    elif error.errno == errno.EFBIG:
        why = "พื้นที่ดิสก์เต็ม (ไฟล์ใหญ่เกินขนาดที่ระบบอนุญาต)"
    else:
        why = error.strerror or str(error)
    return f"{where}: {why}\n  ไฟล์ที่สร้างเสร็จก่อนหน้านี้ยังอยู่ครบและไม่ถูกแก้ไข แก้ปัญหาแล้วรันใหม่อีกครั้ง\n"
