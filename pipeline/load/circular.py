"""inputs/circular.yaml: the circular's content (see the comments in that file).

``format`` names the letter's format (model.LetterFormat): each format has its
own parts, and a key of the other format's parts is an error naming it, so a
clerk never gets a letter that silently drops (or mixes in) a part.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

from ..model import CenterList, Circular, LetterFormat, Owner, Signer
from ..problems import Problem
from ..thai import thai_date
from .yamlfile import DATE, TEXT, YamlFile, check_template_fields, optional, read_yaml, validate

STAMPED, EXTERNAL = LetterFormat.STAMPED, LetterFormat.EXTERNAL
VARIANTS = {"province": TEXT, "all": TEXT}
COMMON = {  # and "format", read first (_format)
    "urgency": optional(TEXT, ""),
    "number": TEXT,
    "addressee": VARIANTS,
    "paragraphs": [TEXT],
    "office": [TEXT],
    "date": DATE,
    "deadline": optional(DATE, None),
    "owner": {"unit": [TEXT], "phone_line": TEXT, "email_line": optional(TEXT, "")},
    "emblem": optional(TEXT, ""),
    "center_list": {
        "title": [TEXT],
        "as_of": DATE,
        "columns": {"order": TEXT, "province": TEXT, "center": TEXT, "note": TEXT},
    },
}
OWN: dict[LetterFormat, dict[str, Any]] = {
    STAMPED: {"stamp": optional(TEXT, "")},
    EXTERNAL: {
        "subject": TEXT,
        "salutation": optional(TEXT, "เรียน"),
        "references": optional([TEXT], []),
        "enclosures": optional(
            {"province": optional([TEXT], []), "all": optional([TEXT], [])}, {"province": [], "all": []}
        ),
        "closing": optional(TEXT, "ขอแสดงความนับถือ"),
        "signer": {"name": TEXT, "position": [TEXT]},
    },
}
# What each format-only key is called in the regulation, for the message about a key the format lacks.
PART_NAMES = {
    "stamp": "ตราชื่อส่วนราชการ",
    "subject": "เรื่อง",
    "salutation": "คำขึ้นต้น (เรียน)",
    "references": "อ้างถึง",
    "enclosures": "สิ่งที่ส่งมาด้วย",
    "closing": "คำลงท้าย (ขอแสดงความนับถือ)",
    "signer": "ลงชื่อ (ชื่อเต็มและตำแหน่ง)",
}
REQUIRED_TEXT = {STAMPED: ("number",), EXTERNAL: ("number", "subject", "salutation", "closing")}
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg"}
IMAGE_NAMES = {"emblem": "ภาพตราครุฑ", "stamp": "ภาพตราชื่อส่วนราชการ"}


def load_circular(path: Path, display: str, problems: list[Problem]) -> Circular | None:
    file = read_yaml(path, display, problems)
    if file is None:
        return None
    found = len(problems)
    if not isinstance(file.data, dict):
        validate(file, COMMON, problems)  # says what the file should hold
        return None
    letter_format = _format(file, problems)
    # Keys of the other format's parts: named as such, then left out of the schema check
    # (which would only call them unknown). Unknown format: only the common keys are checked.
    own = OWN.get(letter_format, {}) if letter_format is not None else {}
    foreign = {k for spec in OWN.values() for k in spec} - set(own)
    if letter_format is not None:
        for key in file.data:
            if key in foreign:
                problems.append(Problem(display, _foreign_message(letter_format, str(key)), file.where((key,)), key))
    kept = {k: v for k, v in file.data.items() if k not in foreign and k != "format"}
    data = validate(YamlFile(display, kept, file.lines), {**COMMON, **own}, problems)
    if data is None or letter_format is None:
        return None
    for key in REQUIRED_TEXT[letter_format]:
        if data.get(key) == "":
            problems.append(Problem(display, f"“{key}” ต้องไม่ว่าง", file.where((key,)), key))
    if data.get("paragraphs") == []:
        problems.append(Problem(display, "ต้องมีเนื้อความอย่างน้อยหนึ่งย่อหน้า", file.where(("paragraphs",)), "paragraphs"))
    if data.get("office") == []:  # the sending office (stamped) or the issuing office (external): a part of both
        problems.append(Problem(display, "ต้องมีชื่อส่วนราชการอย่างน้อยหนึ่งบรรทัด", file.where(("office",)), "office"))
    _check_jinja(file, data, problems)
    _check_deadline(file, data, problems)
    images = {key: _image(path.parent, key, data.get(key) or "", file, problems) for key in IMAGE_NAMES}
    if len(problems) > found:
        return None
    cl = data["center_list"]
    common = dict(
        format=letter_format,
        urgency=data["urgency"],
        number=data["number"],
        office=tuple(data["office"]),
        date=data["date"],
        deadline=data["deadline"],
        addressee=data["addressee"],
        paragraphs=tuple(data["paragraphs"]),
        owner=Owner(tuple(data["owner"]["unit"]), data["owner"]["phone_line"], data["owner"]["email_line"]),
        center_list=CenterList(tuple(cl["title"]), cl["as_of"], cl["columns"]),
        emblem=images["emblem"],
    )
    if letter_format is STAMPED:
        return Circular(**common, stamp=images["stamp"])
    return Circular(
        **common,
        subject=data["subject"],
        salutation=data["salutation"],
        references=tuple(data["references"]),
        enclosures={k: tuple(v) for k, v in data["enclosures"].items()},
        closing=data["closing"],
        signer=Signer(data["signer"]["name"], tuple(data["signer"]["position"])),
    )


def _format(file: YamlFile, problems: list[Problem]) -> LetterFormat | None:
    """The letter format the file names; None (and a problem) when it names none or an unknown one."""
    names = [f.value for f in LetterFormat]
    value = file.data.get("format")
    if value is None:
        problems.append(
            Problem(file.display, f"ขาดคีย์ “format” ที่ต้องมี: รูปแบบหนังสือ ({' หรือ '.join(names)})", file.where(("format",)))
        )
        return None
    text = str(value).strip()
    for letter_format in LetterFormat:
        if text == letter_format.value:
            return letter_format
    close = difflib.get_close_matches(text, names, n=1, cutoff=0.5)
    hint = f" หรือหมายถึง “{close[0]}”?" if close else ""
    problems.append(
        Problem(
            file.display,
            f"ไม่รู้จักรูปแบบหนังสือ “{text}”{hint} (ใช้ได้: {', '.join(names)})",
            file.where(("format",)),
            "format",
        )
    )
    return None


def _foreign_message(letter_format: LetterFormat, key: str) -> str:
    other = next(f for f in LetterFormat if f is not letter_format)
    return (
        f"หนังสือ{letter_format.value}ไม่มีส่วน “{PART_NAMES[key]}” (มีเฉพาะในหนังสือ{other.value}): "
        f"ลบคีย์ “{key}” ออก หรือเปลี่ยน format เป็น {other.value}"
    )


def _check_deadline(file: YamlFile, data: dict[str, Any], problems: list[Problem]) -> None:
    """The centers cannot be asked to answer before the circular that asks them is dated."""
    deadline, dated = data.get("deadline"), data.get("date")
    if deadline is not None and dated is not None and deadline < dated:
        problems.append(
            Problem(
                file.display,
                f"กำหนดส่ง (deadline) {thai_date(deadline)} อยู่ก่อนวันที่ของหนังสือ (date) {thai_date(dated)}",
                file.where(("deadline",)),
                "deadline",
            )
        )


def _check_jinja(file: YamlFile, data: dict[str, Any], problems: list[Problem]) -> None:
    """Template fields in the texts must at least parse; undefined names fail at render."""
    texts: list[tuple[tuple[str | int, ...], Any]] = [(("addressee", k), v) for k, v in data["addressee"].items()]
    texts += [(("paragraphs", i), v) for i, v in enumerate(data["paragraphs"])]
    texts += [(("subject",), data["subject"])] if "subject" in data else []
    texts += [(("references", i), v) for i, v in enumerate(data.get("references") or [])]
    texts += [
        (("enclosures", k, i), v) for k, vs in (data.get("enclosures") or {}).items() for i, v in enumerate(vs or [])
    ]
    check_template_fields(file, texts, problems)


def _image(folder: Path, key: str, value: str, file: YamlFile, problems: list[Problem]) -> Path | None:
    if not value:
        return None
    name = IMAGE_NAMES[key]
    path = (folder / value).resolve()
    if not path.is_file():
        problems.append(Problem(file.display, f"ไม่พบไฟล์{name} “{value}”", file.where((key,)), key))
    elif path.suffix.lower() not in IMAGE_SUFFIXES:
        problems.append(Problem(file.display, f"{name}ต้องเป็นไฟล์ .png หรือ .jpg", file.where((key,)), key))
    else:
        return path
    return None
