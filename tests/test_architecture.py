"""The pipeline's shape, which a reader relies on: imports one way (no cycle, not even through an import
inside a function), no module over 500 lines, no function taking more than 6 parameters (a context object
instead), and a planner and executor that name no document kind (the registry says what is special)."""

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
