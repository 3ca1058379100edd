"""Where a run reads and writes, and its time bounds: one value every door passes in.

The command line builds it from its options and the environment; the web app
from its own configuration. Nothing below the doors reads the environment.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Settings:
    """``inputs``/``outputs``: the campaign's folders. ``build``: fonts and LibreOffice profiles made at
    set-up. ``profiles``: where LibreOffice's profiles live (default build/lo-profiles). ``source``: the
    source circular (OCR text) to compare the collective package with, when asked for. ``links``: the
    centers' web links to print on their forms (default outputs/links.csv, which ``gecc links`` writes;
    read only if it is there). ``actor``: who asked for this run (audit.py: ``user:…``, ``cli:…``); a
    build with an actor is entered in the audit log once its inputs are read. ``cause``: the audit-log
    entry (number, hash) of the person's action this run carries out; the archive's manifests name it."""

    inputs: Path
    outputs: Path
    build: Path = PROJECT / "build"
    templates: Path = PROJECT / "templates"
    profiles: Path | None = None
    batch_timeout: float = 120.0  # s for one LibreOffice batch
    file_timeout: float = 60.0  # s for one file retried on its own
    source: Path | None = None
    links: Path | None = None
    actor: str = ""
    cause: tuple[int, str] | None = None

    def __post_init__(self) -> None:
        # Absolute once: LibreOffice and the workers resolve relative paths elsewhere.
        for name in ("inputs", "outputs", "build", "templates"):
            object.__setattr__(self, name, Path(getattr(self, name)).resolve())

    @property
    def profile_root(self) -> Path:
        return self.profiles or self.build / "lo-profiles"

    @property
    def links_file(self) -> Path:
        return self.links or self.outputs / "links.csv"

    def with_(self, **changes: object) -> Settings:
        return replace(self, **changes)  # type: ignore[arg-type]

    @classmethod
    def from_environment(cls, inputs: Path, outputs: Path, **overrides: object) -> Settings:
        """Defaults, then GECC_BATCH_TIMEOUT, GECC_FILE_TIMEOUT and GECC_LO_PROFILES, then ``overrides``."""
        found: dict[str, object] = {
            "batch_timeout": _seconds(os.environ.get("GECC_BATCH_TIMEOUT"), cls.batch_timeout),
            "file_timeout": _seconds(os.environ.get("GECC_FILE_TIMEOUT"), cls.file_timeout),
        }
        if os.environ.get("GECC_LO_PROFILES"):
            found["profiles"] = Path(os.environ["GECC_LO_PROFILES"])
        return cls(Path(inputs), Path(outputs), **{**found, **overrides})  # type: ignore[arg-type]


def _seconds(raw: str | None, default: float) -> float:
    """A positive number of seconds, or the default for anything else."""
    try:
        value = float(raw) if raw and raw.strip() else default
    except ValueError:
        return default
    return value if value > 0 else default
