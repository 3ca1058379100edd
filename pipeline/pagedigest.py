"""What a PDF page is made of, as a digest: pages of composed documents repeat their reference's, and
whoever reads a page (the check's text, the fillable form's boxes) reads one of them once.

A page's digest covers its number and boxes, its content streams, and every object its resources
and annotations name (fonts with their programs, images, forms), followed through their references:
the same digest, the same text and drawings wherever the page is.
"""

from __future__ import annotations

import hashlib
import re

import fitz  # PyMuPDF

_REFERENCE = re.compile(rb"(\d+) 0 R\b")


class Digests:
    """The digests of one document's pages; each object's digest worked out once."""

    def __init__(self, doc: fitz.Document):
        self.doc = doc
        self._objects: dict[int, bytes] = {}  # object number → digest of it and all it names

    def frame(self, page: fitz.Page) -> hashlib.blake2b | None:
        """The digest of what the page is made of but its content streams; None (not comparable) when its
        resources are inherited or the PDF is damaged (its pages are then read on their own)."""
        doc = self.doc
        try:
            resources = doc.xref_get_key(page.xref, "Resources")
            if resources[0] == "null":
                return None
            digest = hashlib.blake2b(digest_size=20)
            digest.update(repr((page.number, tuple(page.mediabox), tuple(page.cropbox), page.rotation)).encode())
            digest.update(self._named(resources[1].encode()))
            digest.update(self._named(doc.xref_get_key(page.xref, "Annots")[1].encode()))
            return digest
        except Exception:
            return None

    def page(self, page: fitz.Page, frame: hashlib.blake2b | None = None) -> bytes | None:
        """The page's digest: its ``frame`` (worked out here if not given) with its content streams."""
        digest = frame.copy() if frame is not None else self.frame(page)
        if digest is None:
            return None
        try:
            for xref in page.get_contents():
                digest.update(self.object(xref))
        except Exception:
            return None
        return digest.digest()

    def object(self, xref: int) -> bytes:
        doc = self.doc
        if not 0 < xref < doc.xref_length():  # "12 0 R" written inside a string, say: not an object
            return b"(%d)" % xref
        if xref not in self._objects:
            self._objects[xref] = b"(cycle)"  # an object that names itself, through others
            digest = hashlib.blake2b(self._named(doc.xref_object(xref, compressed=True).encode()), digest_size=20)
            if doc.xref_is_stream(xref):
                digest.update(doc.xref_stream_raw(xref) or b"")
            self._objects[xref] = digest.digest()
        return self._objects[xref]

    def _named(self, text: bytes) -> bytes:
        """``text`` (a PDF object's source) with each reference replaced by the digest of what it names."""
        return _REFERENCE.sub(lambda m: self.object(int(m.group(1))).hex().encode(), text)
