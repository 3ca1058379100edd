"""Stage 1: read every input file, validate it, report every problem at once."""

from __future__ import annotations

from pathlib import Path

from ..model import Campaign
from ..problems import InputError, Problem
from .answers import load_answers
from .centers import centers_file_problems, centers_path, load_centers
from .circular import load_circular
from .criteria import load_criteria
from .display import display_path
from .letters import FILE as LETTERS_FILE
from .letters import load_letter_texts
from .links import load_links
from .scoring import load_scoring


def load_campaign(inputs: Path, links: Path | None = None) -> Campaign:
    """The validated campaign, or InputError listing every problem in every file.

    ``links``: the centers' web links (outputs/links.csv of ``gecc links``), read if the file is
    there. The caller names it: it lives among the outputs, which are not this stage's to know.
    """
    problems: list[Problem] = []
    files = {name: inputs / name for name in ("circular.yaml", "criteria.yaml")}
    problems += centers_file_problems(inputs, lambda path: display_path(path, inputs))
    for path in files.values():
        if not path.is_file():
            problems.append(Problem(display_path(path, inputs), "ไม่พบไฟล์ (ต้องมีในโฟลเดอร์ข้อมูลนำเข้า)"))
    if problems:
        raise InputError(problems)
    centers_file = centers_path(inputs)
    centers = load_centers(centers_file, display_path(centers_file, inputs), problems)
    circular = load_circular(files["circular.yaml"], display_path(files["circular.yaml"], inputs), problems)
    criteria = load_criteria(files["criteria.yaml"], display_path(files["criteria.yaml"], inputs), problems)
    scoring = load_scoring(inputs, problems, criteria) if criteria is not None else None
    texts = load_letter_texts(inputs, display_path(inputs / LETTERS_FILE, inputs), problems)
    found_links = load_links(links, display_path(links, links.parent), centers, problems) if links and centers else {}
    if problems or circular is None or criteria is None:
        raise InputError(problems)
    # Answer files are each center's own: a bad one is reported, and the others still go on.
    answers, rejected = load_answers(inputs / "answers", inputs, centers, criteria)
    return Campaign(
        inputs=inputs,
        centers=centers,
        circular=circular,
        criteria=criteria,
        answers=tuple(answers),
        rejected=tuple(rejected),
        scoring=scoring,
        links=found_links,
        letter_texts=texts,
    )
