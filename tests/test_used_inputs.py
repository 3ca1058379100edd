"""The tests never depend on what a user has done to inputs/ (README: "Tests").

A checkout of its own (the test fixtures and the shipped inputs, committed to a fresh git repository)
is used through the web app as the README says to use it: a center sends its form (a new answer file)
and another sends a new version (the old one kept under answers/.history/, beside the lock files).
Then the suite's own fixtures, run by pytest in that checkout, still give the shipped inputs unchanged.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from campaigns import PROJECT, copy_shipped
from web_helpers import TestClient, WebConfig, complete_form, csrf_of, link_of

from pipeline.load import load_campaign
from pipeline.load.answers import load_answers
from pipeline.settings import Settings
from pipeline.web.app import create_app

PROBE = """
import subprocess
from pathlib import Path

from campaigns import PROJECT, small_inputs


def files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_the_fixtures_are_the_committed_inputs(inputs, tmp_path):
    listed = subprocess.run(
        ["git", "ls-files", "-z", "inputs"], cwd=PROJECT, capture_output=True, text=True, check=True
    )
    committed = {
        name.removeprefix("inputs/"): subprocess.run(
            ["git", "show", f"HEAD:{name}"], cwd=PROJECT, capture_output=True, check=True
        ).stdout
        for name in listed.stdout.split("\\0") if name
    }
    assert files(inputs) == committed
    small = small_inputs(tmp_path / "small")
    assert sorted(p.name for p in (small / "answers").iterdir())[:2] == sorted(
        n.removeprefix("answers/") for n in committed if n.startswith(("answers/01-", "answers/02-"))
    )
"""


def git(checkout: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=test", "-c", "user.email=test@example.invalid", *args],
        cwd=checkout,
        check=True,
        capture_output=True,
    )


def use_through_the_web(inputs: Path, outputs: Path) -> None:
    """Two submissions: one replacing a shipped answer file, one from a center with none."""
    campaign = load_campaign(inputs)
    answered = {a.center for a in load_answers(inputs / "answers", inputs, campaign.centers, campaign.criteria)[0]}
    first = campaign.centers[0]
    fresh = next(c for c in campaign.centers if c.name not in answered)
    config = WebConfig(
        Settings(inputs, outputs, profiles=outputs / "profiles"), secure_cookies=False, build_reports=False
    )
    app = create_app(config, start_background=False)
    with TestClient(app) as client:
        for center in (first, fresh):
            token = link_of(app.state.site, (center.province, center.name))
            form = complete_form(campaign.criteria, csrf_of(client.get(f"/c/{token}").text))
            assert client.post(f"/c/{token}", data=form, follow_redirects=False).status_code == 303


def test_the_suite_takes_the_shipped_inputs_after_the_web_app_used_inputs(tmp_path):
    checkout = tmp_path / "checkout"
    (checkout / "tests").mkdir(parents=True)
    for name in ("campaigns.py", "conftest.py", "test_answers.py"):
        shutil.copy(PROJECT / "tests" / name, checkout / "tests" / name)
    (checkout / "tests" / "test_probe.py").write_text(PROBE, encoding="utf-8")
    copy_shipped(checkout / "inputs")
    git(checkout, "init", "-q")
    git(checkout, "add", ".")
    git(checkout, "commit", "-q", "-m", "shipped")

    use_through_the_web(checkout / "inputs", tmp_path / "outputs")
    answers = checkout / "inputs" / "answers"
    assert list((answers / ".history").glob("*.lock")) and list((answers / ".history").glob("*/*.yaml"))
    untracked = subprocess.run(
        ["git", "-c", "core.quotepath=off", "status", "--porcelain", "--untracked-files=all"],
        cwd=checkout,
        capture_output=True,
        text=True,
    ).stdout
    # `make` builds from the used folder: .history/ and its lock files are not read as answers
    campaign = load_campaign(checkout / "inputs")
    used, problems = load_answers(answers, checkout / "inputs", campaign.centers, campaign.criteria)
    assert problems == [] and len(used) == 8
    assert " M inputs/answers/01-" in untracked and "?? inputs/answers/.history/" in untracked, untracked

    tests = checkout / "tests"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            str(tests / "test_probe.py"),
            f"{tests / 'test_answers.py'}::test_shipped_examples_load",
            f"{tests / 'test_answers.py'}::test_other_files_in_the_folder",
        ],
        cwd=checkout,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(PROJECT)},
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "3 passed" in done.stdout
