"""How the loaders name a file to a clerk."""

from __future__ import annotations

from pathlib import Path


def display_path(path: Path, inputs: Path) -> str:
    """A path as the clerk knows it: inputs/centers.csv, not /home/…/inputs/centers.csv."""
    try:
        return str(Path(inputs.name) / path.relative_to(inputs))
    except ValueError:
        return str(path)
