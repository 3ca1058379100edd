"""The one Jinja environment setup, shared by input texts and DOCX templates.

Templates and input texts are edited by clerks, so Jinja runs sandboxed (no
reaching into Python internals), with undefined names as errors (a typo must
not print as an empty string), and with the Thai filters.
"""

from __future__ import annotations

from jinja2 import StrictUndefined
from jinja2.sandbox import ImmutableSandboxedEnvironment

from .thai import FILTERS


def environment(*, autoescape: bool) -> ImmutableSandboxedEnvironment:
    """``autoescape`` for DOCX XML; off for plain texts that are escaped later, once."""
    env = ImmutableSandboxedEnvironment(autoescape=autoescape, undefined=StrictUndefined, keep_trailing_newline=False)
    env.filters.update(FILTERS)
    return env


TEXT_ENV = environment(autoescape=False)


def render_text(source: str, **context: object) -> str:
    """A Jinja text from the inputs (e.g. "ที่ทำการปกครองจังหวัด{{ province }}") filled in."""
    return TEXT_ENV.from_string(source).render(**context)
