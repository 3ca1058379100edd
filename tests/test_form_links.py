"""The centers' web links on their blank forms (issue 10): a QR code per center, read back from the PDFs."""

import csv
from pathlib import Path

import fitz
import pytest
import zxingcpp
from campaigns import run, small_inputs
from PIL import Image

from pipeline.load import load_campaign
from pipeline.problems import InputError

QR_MM = 25.0  # pipeline/documents/forms.py QR_SIZE_MM
WORDING = "ตอบแบบประเมินออนไลน์ได้ที่ลิงก์ของศูนย์"  # templates/checklist.docx


def links_of(outputs: Path) -> dict[str, str]:
    with open(outputs / "links.csv", encoding="utf-8-sig", newline="") as handle:
        return {row["center"]: row["url"] for row in csv.DictReader(handle)}


def qr_codes(page: fitz.Page) -> list[str]:
    pixmap = page.get_pixmap(dpi=200)
    image = Image.frombytes("RGB", (pixmap.width, pixmap.height), pixmap.samples)
    return [code.text for code in zxingcpp.read_barcodes(image) if code.format == zxingcpp.BarcodeFormat.QRCode]


def pictures_mm(page: fitz.Page) -> list[tuple[float, float]]:
    boxes = [fitz.Rect(i["bbox"]) for i in page.get_image_info()]
    return [(box.width * 25.4 / 72, box.height * 25.4 / 72) for box in boxes]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("links")
    inputs, outputs = small_inputs(root), root / "outputs"
    made = run("links", "--inputs", str(inputs), "--outputs", str(outputs), "--base-url", "http://example.test")
    assert made.returncode == 0, made.stderr
    result = run("build", "--inputs", str(inputs), "--outputs", str(outputs))
    assert result.returncode == 0, result.stdout + result.stderr
    return inputs, outputs, links_of(outputs)


def test_each_form_carries_its_own_link_as_a_qr_code_on_page_one(built):
    inputs, outputs, links = built
    campaign = load_campaign(inputs)
    assert len(links) == len(campaign.centers) == 3
    for center in campaign.centers:
        url = links[center.name]
        for pdf in (outputs / f"forms/{center.slug}.pdf", outputs / f"forms/{center.slug}-fillable.pdf"):
            with fitz.open(pdf) as doc:
                first = doc[0]
                assert qr_codes(first) == [url], pdf
                (size,) = pictures_mm(first)
                assert size == pytest.approx((QR_MM, QR_MM), abs=0.3)
                text = first.get_text()
                assert WORDING in text and url in text
                assert not [other for other in links.values() if other != url and other in text]
                assert all(not page.get_image_info() for page in doc.pages(1)), "the QR code is on page 1 only"


def test_the_province_package_carries_its_centers_links_and_no_other(built):
    inputs, outputs, links = built
    campaign = load_campaign(inputs)
    for province in campaign.provinces:
        with fitz.open(outputs / f"package/{province.slug}.pdf") as doc:
            found = [code for page in doc for code in qr_codes(page)]
        assert found == [links[c.name] for c in province.centers]


def test_the_criteria_and_reports_show_no_link(built):
    _, outputs, _ = built
    pdfs = [outputs / "enclosures/criteria.pdf", *sorted((outputs / "reports").glob("*.pdf"))]
    assert len(pdfs) >= 3
    for pdf in pdfs:
        with fitz.open(pdf) as doc:
            assert "example.test" not in "".join(page.get_text() for page in doc), pdf
            assert not [code for page in doc for code in qr_codes(page)], pdf


def test_without_links_the_forms_are_rebuilt_without_a_qr_code(built):
    inputs, outputs, _ = built
    (outputs / "links.csv").unlink()
    result = run("forms", "--inputs", str(inputs), "--outputs", str(outputs))
    assert result.returncode == 0, result.stdout + result.stderr
    for pdf in sorted((outputs / "forms").glob("*.pdf")):
        with fitz.open(pdf) as doc:
            assert not doc[0].get_image_info(), pdf
            assert WORDING not in doc[0].get_text() and "example.test" not in doc[0].get_text()


def test_a_wrong_links_file_is_named_row_by_row(tmp_path):
    inputs = small_inputs(tmp_path)
    links = tmp_path / "outputs" / "links.csv"
    links.parent.mkdir()
    links.write_text(
        "\ufeffprovince,center,url\r\n"
        "สมุทรปราการ,ศูนย์ดำรงธรรมอำเภอพระสมุทรเจดีย์,http://example.test/c/a\r\n"
        "สมุทรปราการ,ศูนย์ดำรงธรรมอำเภอพระสมุทรเจดีย์,http://example.test/c/b\r\n"
        "นนทบุรี,ศูนย์ดำรงธรรมอำเภอปากเกร็ด,http://example.test/c/c\r\n"
        "สมุทรปราการ,ศูนย์ดำรงธรรมอำเภอบางพลี,example.test/c/d\r\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as raised:
        load_campaign(inputs, links)
    problems = [(p.file, p.where, p.field) for p in raised.value.problems]
    # Row 4 names a center no longer on the list: left out, not an error (the list may change after links).
    assert problems == [("outputs/links.csv", "แถวที่ 3", "center"), ("outputs/links.csv", "แถวที่ 5", "url")]
    assert "ซ้ำกับแถวที่ 2" in str(raised.value.problems[0])
    links.write_text("province,center,url\r\nสมุทรปราการ,ศูนย์ดำรงธรรมอำเภอบางพลี,https://x.test/c/d\r\n", encoding="utf-8")
    assert load_campaign(inputs, links).links == {("สมุทรปราการ", "ศูนย์ดำรงธรรมอำเภอบางพลี"): "https://x.test/c/d"}
    assert load_campaign(inputs, tmp_path / "none.csv").links == {}
