"""Loading and validating the inputs: every problem reported at once, in Thai, with file, row and field."""

from pathlib import Path

import pytest

from pipeline.load import load_campaign
from pipeline.model import LetterFormat
from pipeline.problems import InputError


def problems_of(inputs: Path) -> list[str]:
    with pytest.raises(InputError) as caught:
        load_campaign(inputs)
    return [str(p) for p in caught.value.problems]


def test_shipped_inputs_load(inputs):
    campaign = load_campaign(inputs)
    assert len(campaign.centers) == 76
    assert len(campaign.provinces) == 76
    first = campaign.centers[0]
    assert (first.order, first.province, first.district) == (1, "สมุทรปราการ", "พระสมุทรเจดีย์")
    assert campaign.circular.number == "มท ๐๓๐๗.๒/ว ๒๘๘๖๕"


def test_cp874_and_bom_are_read_like_utf8(inputs):
    csv = inputs / "centers.csv"
    text = csv.read_text(encoding="utf-8")
    csv.write_bytes(text.encode("cp874"))
    assert len(load_campaign(inputs).centers) == 76
    csv.write_bytes(text.encode("utf-8-sig"))
    assert load_campaign(inputs).centers[0].province == "สมุทรปราการ"


def test_every_center_problem_is_reported_at_once(inputs):
    csv = inputs / "centers.csv"
    lines = csv.read_text(encoding="utf-8").splitlines()
    lines[1] = "1,สมุทรปราการร,ศูนย์ดำรงธรรมอำเภอพระสมุทรเจดีย์,"  # typo in province
    lines[2] = "2,นนทบุรี,,"  # empty name
    lines.append(lines[3].replace("3,", "99,", 1))  # duplicate center
    csv.write_text("\n".join(lines) + "\n", encoding="utf-8")
    found = problems_of(inputs)
    assert len(found) == 3, found
    assert "inputs/centers.csv: แถวที่ 2, ช่อง province: ไม่รู้จักจังหวัด “สมุทรปราการร” หรือหมายถึง “สมุทรปราการ”?" in found
    assert any("แถวที่ 3, ช่อง center: ไม่ได้ระบุชื่อศูนย์" in p for p in found)
    assert any("แถวที่ 78, ช่อง center" in p and "ซ้ำกับแถวที่ 4" in p for p in found)


def test_invisible_characters_are_cleaned_silently(inputs):
    csv = inputs / "centers.csv"
    text = csv.read_text(encoding="utf-8").replace("1,สมุทรปราการ,", "1, สมุทร\u200bปราการ\u00a0,", 1)
    text = text.replace("อ่างทอง", "อ่างทอง", 1)
    csv.write_text(text.replace("กำแพงเพชร", "ก\u0e4d\u0e32แพงเพชร"), encoding="utf-8")
    campaign = load_campaign(inputs)
    assert campaign.centers[0].province == "สมุทรปราการ"
    assert any(c.province == "กำแพงเพชร" for c in campaign.centers)


def test_circular_problems_name_line_and_key(inputs):
    yaml_file = inputs / "circular.yaml"
    text = yaml_file.read_text(encoding="utf-8")
    text = text.replace("date: 2020-12-28", "date: ๓๑ กุมภาพันธ์ ๒๕๖๔").replace("number:", "numbr:")
    yaml_file.write_text(text, encoding="utf-8")
    found = problems_of(inputs)
    assert any("ช่อง date" in p and "ไม่มีอยู่จริง" in p and "บรรทัดที่" in p for p in found), found
    assert any("ไม่รู้จักคีย์ “numbr” หรือหมายถึง “number”?" in p for p in found), found
    assert any("ขาดคีย์ “number”" in p for p in found), found


def test_the_deadline_is_optional_and_read_in_any_date_form(inputs):
    from datetime import date

    assert load_campaign(inputs).circular.deadline == date(2021, 1, 29)
    yaml_file = inputs / "circular.yaml"
    text = yaml_file.read_text(encoding="utf-8")
    yaml_file.write_text(text.replace("deadline: 2021-01-29", "deadline: ๒๙ ม.ค. ๒๕๖๔"), encoding="utf-8")
    assert load_campaign(inputs).circular.deadline == date(2021, 1, 29)
    without = "\n".join(line for line in text.splitlines() if not line.startswith("deadline:"))
    yaml_file.write_text(without, encoding="utf-8")
    assert load_campaign(inputs).circular.deadline is None


def test_a_wrong_deadline_is_named_with_its_line(inputs):
    yaml_file = inputs / "circular.yaml"
    text = yaml_file.read_text(encoding="utf-8")
    line = text.splitlines().index(next(x for x in text.splitlines() if x.startswith("deadline:"))) + 1
    yaml_file.write_text(text.replace("deadline: 2021-01-29", "deadline: 30/2/2564"), encoding="utf-8")
    (found,) = problems_of(inputs)
    assert found.startswith(f"inputs/circular.yaml: บรรทัดที่ {line}, ช่อง deadline: "), found
    assert "ไม่มีอยู่จริง" in found, found
    yaml_file.write_text(text.replace("deadline: 2021-01-29", "deadline: 2020-12-01"), encoding="utf-8")
    assert problems_of(inputs) == [
        f"inputs/circular.yaml: บรรทัดที่ {line}, ช่อง deadline: กำหนดส่ง (deadline) ๑ ธันวาคม ๒๕๖๓ "
        "อยู่ก่อนวันที่ของหนังสือ (date) ๒๘ ธันวาคม ๒๕๖๓"
    ]


def test_the_shipped_circular_is_a_stamped_letter(inputs):
    circular = load_campaign(inputs).circular
    assert circular.format is LetterFormat.STAMPED
    assert circular.office == ("กรมการปกครอง",) and circular.stamp is None
    assert (circular.subject, circular.salutation, circular.closing, circular.signer) == ("", "", "", None)
    assert circular.references == () and circular.enclosures == {}


def test_a_part_of_the_other_format_is_an_error_naming_it(inputs):
    yaml_file = inputs / "circular.yaml"
    text = yaml_file.read_text(encoding="utf-8")
    yaml_file.write_text(text.replace("number:", "subject: การประเมินตนเอง\nnumber:", 1), encoding="utf-8")
    assert problems_of(inputs) == [
        "inputs/circular.yaml: บรรทัดที่ 21, ช่อง subject: หนังสือประทับตราไม่มีส่วน “เรื่อง” (มีเฉพาะในหนังสือภายนอก): "
        "ลบคีย์ “subject” ออก หรือเปลี่ยน format เป็น ภายนอก"
    ]


def test_the_external_example_loads_and_refuses_a_stamp(inputs):
    example = inputs / "circular.external.example.yaml"
    (inputs / "circular.yaml").write_text(example.read_text(encoding="utf-8"), encoding="utf-8")
    circular = load_campaign(inputs).circular
    assert circular.format is LetterFormat.EXTERNAL
    assert (circular.salutation, circular.closing) == ("เรียน", "ขอแสดงความนับถือ")
    assert circular.signer.position == ("อธิบดีกรมการปกครอง",) and len(circular.enclosures["province"]) == 2
    text = example.read_text(encoding="utf-8").replace("format: ภายนอก", "format: ภายนอก\nstamp: ตรา.png", 1)
    (inputs / "circular.yaml").write_text(text, encoding="utf-8")
    line = text.splitlines().index("stamp: ตรา.png") + 1
    assert problems_of(inputs) == [
        f"inputs/circular.yaml: บรรทัดที่ {line}, ช่อง stamp: หนังสือภายนอกไม่มีส่วน “ตราชื่อส่วนราชการ” "
        "(มีเฉพาะในหนังสือประทับตรา): ลบคีย์ “stamp” ออก หรือเปลี่ยน format เป็น ประทับตรา"
    ]


def test_a_stamp_image_must_exist(inputs):
    yaml_file = inputs / "circular.yaml"
    text = yaml_file.read_text(encoding="utf-8").replace('stamp: ""', "stamp: ไม่มี.png", 1)
    yaml_file.write_text(text, encoding="utf-8")
    (found,) = problems_of(inputs)
    assert found.startswith("inputs/circular.yaml: บรรทัดที่ 31, ช่อง stamp: ไม่พบไฟล์ภาพตราชื่อส่วนราชการ “ไม่มี.png”"), found


def test_yaml_syntax_error_gives_line_and_column(inputs):
    yaml_file = inputs / "circular.yaml"
    yaml_file.write_text("urgency: ด่วน\nnumber: [ไม่ปิดวงเล็บ\n", encoding="utf-8")
    (found,) = problems_of(inputs)
    assert found.startswith("inputs/circular.yaml: บรรทัดที่ ") and "คอลัมน์" in found and "YAML" in found


def test_missing_files_are_named(tmp_path):
    found = problems_of(tmp_path)
    assert any("centers.csv: ไม่พบไฟล์" in p for p in found)
    assert any("circular.yaml: ไม่พบไฟล์" in p for p in found)


def test_the_sending_office_is_required(inputs):
    yaml_file = inputs / "circular.yaml"
    text = yaml_file.read_text(encoding="utf-8").replace("  - กรมการปกครอง             #", "#", 1)
    yaml_file.write_text(text.replace("office:   ", "office: []   ", 1), encoding="utf-8")
    assert problems_of(inputs) == ["inputs/circular.yaml: บรรทัดที่ 29, ช่อง office: ต้องมีชื่อส่วนราชการอย่างน้อยหนึ่งบรรทัด"]


def test_a_parsed_yaml_file_is_parsed_once_and_each_reader_gets_its_own_copy(monkeypatch):
    """The web reads every answer file again whenever one changed: the same bytes are parsed once, and an
    editor changing what it read must not change what the next reader gets."""
    from pipeline.load import yamlfile

    monkeypatch.setattr(yamlfile, "_KEEP_PARSED", True)  # as in the web server (keep_parsed)
    raw = "ศูนย์: บางบัวทอง\nรายการ:\n  - ข้อ: 1\n    มี: true\n".encode()
    first = yamlfile.parse_yaml(raw, "answers/a.yaml", [])
    first.data["รายการ"][0]["มี"] = False  # what an editor does before writing the file back
    first.data["ศูนย์"] = "อื่น"
    before = yamlfile._parsed.cache_info().hits
    again = yamlfile.parse_yaml(raw, "answers/a.yaml", [])
    assert yamlfile._parsed.cache_info().hits == before + 1
    assert again.data == {"ศูนย์": "บางบัวทอง", "รายการ": [{"ข้อ": 1, "มี": True}]}
    assert again.lines[("ศูนย์",)] == 1

    problems: list = []
    assert yamlfile.parse_yaml(b"a: [1\n", "answers/b.yaml", problems) is None
    assert problems and problems[0].file == "answers/b.yaml"
    repeated: list = []
    assert yamlfile.parse_yaml(b"a: [1\n", "answers/b.yaml", repeated) is None
    assert repeated == problems  # a broken file's problems come every time it is read
