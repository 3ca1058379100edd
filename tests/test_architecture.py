"""The pipeline's shape, which a reader relies on: imports one way (no cycle, not even through an import
inside a function), no module over 500 lines, no function taking more than 6 parameters (a context object
instead), a planner and executor that name no document kind (the registry says what is special), and
a core that returns what happened for the doors to say."""

from __future__ import annotations

import ast

import pytest
from test_web_imports import PIPELINE, cycle_in, graph

from pipeline.registry import KINDS

MODULES = sorted(PIPELINE.rglob("*.py"))


def test_no_import_cycle_anywhere_in_the_pipeline():
    assert cycle_in(graph(PIPELINE)) is None, " → ".join(cycle_in(graph(PIPELINE)) or [])


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.relative_to(PIPELINE).as_posix())
def test_no_module_over_500_lines(path):
    assert len(path.read_text(encoding="utf-8").splitlines()) <= 500


def parameters(node: ast.FunctionDef | ast.AsyncFunctionDef) -> list[str]:
    a = node.args
    named = [x.arg for x in (*a.posonlyargs, *a.args, *a.kwonlyargs) if x.arg not in ("self", "cls")]
    return named + [x.arg for x in (a.vararg, a.kwarg) if x is not None]


def test_no_function_takes_more_than_six_parameters():
    wide = [
        f"{path.relative_to(PIPELINE)}:{node.lineno} {node.name}({', '.join(parameters(node))})"
        for path in MODULES
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and len(parameters(node)) > 6
    ]
    assert wide == []


def test_the_counter_counts():
    (node,) = ast.parse("def f(self, a, b, /, c, *d, e, **f): pass").body
    assert isinstance(node, ast.FunctionDef) and parameters(node) == ["a", "b", "c", "e", "d", "f"]


@pytest.mark.parametrize("module", ["plan.py", "execute.py", "runner.py"])
def test_the_planner_and_executor_name_no_kind(module):
    kinds = ({k.name for k in KINDS} | {k.document_kind for k in KINDS}) - {""}
    strings = {
        node.value
        for node in ast.walk(ast.parse((PIPELINE / module).read_text(encoding="utf-8")))
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    }
    assert strings & kinds == set()


# The doors, which say in Thai what the core did: the command line (cli.py, web/cli.py), the words of a run
# (runner.py) and the benchmarks' logs (web/bench.py); and two programs of their own: set-up's font report
# (fonts.py main) and the converter's bridge, whose stdin and stdout are its protocol (convert/uno_bridge.py).
TERMINAL = {"cli.py", "runner.py", "web/cli.py", "web/bench.py", "fonts.py", "convert/uno_bridge.py"}


def writes_to_the_terminal(source: str) -> bool:
    """Whether a module names sys.stdout / sys.stderr or calls print()."""
    return any(
        (
            isinstance(node, ast.Attribute)
            and getattr(node.value, "id", "") == "sys"
            and node.attr in ("stdout", "stderr")
        )
        or (isinstance(node, ast.Call) and getattr(node.func, "id", "") == "print")
        for node in ast.walk(ast.parse(source))
    )


def test_only_the_doors_write_to_the_terminal():
    found = {path.relative_to(PIPELINE).as_posix() for path in MODULES if writes_to_the_terminal(path.read_text())}
    assert found - TERMINAL == set()


def test_the_terminal_finder_finds_writes():
    assert writes_to_the_terminal("import sys\ndef f(err=None):\n    err = err or sys.stderr\n")
    assert writes_to_the_terminal("def f():\n    print('x')\n")
    assert not writes_to_the_terminal("import sys\nsys.exit(0)\nprinted = 1\n")
