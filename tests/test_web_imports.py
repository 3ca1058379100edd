"""The web app's modules import each other one way: no cycle, not even through an import inside a
function; no module over 500 lines; every view asks access.allow first; the web writes no file of
the campaign itself."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PIPELINE = Path(__file__).resolve().parent.parent / "pipeline"
WEB = PIPELINE / "web"


def _module(path: Path) -> str:
    parts = list(path.relative_to(PIPELINE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _exists(name: str) -> bool:
    base = PIPELINE.parent / Path(*name.split("."))
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


def imports_of(path: Path) -> set[str]:
    """Every pipeline module ``path`` imports, at any depth of its code."""
    package = _module(path) if path.name == "__init__.py" else _module(path).rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("pipeline"))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            if not source.startswith("pipeline"):
                continue
            for alias in node.names:
                name = f"{source}.{alias.name}"
                found.add(name if _exists(name) else source)
    return found


def graph(root: Path) -> dict[str, set[str]]:
    modules = {_module(p): p for p in root.rglob("*.py")}
    return {m: {i for i in imports_of(p) if i in modules and i != m} for m, p in modules.items()}


def cycle_in(edges: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(edges[node]):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt) :] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(edges):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_no_import_cycle_in_the_web_app():
    assert cycle_in(graph(WEB)) is None, " → ".join(cycle_in(graph(WEB)) or [])


def test_the_cycle_finder_finds_a_cycle():
    assert cycle_in({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert cycle_in({"a": {"b"}, "b": set()}) is None


@pytest.mark.parametrize("path", sorted(WEB.rglob("*.py")), ids=lambda p: p.relative_to(WEB).as_posix())
def test_no_web_module_over_500_lines(path):
    assert len(path.read_text(encoding="utf-8").splitlines()) <= 500


def test_every_view_asks_what_its_actor_may_do_first():
    """Each view function's first statement is ``await allow(request, ...)`` (or assigns its result)."""
    for path in sorted((WEB / "views").glob("*.py")):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if not isinstance(node, ast.AsyncFunctionDef):
                continue
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                first = node.body[1]  # a docstring
            call = first.value if isinstance(first, (ast.Expr, ast.Assign)) else None
            assert (
                isinstance(call, ast.Await)
                and isinstance(call.value, ast.Call)
                and getattr(call.value.func, "id", "") == "allow"
            ), f"{path.name}: {node.name} does not start with allow()"


# The core's ways of writing a file (atomic; for Excel, formula-safe), which the web reaches only through the
# core: every name of files.py, and exports.py's writers (its csv_text only reads).
WRITERS = {"pipeline.files": None, "pipeline.exports": {"csv_bytes", "write_csv", "put", "safe_text"}}


def writers_named(source: str, package: str) -> list[str]:
    """The core's writers a module of ``package`` imports (at any depth), and its calls of
    ``….write_text(…)`` / ``….write_bytes(…)``."""
    found: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.extend(f"{a.name}.*" for a in node.names if a.name in WRITERS)
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")[: len(package.split(".")) - (node.level - 1)] if node.level else []
            module = ".".join(base + ([node.module] if node.module else []))
            if module in WRITERS:
                allowed = WRITERS[module]
                found.extend(f"{module}.{a.name}" for a in node.names if allowed is None or a.name in allowed)
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", "") in ("write_text", "write_bytes"):
            found.append(f"line {node.lineno}: .{node.func.attr}()")
    return found


def test_the_web_writes_no_file_of_the_campaign_itself():
    """links.csv, answer files, the inputs the editors change: the core writes them (pipeline/links.py,
    service.py, edits.py) for both doors. The web's own files are its database and the zips of a
    download (outputs/.web/tmp), which need neither."""
    found = {
        p.relative_to(WEB).as_posix(): writers_named(p.read_text(encoding="utf-8"), _module(p).rpartition(".")[0])
        for p in sorted(WEB.rglob("*.py"))
    }
    assert {module: names for module, names in found.items() if names} == {}


def test_the_writer_finder_finds_writers():
    web = "from ..files import write_bytes\nfrom ..exports import csv_text, csv_bytes\nimport pipeline.files\n"
    assert writers_named(web, "pipeline.web") == [
        "pipeline.files.write_bytes",
        "pipeline.exports.csv_bytes",
        "pipeline.files.*",
    ]
    view = "from ..files import f\ndef g(p):\n    from ...files import atomic_path\n    p.write_text('x')\n"
    # from a view, ..files is pipeline.web.files (not the core's); an import inside a function counts
    assert writers_named(view, "pipeline.web.views") == ["pipeline.files.atomic_path", "line 4: .write_text()"]
