"""Blank answer files for the centers that have not answered yet.

``init_answers`` writes ``inputs/answers/<slug>.yaml`` for every center no
answer file names, with every item id listed and its value left blank for the
clerk to fill in (the loader reports a blank as "ยังไม่ได้ตอบ"). The wording
around the items lives in templates/answer-file.yaml.j2; the item texts come
from inputs/criteria.yaml. An existing file is never overwritten.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import tempfile
import unicodedata
from pathlib import Path

import yaml

from .files import TMP_MARK
from .load.answers import YAML_SUFFIXES, answer_files
from .load.clean import clean_text
from .load.tabular import decode
from .load.yamlfile import read_yaml
from .model import Campaign, Center, Criteria
from .problems import Problem
from .templating import TEXT_ENV

TEMPLATE = Path(__file__).resolve().parents[1] / "templates" / "answer-file.yaml.j2"
COMMENT_LENGTH = 80
KEY_WIDTH = 9  # `"1.1":` padded so the comments line up and leave room for the answer

_LEADING_VOWELS = "เแโใไ"        # written before the consonant they follow in speech
_TRAILING = "ะาำๅ"              # spacing vowels that belong to the consonant before them


def init_answers(inputs: Path, campaign: Campaign, *, template: Path = TEMPLATE) -> list[Path]:
    """The blank answer files written, one per center without an answer, in center order."""
    folder = inputs / "answers"
    answered = _named_centers(folder, campaign.centers)
    source = template.read_text(encoding="utf-8")
    written: list[Path] = []
    for center in campaign.centers:
        if center in answered:
            continue
        target = folder / f"{center.slug}.yaml"
        if _write_new(target, render_answer_file(source, center, campaign.criteria)):
            written.append(target)
    return written


def render_answer_file(source: str, center: Center, criteria: Criteria) -> str:
    physical, heading = [], None
    for item in criteria.physical:
        physical.append(_line(item.id, item.text, item.heading if item.heading != heading else ""))
        heading = item.heading
    quality = []
    for part in criteria.parts:
        for n, topic in enumerate(part.topics):
            title = f"{topic.id}. {topic.title}"
            if n == 0:
                title = f"ส่วนที่ {part.id} {part.title} / {title}"
            for m, item in enumerate(topic.items):
                text = item.text or "; ".join(item.points) or topic.title
                quality.append(_line(item.id, text, title if m == 0 else ""))
    text = TEXT_ENV.from_string(source).render(
        center=center, criteria=criteria, province=yaml_text(center.province), name=yaml_text(center.name),
        physical=physical, quality=quality)
    return text + "\n"


def _line(item_id: str, text: str, heading: str) -> dict[str, str]:
    key = f'"{item_id}":'
    return {"key": key, "pad": " " * max(2, KEY_WIDTH - len(key)), "comment": shorten(text),
            "heading": shorten(heading, 100) if heading else ""}


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

def _named_centers(folder: Path, centers: tuple[Center, ...]) -> set[Center]:
    """Centers some file in the answers folder is for, read leniently: a broken file still counts.

    A file counts for a center when it is named by the center's slug, or names
    the center (with its province, or alone when no other center has that name).
    """
    slugs = {c.slug: c for c in centers}
    named: set[Center] = set()
    mentions: list[tuple[str, str]] = []
    for path in answer_files(folder):
        if path.is_dir():
            continue
        if path.suffix.lower() in YAML_SUFFIXES:
            if path.stem in slugs:
                named.add(slugs[path.stem])
            mentions.extend(_yaml_mentions(path))
        elif path.suffix.lower() == ".csv":
            mentions.extend(_csv_mentions(path))
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
    return [(clean_text(r[at_province]) if at_province is not None and at_province < len(r) else "",
             clean_text(r[at_center]) if at_center < len(r) else "") for r in rows[1:]]


def _text(value: object) -> str:
    return clean_text(str(value)) if isinstance(value, (str, int, float)) else ""


# --- writing without overwriting --------------------------------------------------

def _write_new(target: Path, text: str) -> bool:
    """Write ``target`` complete, only if it does not exist; whether it was written.

    The text goes to a temporary file beside it, which is then hard-linked to
    the target name: the link fails if the name exists, so nothing is ever
    replaced, and a reader never sees a half-written file. Where the file
    system has no hard links (FAT on a USB stick, some network shares), the
    file is created with open(..., "x"), which also refuses an existing name.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{target.name}{TMP_MARK}", dir=target.parent)
    tmp = Path(name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        try:
            os.link(tmp, target)
        except FileExistsError:
            return False
        except OSError:
            try:
                with open(target, "x", encoding="utf-8") as out:
                    out.write(text)
            except FileExistsError:
                return False
        return True
    finally:
        tmp.unlink(missing_ok=True)
