"""Generated campaigns for the benchmarks: the shipped circular and criteria, an answer for every center.

Beyond the source's 76 centers, centers are generated over the 76 provinces (878 is one per
district of the country). Used by pipeline/bench.py and pipeline/web/bench.py.
"""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import yaml

from .files import write_text
from .load import load_campaign
from .load.centers import provinces
from .model import Campaign, Center
from .settings import PROJECT
from .thai import thai_digits

PREFIX = "ศูนย์ดำรงธรรมอำเภอ"


def make_inputs(root: Path, centers: int | None = None, seed: int = 2564, source: Path = PROJECT / "inputs") -> Path:
    """An inputs folder under ``root``: the circular and criteria of ``source`` (the project's inputs;
    the tests pass the shipped ones), a generated answer file for every center. ``centers``: None keeps
    the list (the source's 76); a number takes its first N, or beyond 76 generates that many centers
    over the 76 provinces (878 is one per district of the country)."""
    inputs = root / "inputs"
    shutil.copytree(source, inputs, ignore=shutil.ignore_patterns("answers", ".*"))
    (inputs / "answers").mkdir()
    shipped = (inputs / "centers.csv").read_text(encoding="utf-8-sig").splitlines()
    if centers is not None and centers <= len(shipped) - 1:
        rows = shipped[: centers + 1]
    elif centers is not None:
        names = [p for p in provinces() if p != "กรุงเทพมหานคร"]  # Bangkok has เขต, not อำเภอ
        rows = ["order,province,center,note"] + [
            f"{i},{names[(i - 1) % len(names)]},{PREFIX}ทดสอบ{thai_digits(i)},ข้อมูลจำลองสำหรับวัดความเร็ว"
            for i in range(1, centers + 1)
        ]
    else:
        rows = shipped
    write_text(inputs / "centers.csv", "\n".join(rows) + "\n")
    campaign = load_campaign(inputs)
    rng = random.Random(seed)
    for center in campaign.centers:
        write_text(inputs / "answers" / f"{center.slug}.yaml", answer_text(campaign, center, rng))
    return inputs


def answer_text(campaign: Campaign, center: Center, rng: random.Random) -> str:
    """A plausible self-assessment: most items met, a few not."""
    data = {
        "province": center.province,
        "center": center.name,
        "assessed_on": "2021-02-15",
        "assessor": {"name": "ผู้ประเมินจำลอง", "position": "ปลัดอำเภอ"},
        "physical": {item.id: "มี" if rng.random() < 0.85 else "ไม่มี" for item in campaign.criteria.physical},
        "quality": {item.id: rng.random() < 0.8 for item in campaign.criteria.quality},
    }
    return "# ข้อมูลจำลองสำหรับวัดความเร็ว (generated for the benchmark)\n" + yaml.safe_dump(
        data, allow_unicode=True, sort_keys=False
    )


def change_one_answer(inputs: Path) -> Path:
    """Flip the first physical answer of the first answer file; the file changed."""
    path = sorted((inputs / "answers").glob("*.yaml"))[0]
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    first = next(iter(data["physical"]))
    data["physical"][first] = "ไม่มี" if data["physical"][first] == "มี" else "มี"
    write_text(path, yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    return path
