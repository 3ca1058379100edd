"""Measure TH Sarabun New's metrics into pipeline/reference/sarabun-metrics.json.

The substitute font (pipeline/sarabun.py) is built from Laksaman and given the real
font's advances and kerning, so that LibreOffice breaks every line where it would with
TH Sarabun New. Those numbers are read here from the reference font (../shared/fonts,
never part of the project: only the measured numbers are kept):

- the advance of every character the font maps;
- its kerning pairs, as pairs of characters;
- for the glyphs Laksaman reaches only through GSUB (ฐ and ญ without their tail before a
  lower vowel, ligatures), the advance the real font gives the same text, found by
  shaping sample text with HarfBuzz (hb-shape, Debian package libharfbuzz-bin) through
  both fonts; and kerning corrections for ligatures the real font has and Laksaman not.

Then it checks the result: every sample text and every text given with --text shapes to
the same advances with both fonts, and no mark in the substitute is moved off its pen
position (PDF readers split words at such marks).

    .venv/bin/python tools/measure_sarabun.py [--fonts ../shared/fonts] [--text FILE…]
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from fontTools.ttLib import TTFont

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

from pipeline import fonts, sarabun  # noqa: E402

FILES = {"Regular": "Regular", "Bold": "Bold", "Italic": "Italic", "Bold Italic": "BoldItalic"}

CONSONANTS = [chr(c) for c in range(0x0E01, 0x0E2F)]
LEADING = "เแโใไ"
UPPER = ["", "ั", "ิ", "ี", "ึ", "ื", "็", "ํ"]
LOWER = ["", "ุ", "ู", "ฺ"]
TONES = ["", "่", "้", "๊", "๋", "์"]


def samples() -> list[str]:
    """Text that reaches every contextual glyph of both fonts in Thai, plus Latin ligatures."""
    out: set[str] = set()
    for c in CONSONANTS:
        for vowel in UPPER + LOWER[1:]:
            for tone in TONES:
                out.add(c + vowel + tone)
                out.add(c + vowel + tone + "น")
                out.add(c + vowel + tone + "า")
        for tail in ("ำ", "่ำ", "้ำ", "ะ", "า", "ๅ", "ั้น", "ั่ว", "ื่อ", "็น", "ิ์"):
            out.add(c + tail)
        for lead in LEADING:
            out.add(lead + c)
            out.add(lead + c + "็น")
    for text in (
        "ฤๅ",
        "ฦๅ",
        "ฤๅษี",
        "๏",
        "๏ ",
        "ฯ",
        "ๆ",
        "fi",
        "fl",
        "ff",
        "ffi",
        "ffl",
        "PSK",
        "TH SarabunPSK",
        "(10 Flagships to DOPA New Normal 2021)",
        "GECC",
        "AVATAR",
        "To Ta Yo We",
        "1/2 3/4",
        "๐๑๒๓๔๕๖๗๘๙",
        "0123456789",
        "…",
        "“quoted” ‘x’ – — • ☐",
    ):
        out.add(text)
    return sorted(out)


def shape(font: Path, texts: list[str]) -> list[list[dict]]:
    """hb-shape every text (one per line); glyph name g, cluster cl, advance ax, offsets dx dy."""
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", suffix=".txt", delete=False) as f:
        f.write("\n".join(texts) + "\n")
        name = f.name
    try:
        out = subprocess.run(
            ["hb-shape", "--output-format=json", f"--text-file={name}", str(font)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        Path(name).unlink()
    results = [json.loads(line) for line in out.splitlines() if line.strip()]
    assert len(results) == len(texts), (len(results), len(texts))
    return results


def measure_cmap_and_kerning(real: TTFont) -> dict:
    cmap = real.getBestCmap()
    hmtx = real["hmtx"]
    advances = {f"U+{code:04X}": hmtx[glyph][0] for code, glyph in sorted(cmap.items())}
    chars_of: dict[str, int] = {}
    for code, glyph in sorted(cmap.items()):
        chars_of.setdefault(glyph, code)
    pairs: dict[tuple[int, int], int] = {}
    unmapped = set()
    for lookup in real["GPOS"].table.LookupList.Lookup:
        for sub in lookup.SubTable:
            if sub.LookupType != 2:
                continue
            if sub.Format != 1:
                raise SystemExit("class-based kerning (PairPos format 2) is not read by this tool")
            for first, pair_set in zip(sub.Coverage.glyphs, sub.PairSet, strict=True):
                for record in pair_set.PairValueRecord:
                    value = getattr(record.Value1, "XAdvance", 0) if record.Value1 else 0
                    if first not in chars_of or record.SecondGlyph not in chars_of:
                        unmapped.add((first, record.SecondGlyph))
                        continue
                    pairs.setdefault((chars_of[first], chars_of[record.SecondGlyph]), value)
    if unmapped:
        print(f"  {len(unmapped)} kerning pairs on glyphs without a character, skipped: {sorted(unmapped)[:10]}")
    kerning = [[f"U+{a:04X}", f"U+{b:04X}", v] for (a, b), v in sorted(pairs.items()) if v]
    return {"advances": advances, "kerning": kerning}


def build(style: sarabun.Style, metrics: dict, out: Path) -> Path:
    source = fonts.find_laksaman()[style]
    path = out / f"sub-{style.ps_suffix}.ttf"
    sarabun.make_substitute(source, style, metrics).save(path)
    return path


def total(glyphs: list[dict]) -> int:
    return sum(g["ax"] for g in glyphs)


def contextual(real_path: Path, sub_path: Path, measured: dict, texts: list[str]) -> tuple[dict, list]:
    """Advances for the substitute's GSUB-only glyphs, and kerning corrections for real ligatures."""
    cmap = TTFont(sub_path).getBestCmap()
    # glyphs whose advance the real font's character advances already set
    known = {cmap[sarabun.code_point(key)] for key in measured["advances"] if sarabun.code_point(key) in cmap}
    found: dict[str, set[int]] = {}
    corrections: dict[tuple[str, str], int] = {}
    wider: dict[tuple[str, int], set[str]] = {}  # (base, advance): the marks it has that advance before
    real_cmap = TTFont(real_path).getBestCmap()
    for text, real, mine in zip(texts, shape(real_path, texts), shape(sub_path, texts), strict=True):
        if total(real) == total(mine):
            continue
        if len(text) == 2 and len(real) == len(mine) == 2 and real[0]["g"] != real_cmap[ord(text[0])]:
            wider.setdefault((text[0], real[0]["ax"]), set()).add(text[1])
            continue
        odd = [g for g in mine if g["g"] not in known and g["ax"] != 0]
        if len(odd) == 1:
            found.setdefault(odd[0]["g"], set()).add(odd[0]["ax"] + total(real) - total(mine))
        elif len(text) == 2 and len(mine) == 2 and len(real) == 1:
            corrections[(text[0], text[1])] = total(real) - total(mine)
    conflicts = {g: v for g, v in found.items() if len(v) > 1}
    if conflicts:
        print(f"  conflicting advances for {conflicts}")
    return (
        {g: min(v) for g, v in found.items()},
        [[f"U+{ord(a):04X}", f"U+{ord(b):04X}", v] for (a, b), v in sorted(corrections.items())],
        [
            [f"U+{ord(base):04X}", [f"U+{ord(m):04X}" for m in sorted(marks)], advance]
            for (base, advance), marks in sorted(wider.items())
        ],
    )


def verify(real_path: Path, sub_path: Path, texts: list[str], label: str) -> int:
    """Texts whose shaped width differs, or where the substitute moves a glyph off its pen."""
    bad = 0
    for text, real, mine in zip(texts, shape(real_path, texts), shape(sub_path, texts), strict=True):
        moved = [g["g"] for g in mine if g.get("dx") or g.get("dy")]
        if total(real) != total(mine) or moved:
            bad += 1
            if bad <= 15:
                print(f"  {label}: {text!r}: width {total(real)} vs {total(mine)}; moved {moved}")
    print(f"  {label}: {len(texts) - bad} of {len(texts)} texts shape alike")
    return bad


def dump(result: dict) -> str:
    """JSON with one kerning pair, contextual advance or advance a line (readable diffs)."""
    text = json.dumps(result, ensure_ascii=False, indent=1)
    # lists of scalars (a kerning pair, a list of marks) on one line
    return re.sub(r"\[\s*([^\[\]{}]*?)\s*\]", lambda m: "[" + re.sub(r",\s+", ", ", m.group(1)) + "]", text) + "\n"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fonts", type=Path, default=PROJECT.parent / "shared" / "fonts")
    parser.add_argument(
        "--text",
        type=Path,
        nargs="*",
        default=[],
        help="text files (one paragraph a line) to check besides the samples",
    )
    parser.add_argument("--out", type=Path, default=sarabun.METRICS_FILE)
    args = parser.parse_args(argv)
    texts = samples()
    extra = [line for path in args.text for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    result = {
        "about": "TH Sarabun New 1.35 metrics measured by tools/measure_sarabun.py from the reference font; "
        "advances and kerning in units of a 1000-unit em, code points as U+XXXX. "
        "glyph_advances: Laksaman glyphs reached only through GSUB, given the advance the real font "
        "gives the same text.",
        "styles": {},
    }
    bad = 0
    with tempfile.TemporaryDirectory() as tmp:
        for style in sarabun.STYLES:
            real_path = args.fonts / f"THSarabunNew-{FILES[style.name]}.ttf"
            real = TTFont(real_path)
            print(f"{style.name}: {real['name'].getDebugName(4)} {real['name'].getDebugName(5)}")
            measured = measure_cmap_and_kerning(real)
            metrics = {"styles": {style.name: measured}}
            sub_path = build(style, metrics, Path(tmp))
            glyph_advances, corrections, wider = contextual(real_path, sub_path, measured, texts)
            measured["glyph_advances"] = dict(sorted(glyph_advances.items()))
            measured["kerning"] += corrections
            measured["contextual_advances"] = wider
            print(
                f"  {len(measured['advances'])} advances, {len(measured['kerning'])} kerning pairs "
                f"({len(corrections)} for ligatures), glyph advances {measured['glyph_advances']}, "
                f"contextual advances {wider}"
            )
            sub_path = build(style, metrics, Path(tmp))
            bad += verify(real_path, sub_path, texts, "samples")
            if extra:
                bad += verify(real_path, sub_path, extra, "given text")
            result["styles"][style.name] = measured
    args.out.write_text(dump(result), encoding="utf-8")
    print(f"wrote {args.out}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
