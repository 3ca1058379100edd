"""The one Jinja environment setup, shared by input texts and DOCX templates.

Templates and input texts are edited by clerks, so Jinja runs sandboxed (no
reaching into Python internals), with undefined names as errors (a typo must
not print as an empty string), and with the Thai filters.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from jinja2 import StrictUndefined, Template
from jinja2.sandbox import ImmutableSandboxedEnvironment

from .thai import FILTERS


class _Environment(ImmutableSandboxedEnvironment):
    """Compiles each distinct source once: docxtpl hands every document of a template the
    same XML, and compiling it was 2/3 of the render time (measured with cProfile)."""

    @lru_cache(maxsize=256)
    def _compiled(self, source: str) -> Template:
        return super().from_string(source)

    def from_string(self, source: Any, globals: Any = None, template_class: Any = None) -> Template:
        if globals is None and template_class is None and isinstance(source, str):
            return self._compiled(source)
        return super().from_string(source, globals, template_class)


def environment(*, autoescape: bool) -> ImmutableSandboxedEnvironment:
    """``autoescape`` for DOCX XML; off for plain texts that are escaped later, once."""
    env = _Environment(autoescape=autoescape, undefined=StrictUndefined, keep_trailing_newline=False)
    env.filters.update(FILTERS)
    return env


TEXT_ENV = environment(autoescape=False)


def render_text(source: str, **context: object) -> str:
    """A Jinja text from the inputs (e.g. "ที่ทำการปกครองจังหวัด{{ province }}") filled in."""
    return TEXT_ENV.from_string(source).render(**context)
