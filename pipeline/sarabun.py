"""TH Sarabun Substitute: a metric-compatible stand-in for TH Sarabun New, built from Laksaman.

Where the real font is missing (pipeline/fonts.py decides, and sets up fontconfig), set-up
builds "TH Sarabun Substitute" from Laksaman (a Sarabun design drawn on a larger body):
everything in font units scaled by 0.665, vertical metrics copied from TH Sarabun New.

Scaling alone leaves advances within about 0.5 % of the real font's, enough to move a
line break. So the build then applies TH Sarabun New's own metrics, measured from the
real font by tools/measure_sarabun.py and kept in reference/sarabun-metrics.json (facts,
not the font): the advance of every character and of the glyphs Laksaman substitutes,
and the real font's kerning. Laksaman places Thai marks by GPOS anchors, which PDF
readers (poppler) see as glyphs moved off their pen position and split words at; the
real font draws them at the pen. So the anchor offsets are baked into shifted copies of
the marks, chosen by a GSUB rule in the same contexts, and GPOS keeps only the kerning.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fontTools.feaLib.builder import addOpenTypeFeaturesFromString
from fontTools.pens.transformPen import TransformPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTFont
from fontTools.ttLib.scaleUpem import scale_upem

SUBSTITUTE_FAMILY = "TH Sarabun Substitute"
SUBSTITUTE_PS = "THSarabunSubstitute"

# Laksaman is drawn 1/0.665 times larger than TH Sarabun New on the same 1000-unit em
# (measured: advance widths agree within 2% after this factor).
SCALE = 0.665
UPEM = 1000

# TH Sarabun New 1.35's vertical metrics (read from its hhea and OS/2 tables). Line
# height in LibreOffice comes from these, so they must match exactly, not be scaled.
HHEA_ASCENT, HHEA_DESCENT, HHEA_LINE_GAP = 844, -457, 30
WIN_ASCENT, WIN_DESCENT = 844, 457
TYPO_ASCENDER, TYPO_DESCENDER, TYPO_LINE_GAP = 850, -250, 60
USE_TYPO_METRICS = 1 << 7  # OS/2 fsSelection bit; Laksaman sets it, TH Sarabun New does not

# TH Sarabun New's advances and kerning, measured by tools/measure_sarabun.py.
METRICS_FILE = Path(__file__).parent / "reference" / "sarabun-metrics.json"


@dataclass(frozen=True)
class Style:
    name: str  # name table subfamily (id 2 / 17)
    bold: bool
    italic: bool

    @property
    def ps_suffix(self) -> str:
        return self.name.replace(" ", "")


STYLES = (
    Style("Regular", False, False),
    Style("Bold", True, False),
    Style("Italic", False, True),
    Style("Bold Italic", True, True),
)


def _set_names(font: TTFont, style: Style) -> None:
    """Give the font its own family, so it is never mistaken for the real TH Sarabun New."""
    ps_name = f"{SUBSTITUTE_PS}-{style.ps_suffix}"
    full_name = SUBSTITUTE_FAMILY if style.name == "Regular" else f"{SUBSTITUTE_FAMILY} {style.name}"
    version = font["name"].getDebugName(5) or ""
    names = {
        1: SUBSTITUTE_FAMILY,
        2: style.name,
        3: f"{ps_name}; built from Laksaman {version.strip()}",
        4: full_name,
        6: ps_name,
        10: "Metric-compatible stand-in for TH Sarabun New, built from TLWG Laksaman "
        f"scaled by {SCALE} with TH Sarabun New's vertical metrics.",
        16: SUBSTITUTE_FAMILY,
        17: style.name,
    }
    table = font["name"]
    table.names = [n for n in table.names if n.nameID not in names]
    for name_id, text in names.items():
        table.setName(text, name_id, 3, 1, 0x409)  # Windows, Unicode BMP, English (US)
        table.setName(text, name_id, 1, 0, 0)  # Macintosh, Roman, English
    if "CFF " in font:  # an .otf source also carries its names inside the CFF table
        cff = font["CFF "].cff
        cff.fontNames = [ps_name]
        top = cff.topDictIndex[0]
        top.FamilyName, top.FullName = SUBSTITUTE_FAMILY, full_name


def _drop_hinting(font: TTFont) -> None:
    """TrueType instructions refer to the old outlines (the cvt table is not scaled): drop them.

    The substitute is only used to make PDFs, where hinting plays no part.
    """
    if "glyf" not in font:
        return
    for tag in ("fpgm", "prep", "cvt ", "hdmx", "VDMX", "LTSH"):
        if tag in font:
            del font[tag]
    glyf = font["glyf"]
    for name in glyf.keys():  # noqa: SIM118 (a fontTools table, not a dict)
        glyf[name].removeHinting()
    maxp = font["maxp"]
    maxp.maxZones, maxp.maxTwilightPoints, maxp.maxStorage = 1, 0, 0
    maxp.maxFunctionDefs = maxp.maxInstructionDefs = maxp.maxStackElements = 0
    maxp.maxSizeOfInstructions = 0
    if "gasp" in font:
        font["gasp"].gaspRange = {0xFFFF: 0x000A}  # smoothing only, no grid-fitting


def load_metrics(path: Path = METRICS_FILE) -> dict[str, Any]:
    """The measured metrics of TH Sarabun New, per style name ("Regular", "Bold" …)."""
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def code_point(key: str) -> int:
    return int(key.removeprefix("U+"), 16)


def _apply_advances(font: TTFont, measured: dict[str, Any]) -> None:
    """Give each glyph TH Sarabun New's advance; the outline keeps its left side bearing.

    The differences are a few units of 1000, too little to see, so the drawing is not
    moved: only the pen advance changes, which is what line breaking adds up.
    """
    hmtx = font["hmtx"]
    cmap = font.getBestCmap()
    wanted: dict[str, int] = {}
    for key, advance in measured["advances"].items():
        glyph = cmap.get(code_point(key))
        if glyph is not None:
            wanted.setdefault(glyph, advance)
    # Glyphs reached only through GSUB (ฐ and ญ without their tail, ligatures): the
    # advance the real font gives the same text, measured by shaping.
    for glyph, advance in measured.get("glyph_advances", {}).items():
        if glyph in hmtx.metrics:
            wanted[glyph] = advance
    for glyph, advance in wanted.items():
        hmtx[glyph] = (advance, hmtx[glyph][1])


def _anchor(anchor: Any) -> tuple[int, int]:
    return anchor.XCoordinate, anchor.YCoordinate


Offsets = dict[str, dict[str, tuple[int, int]]]  # mark -> {glyph it sits on: (dx, dy)}


def _mark_attachments(font: TTFont) -> tuple[Offsets, Offsets]:
    """GPOS mark-to-base and mark-to-mark as offsets: {mark: {base or first mark: (dx, dy)}}.

    For a base, (dx, dy) moves the mark from the pen position after the base to where
    the anchors put it; for a first mark, it moves the second mark from the first one.
    """
    to_base: Offsets = {}
    to_mark: Offsets = {}
    if "GPOS" not in font:
        return to_base, to_mark
    hmtx = font["hmtx"]
    for lookup in font["GPOS"].table.LookupList.Lookup:
        for sub in lookup.SubTable:
            if lookup.LookupType == 9:
                sub = sub.ExtSubTable
            if sub.LookupType == 4:
                marks = dict(zip(sub.MarkCoverage.glyphs, sub.MarkArray.MarkRecord, strict=True))
                for base, record in zip(sub.BaseCoverage.glyphs, sub.BaseArray.BaseRecord, strict=True):
                    for mark, mark_record in marks.items():
                        base_anchor = record.BaseAnchor[mark_record.Class]
                        if base_anchor is None:
                            continue
                        (bx, by), (mx, my) = _anchor(base_anchor), _anchor(mark_record.MarkAnchor)
                        # HarfBuzz: mark origin = base origin + base anchor - mark anchor;
                        # its pen position is the base origin + the base's advance.
                        to_base.setdefault(mark, {}).setdefault(base, (bx - mx - hmtx[base][0], by - my))
            elif sub.LookupType == 6:
                marks = dict(zip(sub.Mark1Coverage.glyphs, sub.Mark1Array.MarkRecord, strict=True))
                for first, record in zip(sub.Mark2Coverage.glyphs, sub.Mark2Array.Mark2Record, strict=True):
                    for mark, mark_record in marks.items():
                        first_anchor = record.Mark2Anchor[mark_record.Class]
                        if first_anchor is None:
                            continue
                        (fx, fy), (mx, my) = _anchor(first_anchor), _anchor(mark_record.MarkAnchor)
                        to_mark.setdefault(mark, {}).setdefault(first, (fx - mx, fy - my))
    return to_base, to_mark


def _bake_mark_positions(font: TTFont) -> list[str]:
    """Replace GPOS mark positioning by shifted copies of the marks, chosen by GSUB.

    Returns the feature-file rules (for the "ccmp" lookup) that pick the copies. What
    HarfBuzz does with the anchors is reproduced for a mark after its base and for a
    second mark after a first one (the deepest stacking Thai has): a second mark sits on
    the first (mark-to-mark) where the font says so, else on the base.
    """
    to_base, to_mark = _mark_attachments(font)
    marks = set(to_base) | set(to_mark) | set(m for firsts in to_mark.values() for m in firsts)
    glyph_set = font.getGlyphSet()
    glyf, hmtx = font["glyf"], font["hmtx"]
    order = list(font.getGlyphOrder())
    variants: dict[tuple[str, tuple[int, int]], str] = {}

    def shifted(mark: str, offset: tuple[int, int]) -> str:
        """The mark moved by offset (a new zero-width glyph), or the mark itself."""
        if offset == (0, 0):
            return mark
        if (mark, offset) not in variants:
            name = f"{mark}.at{len([k for k in variants if k[0] == mark]) + 1}"
            pen = TTGlyphPen(glyph_set)
            glyph_set[mark].draw(TransformPen(pen, (1, 0, 0, 1, *offset)))
            glyph = pen.glyph()
            glyf[name] = glyph
            glyph.recalcBounds(glyf)
            hmtx[name] = (0, getattr(glyph, "xMin", 0))
            order.append(name)
            variants[(mark, offset)] = name
        return variants[(mark, offset)]

    # offset of each glyph a first mark can become: the mark itself is at (0, 0)
    first_offsets: dict[str, tuple[str, tuple[int, int]]] = {m: (m, (0, 0)) for m in marks}
    rules: list[tuple[tuple[str, ...], str, str]] = []  # (backtrack, nearest first; mark; replacement)
    for mark, bases in sorted(to_base.items()):
        for base, offset in sorted(bases.items()):
            target = shifted(mark, offset)
            if target != mark:
                rules.append(((base,), mark, target))
                first_offsets[target] = (mark, offset)
    second_rules: list[tuple[tuple[str, ...], str, str]] = []
    for first_glyph, (first, first_offset) in sorted(first_offsets.items()):
        for mark in sorted(marks):
            if first in to_mark.get(mark, {}):
                dx, dy = to_mark[mark][first]
                target = shifted(mark, (first_offset[0] + dx, first_offset[1] + dy))
                if target != mark:
                    second_rules.append(((first_glyph,), mark, target))
            elif first_glyph == first:
                # No mark-to-mark: HarfBuzz attaches the second mark to the base, skipping the first.
                for base, offset in sorted(to_base.get(mark, {}).items()):
                    target = shifted(mark, offset)
                    if target != mark:
                        second_rules.append(((first_glyph, base), mark, target))
    font.setGlyphOrder(order)
    font["maxp"].numGlyphs = len(order)
    if "post" in font and hasattr(font["post"], "extraNames"):
        font["post"].extraNames = []  # rebuilt from the glyph order on save
    gdef = font["GDEF"].table if "GDEF" in font else None
    if gdef is not None and gdef.GlyphClassDef is not None:
        for (mark, _), name in variants.items():
            gdef.GlyphClassDef.classDefs[name] = gdef.GlyphClassDef.classDefs.get(mark, 3)
    return _grouped_rules(rules + second_rules)


def _grouped_rules(rules: list[tuple[tuple[str, ...], str, str]]) -> list[str]:
    """One rule per mark, replacement and glyphs before the nearest, the nearest as a class.

    feaLib makes each rule a subtable of its own, and HarfBuzz tries a mark against every
    subtable: 1914 of them in the regular face, 355 grouped, and LibreOffice converted 20
    reports in 13 % less CPU (the same PDFs). The rules pick one replacement for each
    (glyphs before, mark), so their order never mattered; this is checked, never assumed.
    """
    contexts: dict[tuple[tuple[str, ...], str], str] = {}
    groups: dict[tuple[tuple[str, ...], str, str], list[str]] = {}
    for backtrack, mark, target in rules:
        if contexts.setdefault((backtrack, mark), target) != target:
            raise ValueError(f"two replacements for {mark} after {backtrack}")
        nearest, farther = backtrack[0], backtrack[1:]
        groups.setdefault((farther, mark, target), []).append(nearest)
    for backtrack, mark in contexts:
        # A longer context sharing its nearest glyph with a shorter one: which applies depends on order.
        if len(backtrack) > 1 and (backtrack[:1], mark) in contexts:
            raise ValueError(f"{mark} after {backtrack} would depend on the order of the rules")
    lines = []
    for (farther, mark, target), nearest_glyphs in groups.items():
        context = " ".join([*reversed(farther), f"[{' '.join(sorted(set(nearest_glyphs)))}]"])
        lines.append(f"    sub {context} {mark}' by {target};")
    return lines


def _contextual_advance_rules(font: TTFont, measured: dict[str, Any]) -> list[str]:
    """Rules giving a base another advance before certain marks, as the real font does.

    TH Sarabun New Bold draws ฬ wider before ิ ี ึ ื ็ (an alternate glyph); here a copy
    of the base with that advance stands in. The marks may already be baked copies.
    """
    cmap = font.getBestCmap()
    glyf, hmtx = font["glyf"], font["hmtx"]
    order = list(font.getGlyphOrder())
    lines = []
    for number, (base_key, mark_keys, advance) in enumerate(measured.get("contextual_advances", []), 1):
        base = cmap.get(code_point(base_key))
        marks = [cmap[code_point(k)] for k in mark_keys if code_point(k) in cmap]
        if base is None or not marks:
            continue
        name = f"{base}.adv{number}"
        glyf[name] = copy.deepcopy(glyf[base])  # the same outline: only the advance differs
        hmtx[name] = (advance, hmtx[base][1])
        order.append(name)
        following = sorted({g for g in order if g in marks or g.split(".")[0] in marks})
        lines.append(f"    sub {base}' [{' '.join(following)}] by {name};")
    font.setGlyphOrder(order)
    font["maxp"].numGlyphs = len(order)
    return lines


def _kerning_rules(font: TTFont, measured: dict[str, Any]) -> list[str]:
    cmap = font.getBestCmap()
    lines = []
    for left, right, value in measured.get("kerning", []):
        a, b = cmap.get(code_point(left)), cmap.get(code_point(right))
        if a and b and value:
            lines.append(f"    pos {a} {b} {value};")
    return lines


def _shift_lookup_indices(sub: Any, by: int) -> None:
    """Renumber the lookups a contextual subtable calls (its lookups moved ``by`` places)."""
    records = list(getattr(sub, "SubstLookupRecord", None) or [])  # format 3
    for rule_set in getattr(sub, "ChainSubRuleSet", None) or []:  # format 1
        for rule in rule_set.ChainSubRule if rule_set else []:
            records += rule.SubstLookupRecord
    for class_set in getattr(sub, "ChainSubClassSet", None) or []:  # format 2
        for rule in class_set.ChainSubClassRule if class_set else []:
            records += rule.SubstLookupRecord
    for record in records:
        record.LookupListIndex += by


def _replace_layout(font: TTFont, measured: dict[str, Any]) -> None:
    """GSUB: Laksaman's own lookups, then the baked mark positions; GPOS: the real kerning only."""
    mark_rules = _bake_mark_positions(font)
    advance_rules = _contextual_advance_rules(font, measured) or ["    # none"]
    kern_rules = _kerning_rules(font, measured)
    # The real font has its kerning only under "latn", which HarfBuzz also uses for Thai
    # text (its fallback for a script the font does not list); here it is listed for all.
    header = "languagesystem DFLT dflt;\nlanguagesystem latn dflt;\nlanguagesystem thai dflt;\n"
    old_gsub = font["GSUB"]
    addOpenTypeFeaturesFromString(
        font,
        header + "lookup baked_marks {\n" + "\n".join(mark_rules) + "\n} baked_marks;\n"
        "lookup contextual_advances {\n" + "\n".join(advance_rules) + "\n} contextual_advances;\n"
        "feature ccmp { lookup baked_marks; lookup contextual_advances; } ccmp;\n",
        tables=["GSUB"],
    )
    baked = font["GSUB"].table
    # Append the new lookups after Laksaman's (HarfBuzz applies the lookups of one stage
    # in list order, so the marks are moved after Laksaman chose its mark glyphs).
    table = old_gsub.table
    first = len(table.LookupList.Lookup)
    for lookup in baked.LookupList.Lookup:
        for sub in lookup.SubTable:
            _shift_lookup_indices(sub, first)
        table.LookupList.Lookup.append(lookup)
    table.LookupList.LookupCount = len(table.LookupList.Lookup)
    new_indices = [first + i for i, lookup in enumerate(baked.LookupList.Lookup) if lookup.LookupType in (6, 5)]
    features_done = False
    for record in table.FeatureList.FeatureRecord:
        if record.FeatureTag == "ccmp":
            record.Feature.LookupListIndex += new_indices
            record.Feature.LookupCount = len(record.Feature.LookupListIndex)
            features_done = True
    if not features_done:
        raise ValueError("Laksaman has no ccmp feature to hang the baked mark positions on")
    # A script without ccmp would not get them (every script of Debian's Laksaman has it).
    for script in table.ScriptList.ScriptRecord:
        tags = {table.FeatureList.FeatureRecord[i].FeatureTag for i in script.Script.DefaultLangSys.FeatureIndex}
        if "ccmp" not in tags:
            raise ValueError(f"Laksaman's script {script.ScriptTag} has no ccmp feature")
    font["GSUB"] = old_gsub
    del font["GPOS"]
    addOpenTypeFeaturesFromString(
        font, header + "feature kern {\n" + "\n".join(kern_rules) + "\n} kern;\n", tables=["GPOS"]
    )


def make_substitute(source: Path, style: Style, metrics: dict[str, Any] | None = None) -> TTFont:
    """One substitute face from one Laksaman face (in memory)."""
    font = TTFont(source)
    # Scaling the em to 665 units scales every value in font units (outlines, advances,
    # GPOS kerning and mark anchors, OS/2 and post fields); declaring the em as 1000
    # again then shrinks the design by 0.665 while leaving the 1000-unit em intact.
    scale_upem(font, round(UPEM * SCALE))
    font["head"].unitsPerEm = UPEM
    if "CFF " in font:  # scale_upem also rescaled the CFF FontMatrix to 1/665
        font["CFF "].cff.topDictIndex[0].FontMatrix = [1 / UPEM, 0, 0, 1 / UPEM, 0, 0]
    _drop_hinting(font)
    if metrics is not None:
        measured = metrics["styles"][style.name]
        _apply_advances(font, measured)
        # Baking marks draws TrueType outlines: with Laksaman's OpenType/CFF package only
        # (not Debian's default), its own GPOS stays and only the advances are the real ones.
        if "glyf" in font:
            _replace_layout(font, measured)  # mark offsets count from the new advances

    hhea = font["hhea"]
    hhea.ascent, hhea.descent, hhea.lineGap = HHEA_ASCENT, HHEA_DESCENT, HHEA_LINE_GAP
    os2 = font["OS/2"]
    os2.usWinAscent, os2.usWinDescent = WIN_ASCENT, WIN_DESCENT
    os2.sTypoAscender, os2.sTypoDescender, os2.sTypoLineGap = TYPO_ASCENDER, TYPO_DESCENDER, TYPO_LINE_GAP
    # Style linking: the Bold/Italic bits decide which face a bold or italic run gets.
    sel = os2.fsSelection & ~(USE_TYPO_METRICS | 0b1100001)  # clear italic, bold, regular
    sel |= (1 if style.italic else 0) | (1 << 5 if style.bold else 0)
    sel |= (1 << 6) if not (style.bold or style.italic) else 0
    os2.fsSelection = sel
    font["head"].macStyle = (1 if style.bold else 0) | (2 if style.italic else 0)
    os2.usWeightClass = 700 if style.bold else 400
    _set_names(font, style)
    return font


def substitute_path(out_dir: Path, style: Style, suffix: str = ".ttf") -> Path:
    return out_dir / f"{SUBSTITUTE_PS}-{style.ps_suffix}{suffix}"


def build_substitute(out_dir: Path, sources: dict[Style, Path]) -> list[Path]:
    """Build the four faces of TH Sarabun Substitute into out_dir from the Laksaman ``sources``;
    return their paths.

    Skipped when every output exists and is newer than this script, the metrics and its source.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    metrics = load_metrics()
    script_mtime = max(Path(__file__).stat().st_mtime, METRICS_FILE.stat().st_mtime)
    outputs: list[Path] = []
    for style in STYLES:
        source = sources[style]
        target = substitute_path(out_dir, style, source.suffix.lower())
        outputs.append(target)
        if target.exists() and target.stat().st_mtime > max(script_mtime, source.stat().st_mtime):
            continue
        tmp = target.with_name(target.name + ".tmp")
        make_substitute(source, style, metrics).save(tmp)
        tmp.replace(target)  # atomic: an interrupted build leaves no half-written font
    return outputs
