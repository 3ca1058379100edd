import shutil
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1]
SHARED = PROJECT.parent / "shared"


@pytest.fixture
def inputs(tmp_path: Path) -> Path:
    """A private copy of the shipped inputs, for a test to change."""
    folder = tmp_path / "inputs"
    shutil.copytree(PROJECT / "inputs", folder)
    return folder
