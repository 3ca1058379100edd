"""inputs/circular.yaml: the circular's content (see the comments in that file)."""

from __future__ import annotations

from pathlib import Path

from jinja2 import TemplateSyntaxError

from ..model import CenterList, Circular, Owner, Signer
from ..problems import Problem
from ..templating import TEXT_ENV
from .yamlfile import DATE, TEXT, YamlFile, optional, read_yaml, validate

VARIANTS = {"province": TEXT, "all": TEXT}
SPEC = {
    "urgency": optional(TEXT, ""),
    "number": TEXT,
    "office": [TEXT],
    "date": DATE,
    "subject": TEXT,
    "salutation": TEXT,
    "addressee": VARIANTS,
    "references": optional([TEXT], []),
    "enclosures": {"province": optional([TEXT], []), "all": optional([TEXT], [])},
    "paragraphs": [TEXT],
    "closing": optional(TEXT, ""),
    "signer": {"name": TEXT, "position": [TEXT]},
    "owner": {"unit": [TEXT], "phone_line": TEXT, "email_line": optional(TEXT, "")},
    "emblem": optional(TEXT, ""),
    "center_list": {"title": [TEXT], "as_of": DATE, "columns": {"order": TEXT, "province": TEXT, "center": TEXT, "note": TEXT}},
}
REQUIRED_TEXT = ("number", "subject", "salutation")
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg"}


def load_circular(path: Path, display: str, problems: list[Problem]) -> Circular | None:
    file = read_yaml(path, display, problems)
    if file is None:
        return None
    found = len(problems)
    data = validate(file, SPEC, problems)
    if data is None:
        return None
    for key in REQUIRED_TEXT:
        if data.get(key) == "":
            problems.append(Problem(display, f"“{key}” ต้องไม่ว่าง", file.where((key,)), key))
    if data.get("paragraphs") == []:
        problems.append(Problem(display, "ต้องมีเนื้อความอย่างน้อยหนึ่งย่อหน้า", file.where(("paragraphs",)), "paragraphs"))
    _check_jinja(file, data, problems)
    emblem = _emblem(path.parent, data.get("emblem") or "", file, problems)
    if len(problems) > found:
        return None
    cl = data["center_list"]
    return Circular(
        urgency=data["urgency"], number=data["number"], office=tuple(data["office"]), date=data["date"],
        subject=data["subject"], salutation=data["salutation"], addressee=data["addressee"],
        references=tuple(data["references"]),
        enclosures={k: tuple(v) for k, v in data["enclosures"].items()},
        paragraphs=tuple(data["paragraphs"]), closing=data["closing"],
        signer=Signer(data["signer"]["name"], tuple(data["signer"]["position"])),
        owner=Owner(tuple(data["owner"]["unit"]), data["owner"]["phone_line"], data["owner"]["email_line"]),
        center_list=CenterList(tuple(cl["title"]), cl["as_of"], cl["columns"]),
        emblem=emblem,
    )


def _check_jinja(file: YamlFile, data: dict, problems: list[Problem]) -> None:
    """Template fields in the texts must at least parse; undefined names fail at render."""
    texts = [(("addressee", k), v) for k, v in data["addressee"].items()]
    texts += [(("paragraphs", i), v) for i, v in enumerate(data["paragraphs"])]
    texts += [(("enclosures", k, i), v) for k, vs in data["enclosures"].items() for i, v in enumerate(vs)]
    for key, text in texts:
        if text is None:
            continue
        try:
            TEXT_ENV.parse(text)
        except TemplateSyntaxError as error:
            problems.append(Problem(file.display, f"ช่องแทนค่า (template field) ผิดรูปแบบ: {error.message}",
                                    file.where(key), ".".join(map(str, key))))


def _emblem(folder: Path, value: str, file: YamlFile, problems: list[Problem]) -> Path | None:
    if not value:
        return None
    path = (folder / value).resolve()
    if not path.is_file():
        problems.append(Problem(file.display, f"ไม่พบไฟล์ภาพตราครุฑ “{value}”", file.where(("emblem",)), "emblem"))
    elif path.suffix.lower() not in IMAGE_SUFFIXES:
        problems.append(Problem(file.display, "ภาพตราครุฑต้องเป็นไฟล์ .png หรือ .jpg", file.where(("emblem",)), "emblem"))
    else:
        return path
    return None
