"""Problems found in the inputs, reported to a clerk in Thai.

Every loader collects all problems of a file before giving up, so a clerk sees
every mistake at once instead of fixing them one run at a time.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong in one input file.

    ``where`` locates it in Thai ("แถวที่ 5", "บรรทัดที่ 12 คอลัมน์ 3", "ข้อ 1.2");
    ``field`` names the column or key; ``message`` says what is wrong and what
    was expected.
    """

    file: str
    message: str
    where: str | None = None
    field: str | None = None

    def __str__(self) -> str:
        place = ", ".join(p for p in (self.where, f"ช่อง {self.field}" if self.field else None) if p)
        return f"{self.file}: {place}: {self.message}" if place else f"{self.file}: {self.message}"


class InputError(Exception):
    """Raised with every problem found, after the whole input has been read."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


def row(n: int) -> str:
    return f"แถวที่ {n}"


def line(n: int, column: int | None = None) -> str:
    return f"บรรทัดที่ {n}" + (f" คอลัมน์ {column}" if column else "")
