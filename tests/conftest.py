from pathlib import Path

import pytest
from campaigns import copy_shipped

PROJECT = Path(__file__).resolve().parents[1]
SHARED = PROJECT.parent / "shared"


@pytest.fixture
def inputs(tmp_path: Path) -> Path:
    """A private copy of the shipped inputs (as committed, not the live inputs/), for a test to change."""
    return copy_shipped(tmp_path / "inputs")
