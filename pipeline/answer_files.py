"""Answer files as the program writes them, and which files of the answers folder are a center's.

``init_answers`` (``gecc init-answers``) writes ``inputs/answers/<slug>.yaml`` for every center no
answer file names, with every item id listed and its value left blank for the clerk to fill in (the
loader reports a blank as "ยังไม่ได้ตอบ"). ``render_answer_file`` lays out any answer file: blank,
with the ticks of a fillable form (``ingest.py``), or a validated answer (``service.save_answer``).
The wording around the items lives in templates/answer-file.yaml.j2; the item texts come from
inputs/criteria.yaml. An existing file is never overwritten. ``named_centers`` and
``answer_files_of`` say which files name a center, read leniently: a broken file still counts.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from collections.abc import Callable, Mapping
from pathlib import Path

import yaml

from .files import write_new
from .load.answers import SHEET_NAMES, YAML_SUFFIXES, answer_files
from .load.clean import clean_text
from .load.tabular import WORKBOOK_SUFFIXES, decode, workbook_rows
from .load.yamlfile import read_yaml
from .model import Answer, Campaign, Center, Criteria
from .problems import Problem
from .templating import TEXT_ENV

TEMPLATE = Path(__file__).resolve().parents[1] / "templates" / "answer-file.yaml.j2"
COMMENT_LENGTH = 80
KEY_WIDTH = 9  # `"1.1":` padded so the comments line up and leave room for the answer
VALUE_WIDTH = 6  # room for " ไม่มี" / " false" when the answers are written in (ingest.py)

_LEADING_VOWELS = "เแโใไ"  # written before the consonant they follow in speech
_TRAILING = "ะาำๅ"  # spacing vowels that belong to the consonant before them


def init_answers(inputs: Path, campaign: Campaign, *, template: Path = TEMPLATE) -> list[Path]:
    """The blank answer files written, one per center without an answer, in center order."""
    folder = inputs / "answers"
    answered = named_centers(folder, campaign.centers)
    source = template.read_text(encoding="utf-8")
    written: list[Path] = []
    for center in campaign.centers:
        if center in answered:
            continue
        target = folder / f"{center.slug}.yaml"
        if write_new(target, render_answer_file(source, center, campaign.criteria)):
            written.append(target)
    return written


def render_answer_file(
    source: str,
    center: Center,
    criteria: Criteria,
    values: Mapping[str, Mapping[str, str]] | None = None,
    answer: Answer | None = None,
) -> str:
    """The answer file of ``center``: blank, or with the answers of ``values`` ("physical"/"quality" → id → text),
    or the whole of a validated ``answer`` (date, assessor and notes too)."""
    if answer is not None:
        values = {
            "physical": {k: "มี" if v else "ไม่มี" for k, v in answer.physical.items()},
            "quality": {k: "true" if v else "false" for k, v in answer.quality.items()},
        }
    values = values or {}
    width = KEY_WIDTH + VALUE_WIDTH if values else KEY_WIDTH

    def value(section: str, item_id: str) -> str:
        return values.get(section, {}).get(item_id, "")

    physical, heading = [], None
    for item in criteria.physical:
        physical.append(
            _line(
                item.id, item.text, item.heading if item.heading != heading else "", value("physical", item.id), width
            )
        )
        heading = item.heading
    quality = []
    for part in criteria.parts:
        for n, topic in enumerate(part.topics):
            title = f"{topic.id}. {topic.title}"
            if n == 0:
                title = f"ส่วนที่ {part.id} {part.title} / {title}"
            for m, question in enumerate(topic.items):
                text = question.text or "; ".join(question.points) or topic.title
                quality.append(_line(question.id, text, title if m == 0 else "", value("quality", question.id), width))
    text = TEXT_ENV.from_string(source).render(
        center=center,
        criteria=criteria,
        province=yaml_text(center.province),
        name=yaml_text(center.name),
        physical=physical,
        quality=quality,
        assessed_on=answer.assessed_on.isoformat() if answer else "",
        assessor_name=yaml_text(answer.assessor_name) if answer else "",
        assessor_position=yaml_text(answer.assessor_position) if answer else "",
        notes=[(k, yaml_text(v)) for k, v in answer.notes.items()] if answer else [],
    )
    return text + "\n"


def _line(item_id: str, text: str, heading: str, value: str = "", width: int = KEY_WIDTH) -> dict[str, str]:
    key = f'"{item_id}":' + (f" {value}" if value else "")
    return {
        "key": key,
        "pad": " " * max(2, width - _shown_width(key)),
        "comment": shorten(text),
        "heading": shorten(heading, 100) if heading else "",
    }


def _shown_width(text: str) -> int:
    """Columns ``text`` takes in an editor: Thai vowel and tone marks above or below take none."""
    return sum(1 for c in text if unicodedata.category(c) != "Mn")


def shorten(text: str, limit: int = COMMENT_LENGTH) -> str:
    """``text`` cut to about ``limit`` characters, at a space if one is near, never inside a Thai syllable's marks."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit + 1)
    if cut < limit // 2:
        cut = limit
        while cut < len(text) and (unicodedata.category(text[cut]) == "Mn" or text[cut] in _TRAILING):
            cut += 1
    head = text[:cut].rstrip()
    while head and head[-1] in _LEADING_VOWELS:
        head = head[:-1]
    return head.rstrip() + " …"


def yaml_text(value: str) -> str:
    """``value`` as a YAML scalar: plain when YAML reads it back unchanged, double-quoted otherwise."""
    try:
        if yaml.safe_load(f"k: {value}") == {"k": value}:
            return value
    except yaml.YAMLError:
        pass
    return json.dumps(value, ensure_ascii=False)


# --- which centers already have an answer ------------------------------------------


def named_centers(folder: Path, centers: tuple[Center, ...]) -> set[Center]:
    """Centers some file in the answers folder is for, read leniently: a broken file still counts.

    A file counts for a center when it is named by the center's slug, or names
    the center (with its province, or alone when no other center has that name).
    """
    slugs = {c.slug: c for c in centers}
    named: set[Center] = set()
    mentions: list[tuple[str, str]] = []
    for path in answer_files(folder):
        if path.is_symlink() or path.is_dir():
            continue  # a link is never followed (the loader names it)
        if path.suffix.lower() in YAML_SUFFIXES:
            if path.stem in slugs:
                named.add(slugs[path.stem])
            mentions.extend(_yaml_mentions(path))
        elif path.suffix.lower() == ".csv":
            mentions.extend(_csv_mentions(path))
        elif path.suffix.lower() in WORKBOOK_SUFFIXES:
            mentions.extend(_workbook_mentions(path))
    counts: dict[str, int] = {}
    for c in centers:
        counts[c.name] = counts.get(c.name, 0) + 1
    for province, name in mentions:
        for c in centers:
            if c.name == name and (c.province == province or counts[name] == 1):
                named.add(c)
    return named


_FIELD = re.compile(r"^(province|center)\s*:\s*(.*?)\s*(?:#.*)?$")


def _yaml_mentions(path: Path) -> list[tuple[str, str]]:
    ignored: list[Problem] = []
    try:
        file = read_yaml(path, path.name, ignored)
    except ValueError:
        file = None
    if file is not None and isinstance(file.data, dict):
        data = file.data
        return [(_text(data.get("province")), _text(data.get("center")))]
    # unreadable as YAML: the two lines as written are enough to know the center
    found = {"province": "", "center": ""}
    text = path.read_bytes()[:1_000_000].decode("utf-8-sig", errors="replace")
    for content in text.splitlines():
        match = _FIELD.match(content)
        if match:
            found[match.group(1)] = clean_text(match.group(2).strip("\"'"))
    return [(found["province"], found["center"])]


def _csv_mentions(path: Path) -> list[tuple[str, str]]:
    ignored: list[Problem] = []
    text = decode(path, path.name, ignored)
    if text is None:
        return []
    rows = [r for r in csv.reader(io.StringIO(text)) if any(v.strip() for v in r)]
    if not rows:
        return []
    header = [clean_text(v).lower() for v in rows[0]]
    if "center" not in header:
        return []
    at_center = header.index("center")
    at_province = header.index("province") if "province" in header else None
    return [
        (
            clean_text(r[at_province]) if at_province is not None and at_province < len(r) else "",
            clean_text(r[at_center]) if at_center < len(r) else "",
        )
        for r in rows[1:]
    ]


def _workbook_mentions(path: Path) -> list[tuple[str, str]]:
    """The centers a workbook's rows answer; a row naming only its center (answers.xlsx as sent out) is no answer."""
    read = workbook_rows(path, path.name, [], SHEET_NAMES)
    if read is None or not read[1]:
        return []
    (_, header), body = read[1][0], read[1][1:]
    at = {v.lower(): c for c, v in header.items() if v.lower() in ("province", "center")}
    if "center" not in at:
        return []
    return [
        (values.get(at.get("province", 0), ""), values.get(at["center"], ""))
        for _, values in body
        if any(v for c, v in values.items() if c not in at.values())
    ]


def _text(value: object) -> str:
    return clean_text(str(value)) if isinstance(value, (str, int, float)) else ""


def answer_files_of(folder: Path, center: Center, centers: tuple[Center, ...]) -> list[Path]:
    """The files of the answers folder that are for ``center``: named by its slug, or naming it."""
    counts = sum(1 for c in centers if c.name == center.name)
    found = []
    for path in answer_files(folder):
        if path.is_symlink() or path.is_dir():
            continue
        suffix = path.suffix.lower()
        if path.stem == center.slug:
            found.append(path)
            continue
        if suffix in YAML_SUFFIXES:
            mentions = _mentions_of(path, _yaml_mentions)
        elif suffix == ".csv":
            mentions = _mentions_of(path, _csv_mentions)
        else:
            continue
        if any(name == center.name and (province == center.province or counts == 1) for province, name in mentions):
            found.append(path)
    return found


# What each answer file names, by the file's identity: a submit asks about one center, and reading
# every other answer file each time made a rush of N submits read N² files (seconds each at 878).
_MENTIONS: dict[Path, tuple[tuple[int, int, int, int], list[tuple[str, str]]]] = {}


def remember_answer_file(path: Path, province: str, center: str) -> None:
    """``path`` was just written from a validated answer of this center: what it names is known."""
    st = path.stat()
    _MENTIONS[path] = ((st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns), [(province, center)])


def _mentions_of(path: Path, read: Callable[[Path], list[tuple[str, str]]]) -> list[tuple[str, str]]:
    try:
        st = path.stat()
    except OSError:
        return read(path)
    key = (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)  # atomic writes: a new inode each time
    known = _MENTIONS.get(path)
    if known is not None and known[0] == key:
        return known[1]
    found = read(path)
    _MENTIONS[path] = (key, found)
    return found
