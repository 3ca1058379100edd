"""The summary chart: a PNG at 200 dpi in the conversion's Thai font (the Thai itself was checked by eye)."""

import re
import struct
import warnings
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest
from campaigns import shipped

from pipeline import chart as chart_module
from pipeline.documents import Chart, summary
from pipeline.load import load_campaign
from pipeline.load.answers import load_answers
from pipeline.render import render

PROJECT = Path(__file__).resolve().parents[1]
INPUTS = shipped()
TEMPLATES = PROJECT / "templates"


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def png_dpi(path: Path) -> float | None:
    data = path.read_bytes()
    at = data.find(b"pHYs")
    if at < 0:
        return None
    x, _, unit = struct.unpack(">IIB", data[at + 4 : at + 13])
    return x * 0.0254 if unit == 1 else None


@pytest.fixture(scope="module")
def family():
    try:
        return chart_module.font_family()
    except (chart_module.FontMissing, FileNotFoundError) as error:
        pytest.skip(f"no Thai font for charts here: {error}")


@pytest.fixture(scope="module")
def shipped_chart() -> Chart:
    campaign = load_campaign(INPUTS)
    answers, _ = load_answers(INPUTS / "answers", INPUTS, campaign.centers, campaign.criteria)
    return summary.documents(campaign, answers)[0].context["chart"]


def test_font_is_the_conversion_font(family):
    assert "Sarabun" in family  # the real TH Sarabun New, or TH Sarabun Substitute built from Laksaman


def test_draw_summary_chart(family, shipped_chart, tmp_path):
    target = tmp_path / "summary" / "chart.png"
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # e.g. "Glyph … missing from font(s)": Thai would show as boxes
        chart_module.draw(shipped_chart, target)
    width, height = png_size(target)
    assert abs(width - shipped_chart.width_mm / 25.4 * 200) <= 1
    assert abs(height - shipped_chart.height_mm / 25.4 * 200) <= 1
    assert png_dpi(target) == pytest.approx(200, abs=0.5)
    assert [p.name for p in target.parent.iterdir()] == ["chart.png"]  # written atomically, nothing left over


def test_draw_ungrouped_chart_and_redraw(family, tmp_path):
    small = Chart(("๑", "๒", "๑.๑"), (0.0, 55.5, 100.0), 80, 40, title="ร้อยละของศูนย์ที่ดำเนินการ")
    target = tmp_path / "small.png"
    chart_module.draw(small, target)
    first = target.read_bytes()
    width, height = png_size(target)
    assert abs(width - 80 / 25.4 * 200) <= 1 and abs(height - 40 / 25.4 * 200) <= 1
    chart_module.draw(small, target)  # drawing again replaces the file with the same picture
    assert target.read_bytes() == first


def test_the_caption_is_the_templates_and_the_panels_are_headed_by_the_criteria(family, shipped_chart, tmp_path):
    """The value axis caption is wording: summary.docx gives it, ``{{ chart("…") }}``; none is in Python.
    Each panel is headed by its criterion's title from criteria.yaml, the same words as the table below
    it, the report's sections and the web form (not "เกณฑ์ที่ ๒ ด้านคุณภาพ" in one place and
    "เกณฑ์ที่ ๒ เกณฑ์ด้านคุณภาพ" in another)."""
    with zipfile.ZipFile(TEMPLATES / "summary.docx") as docx:
        xml = docx.read("word/document.xml").decode("utf-8")
    [caption] = re.findall(r'\{\{ chart\("([^"]+)"\) \}\}', xml)
    assert caption == "ร้อยละของศูนย์ที่ตอบว่ามีการดำเนินการ"
    assert "{{ titles.physical|thai }}" in xml and "{{ titles.quality|thai }}" in xml  # the per-item table
    campaign = load_campaign(INPUTS)
    [document] = [d for d in summary.documents(campaign) if d.template == "summary.docx"]
    titles = document.context["titles"]
    assert [h for h, _ in document.context["chart"].groups] == [titles["physical"], titles["quality"]]
    assert titles == {"physical": campaign.criteria.physical_title, "quality": campaign.criteria.quality_title}
    render(document, TEMPLATES, tmp_path / "summary.docx")
    chart_module.draw(replace(shipped_chart, title=caption), tmp_path / "with-caption.png")
    chart_module.draw(shipped_chart, tmp_path / "without.png")
    drawn = (tmp_path / "summary-chart.png").read_bytes()
    assert drawn == (tmp_path / "with-caption.png").read_bytes()
    assert drawn != (tmp_path / "without.png").read_bytes()
