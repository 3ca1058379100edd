"""DOCX to PDF with LibreOffice: the only package that knows about LibreOffice.

Measured facts this code is built on (see PRODUCT.md, "Conversion with LibreOffice"):
one ``soffice`` call per batch of files is ~10x cheaper than one call per file; parallel
instances need separate profiles; a fresh profile costs ~1 s per start until
``ooSetupLastVersion`` is recorded; ``soffice`` may exit 0 without writing a PDF, hang,
or drop arguments past ~250. So: batches in parallel workers, pre-initialised profiles
reused across calls, every output verified, every call bounded in time, and whatever a
batch lost retried one file at a time.

The rooms: ``batches`` (the conversion: workers, batches, retries), ``warm`` (long-lived
instances driven over UNO, for reports made one or a few at a time; ``uno_bridge`` runs under
Debian's Python and drives one of them), ``profiles`` (making,
warming and handing out profiles; killing what still runs on one), ``soffice`` (one
LibreOffice run and its supervision: process group, time bound, stop flag, the tie to its
parent), ``pdfs`` (each input screened before LibreOffice sees it; each PDF written: verified, page
numbers, put in place).
"""

from __future__ import annotations

from .batches import CHUNK, PDFA2_FILTER, Conversion, How, convert
from .soffice import LibreOfficeError, identity
from .warm import WarmPool, available, process_pool

__all__ = [
    "CHUNK",
    "PDFA2_FILTER",
    "Conversion",
    "How",
    "LibreOfficeError",
    "WarmPool",
    "available",
    "convert",
    "identity",
    "process_pool",
]
