"""The document font: TH Sarabun New, or a metric-compatible substitute.

Documents declare "TH Sarabun New" (the government standard). It is in no package
registry. Debian's fonts-thai-tlwg maps "TH Sarabun" to Laksaman scaled 0.66, but
LibreOffice ignores fontconfig's scaling: Laksaman at 16 pt is about 1.5x too big and
a one-page letter spills onto two. So where the real font is missing, set-up builds
"TH Sarabun Substitute" from Laksaman (a Sarabun design drawn on a larger body):
everything in font units scaled by 0.665, vertical metrics copied from TH Sarabun New.
A fontconfig file used only for the LibreOffice conversion (FONTCONFIG_FILE) maps
"TH Sarabun New" to it; the user's desktop configuration is left alone.

    python -m pipeline.fonts build      # what the Makefile runs
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from fontTools.ttLib import TTFont
from fontTools.ttLib.scaleUpem import scale_upem

REAL_FAMILY = "TH Sarabun New"
SUBSTITUTE_FAMILY = "TH Sarabun Substitute"
SUBSTITUTE_PS = "THSarabunSubstitute"
# Names documents (and old templates) use for the Sarabun family; all go to one font.
ALIASED_FAMILIES = ("TH Sarabun New", "TH SarabunPSK", "TH Sarabun")

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

SYSTEM_FONTS_CONF = Path("/etc/fonts/fonts.conf")
# Where Debian's fonts-tlwg-laksaman-ttf / -otf put the files (used if fc-list fails).
LAKSAMAN_DIRS = (Path("/usr/share/fonts/truetype/tlwg"), Path("/usr/share/fonts/opentype/tlwg"))


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


def _default_env() -> dict[str, str]:
    """The environment without fontconfig overrides: the system's own view of fonts."""
    env = dict(os.environ)
    env.pop("FONTCONFIG_FILE", None)
    env.pop("FONTCONFIG_PATH", None)
    return env


def _fc_list(pattern: str, env: dict[str, str] | None = None) -> list[Path]:
    try:
        out = subprocess.run(
            ["fc-list", "--format", "%{file}\n", pattern],
            capture_output=True, text=True, check=True, timeout=60,
            env=env if env is not None else _default_env(),
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    return [Path(line) for line in out.splitlines() if line.strip()]


# fc-list lists fonts as they are; it does not apply the TLWG substitution rule, so
# Laksaman is never reported as "TH Sarabun New" (fc-match would report it).
REAL_FONT_QUERY = f"{REAL_FAMILY}:style=Regular"


def real_font_installed() -> bool:
    """Whether the real TH Sarabun New (at least its regular face) is installed system-wide."""
    return bool(_fc_list(REAL_FONT_QUERY))


def find_laksaman() -> dict[Style, Path]:
    """The four Laksaman faces, by style. TrueType preferred over OpenType/CFF.

    Debian's fonts-thai-tlwg depends on fonts-tlwg-laksaman, which is satisfied by
    either fonts-tlwg-laksaman-ttf (the default choice) or fonts-tlwg-laksaman-otf.
    """
    candidates = _fc_list("Laksaman")
    for d in LAKSAMAN_DIRS:
        candidates += sorted(d.glob("Laksaman*.[ot]tf"))
    found: dict[Style, Path] = {}
    # .ttf first so that it wins when both packages are installed.
    for path in sorted(set(candidates), key=lambda p: (p.suffix.lower() != ".ttf", str(p))):
        if path.suffix.lower() not in (".ttf", ".otf") or not path.is_file():
            continue
        with TTFont(path, lazy=True) as font:
            mac_style = font["head"].macStyle
        style = next(s for s in STYLES if s.bold == bool(mac_style & 1) and s.italic == bool(mac_style & 2))
        found.setdefault(style, path)
    missing = [s.name for s in STYLES if s not in found]
    if missing:
        raise FileNotFoundError(
            f"Laksaman {', '.join(missing)} not found: install the Debian package fonts-thai-tlwg "
            "(or fonts-tlwg-laksaman-ttf)"
        )
    return found


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
    for name in glyf.keys():
        glyf[name].removeHinting()
    maxp = font["maxp"]
    maxp.maxZones, maxp.maxTwilightPoints, maxp.maxStorage = 1, 0, 0
    maxp.maxFunctionDefs = maxp.maxInstructionDefs = maxp.maxStackElements = 0
    maxp.maxSizeOfInstructions = 0
    if "gasp" in font:
        font["gasp"].gaspRange = {0xFFFF: 0x000A}  # smoothing only, no grid-fitting


def make_substitute(source: Path, style: Style) -> TTFont:
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


def build_substitute(out_dir: Path) -> list[Path]:
    """Build the four faces of TH Sarabun Substitute into out_dir; return their paths.

    Skipped when every output exists and is newer than this script and its source.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    sources = find_laksaman()
    script_mtime = Path(__file__).stat().st_mtime
    outputs: list[Path] = []
    for style in STYLES:
        source = sources[style]
        target = substitute_path(out_dir, style, source.suffix.lower())
        outputs.append(target)
        if target.exists() and target.stat().st_mtime > max(script_mtime, source.stat().st_mtime):
            continue
        tmp = target.with_name(target.name + ".tmp")
        make_substitute(source, style).save(tmp)
        tmp.replace(target)  # atomic: an interrupted build leaves no half-written font
    return outputs


def fontconfig_text(cache_dir: Path, font_dirs: list[Path], alias_to: str | None) -> str:
    lines = [
        '<?xml version="1.0"?>',
        '<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">',
        "<!-- Generated by pipeline/fonts.py; used only for LibreOffice conversions (FONTCONFIG_FILE). -->",
        "<fontconfig>",
        # Before the system include: fontconfig writes new caches to the first writable cachedir.
        f"  <cachedir>{escape(str(cache_dir.resolve()))}</cachedir>",
        f"  <include ignore_missing=\"no\">{SYSTEM_FONTS_CONF}</include>",
    ]
    lines += [f"  <dir>{escape(str(d.resolve()))}</dir>" for d in font_dirs]
    if alias_to:
        # After the system rules, and prepended with a strong binding: the substitute then
        # comes before the Laksaman that TLWG's 89-tlwg-laksaman-synthetic.conf appends to
        # any "TH Sarabun…" request (its 0.66 matrix applies only when Laksaman is chosen).
        for family in ALIASED_FAMILIES:
            lines += [
                '  <match target="pattern">',
                f'    <test qual="any" name="family" compare="eq"><string>{escape(family)}</string></test>',
                f'    <edit name="family" mode="prepend" binding="strong"><string>{escape(alias_to)}</string></edit>',
                "  </match>",
            ]
    lines.append("</fontconfig>")
    return "\n".join(lines) + "\n"


def write_fontconfig(out_dir: Path, font_dirs: list[Path], alias_to: str | None) -> Path:
    """Write out_dir/fonts.conf: the system configuration plus font_dirs, optionally aliased.

    Left alone when unchanged and newer than this script, so that what depends on it
    is not rebuilt for nothing, while make (which lists fonts.py as its prerequisite)
    still sees it up to date.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    conf = out_dir / "fonts.conf"
    text = fontconfig_text(out_dir / "fontconfig-cache", font_dirs, alias_to)
    unchanged = conf.exists() and conf.read_text(encoding="utf-8") == text
    if not (unchanged and conf.stat().st_mtime > Path(__file__).stat().st_mtime):
        conf.write_text(text, encoding="utf-8")
    return conf


def fc_match(conf: Path | None, pattern: str, format: str | None = None) -> str:
    """fc-match under the given configuration (None: the system's), e.g.
    'THSarabunSubstitute-Bold.ttf: "TH Sarabun Substitute" "Bold"'."""
    env = _default_env()
    if conf is not None:
        env["FONTCONFIG_FILE"] = str(conf.resolve())
    return subprocess.run(
        ["fc-match", *(["-f", format] if format else []), pattern], capture_output=True, text=True, check=True,
        timeout=60, env=env,
    ).stdout.strip()


def font_file(conf: Path | None, pattern: str = REAL_FAMILY) -> Path | None:
    """The font file the conversion uses for ``pattern`` ("TH Sarabun New", "TH Sarabun New:bold")."""
    try:
        found = Path(fc_match(conf, pattern, "%{file}"))
    except (OSError, subprocess.SubprocessError):
        return None
    return found if found.is_file() else None


def prepare(build_dir: Path) -> Path:
    """Set up fonts for conversion; return the fonts.conf to pass to LibreOffice as FONTCONFIG_FILE."""
    fonts_dir = build_dir / "fonts"
    if real_font_installed():
        return write_fontconfig(fonts_dir, [], None)
    build_substitute(fonts_dir)
    return write_fontconfig(fonts_dir, [fonts_dir], SUBSTITUTE_FAMILY)


def main(argv: list[str]) -> int:
    build_dir = Path(argv[0] if argv else "build")
    real = real_font_installed()
    conf = prepare(build_dir)
    if real:
        print(f"TH Sarabun New is installed: using it. Fontconfig for conversion: {conf}")
    else:
        print(f"TH Sarabun New is not installed: built {SUBSTITUTE_FAMILY} in {conf.parent}")
        print(f"Fontconfig for conversion (FONTCONFIG_FILE): {conf}")
    for pattern in (REAL_FAMILY, f"{REAL_FAMILY}:bold"):
        print(f"  fc-match {pattern!r} -> {fc_match(conf, pattern)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
