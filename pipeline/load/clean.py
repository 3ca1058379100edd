"""Silent clean-up of text typed by people: what a clerk cannot see is not an error.

Zero-width characters, non-breaking spaces and stray whitespace come from
copy-and-paste out of web pages and Word; the decomposed sara am (nikhahit +
sara aa) comes from some Thai keyboards. Each is normalised to what the clerk
meant, and the cleaned value is the one used everywhere after.
"""

from __future__ import annotations

import re
import unicodedata

_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
_SPACES = re.compile(r"[\s\u00a0\u2007\u202f]+")
_DECOMPOSED_SARA_AM = re.compile("\u0e4d\u0e32")


def clean_text(value: str) -> str:
    text = unicodedata.normalize("NFC", value).translate(_INVISIBLE)
    text = _DECOMPOSED_SARA_AM.sub("\u0e33", text)
    return _SPACES.sub(" ", text).strip()
