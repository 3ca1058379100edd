"""Report and summary contexts, the scoring policy and results.csv: data only, no LibreOffice."""

import csv
import dataclasses
import io
import shutil
from datetime import date
from pathlib import Path

import pytest
import yaml
from campaigns import shipped

from pipeline import exports
from pipeline.documents import Chart, reports, summary
from pipeline.documents.checklist import TICKED, number
from pipeline.load import load_campaign
from pipeline.load.answers import load_answers
from pipeline.load.scoring import load_scoring
from pipeline.thai import thai_date

PROJECT = Path(__file__).resolve().parents[1]
INPUTS = shipped()
BANG_BUA_THONG = "ศูนย์ดำรงธรรมอำเภอบางบัวทอง"  # 02-นนทบุรี-บางบัวทอง.yaml
PHRA_SAMUT_CHEDI = "ศูนย์ดำรงธรรมอำเภอพระสมุทรเจดีย์"  # 01-สมุทรปราการ-พระสมุทรเจดีย์.yaml


@pytest.fixture(scope="module")
def shipped():
    campaign = load_campaign(INPUTS)
    answers, problems = load_answers(INPUTS / "answers", INPUTS, campaign.centers, campaign.criteria)
    assert problems == []
    return campaign, answers


def answer_of(answers, center):
    return next(a for a in answers if a.center == center)


def report_of(campaign, answers, center, scoring=None):
    return next(d for d in reports.documents(campaign, answers, scoring) if d.context["center"]["name"] == center)


# --- the report ---------------------------------------------------------------------


def test_one_report_per_answer_in_center_order(shipped):
    campaign, answers = shipped
    docs = reports.documents(campaign, list(reversed(answers)))
    assert len(docs) == len(answers) == 7
    assert [d.name for d in docs] == sorted(d.name for d in docs)
    first = docs[0]
    assert (first.kind, first.template, first.pdfa) == ("report", "checklist.docx", True)
    assert first.name == "reports/01-สมุทรปราการ-พระสมุทรเจดีย์"
    assert first.title == f"ผลการประเมินตนเอง {PHRA_SAMUT_CHEDI} จังหวัดสมุทรปราการ"


def test_answers_default_to_the_campaigns(shipped):
    campaign, answers = shipped
    assert len(campaign.answers) == 7
    assert [d.name for d in reports.documents(campaign)] == [d.name for d in reports.documents(campaign, answers)]
    assert summary.results_rows(campaign) == summary.results_rows(campaign, answers)
    assert summary.documents(campaign)[0].context["totals"]["answered"] == 7
    assert reports.documents(campaign, []) == [] and summary.documents(campaign, [])[0].context["centers"] == []


def test_report_context_keys_and_expected_texts(shipped):
    campaign, answers = shipped
    doc = report_of(campaign, answers, BANG_BUA_THONG)
    answer = answer_of(answers, BANG_BUA_THONG)
    c = doc.context
    assert set(c) == {"mode", "center", "assessor", "summary", "title", "physical", "quality", "results", "notes"}
    assert c["mode"] == "report"
    assert c["center"] == {"name": BANG_BUA_THONG, "province": "นนทบุรี", "district": "บางบัวทอง"}
    assert c["assessor"] == {
        "name": answer.assessor_name,
        "position": answer.assessor_position,
        "date": date(2021, 2, 17),
    }
    assert set(c["summary"]) == {"physical", "quality", "parts", "markers", "score"}
    assert set(doc.expect.values()) == {BANG_BUA_THONG, "นนทบุรี", answer.assessor_name, "๑๗ กุมภาพันธ์ ๒๕๖๔"}
    assert thai_date(answer.assessed_on) == "๑๗ กุมภาพันธ์ ๒๕๖๔"
    # boxes and notes come from the answers
    item2 = next(i for i in c["physical"]["items"] if i["id"] == "2")
    assert (item2["yes"], item2["no"]) == ("☐", "☑")
    # the notes apart, in the order of the items, each under its criterion and number (on pages of their own)
    criteria = campaign.criteria
    noted = [i.id for i in (*criteria.physical, *criteria.quality) if i.id in answer.notes]
    assert len(noted) == len(answer.notes) >= 2
    assert [n["number"] for n in c["notes"]] == [number(i) for i in noted]
    note2 = c["notes"][0]
    assert note2["number"] == "๒" and note2["criterion"] == criteria.physical_title
    assert note2["text"].startswith("ไม่มีรถโดยสารประจำทางผ่าน")


def test_summary_numbers_hand_counted(shipped):
    """02-นนทบุรี-บางบัวทอง.yaml, counted by hand from the file:
    physical ไม่มี: 2, 7, 10 → 10 of 13; quality false: 1.1 2.2 4.1 4.4 4.7 5.3 | 6.3 6.6 8.1 9.1 |
    11.1 13.1 14.2 16.1 18.1 20.1 21.1 | 24 → 18 false, 34 of 52; by part 10/16, 8/12, 14/21, 2/3."""
    campaign, answers = shipped
    s = report_of(campaign, answers, BANG_BUA_THONG).context["summary"]
    assert s["physical"] == {
        "met": 10,
        "total": 13,
        "percent": pytest.approx(100 * 10 / 13),
        "basic_met": False,
        "missing": ["๒", "๗", "๑๐"],
    }
    assert s["quality"] == {"met": 34, "total": 52, "percent": pytest.approx(100 * 34 / 52)}
    assert [(p["number"], p["met"], p["total"]) for p in s["parts"]] == [
        ("๑", 10, 16),
        ("๒", 8, 12),
        ("๓", 14, 21),
        ("๔", 2, 3),
    ]
    assert s["parts"][0]["title"] == "ก่อนเข้าสู่จุดให้บริการ"
    assert s["parts"][2]["percent"] == pytest.approx(100 * 14 / 21)
    # markers in order of first appearance (1.1 is ๑, 4.3 the first ☺, 8.1 the first ๕, 13.2 the first ๒)
    assert [(m["marker"], m["met"], m["total"]) for m in s["markers"]] == [
        ("๑", 8, 14),
        ("☺", 13, 18),
        ("๕", 10, 15),
        ("๒", 3, 5),
    ]
    assert s["score"] is None


def test_markers_counted_independently(shipped):
    campaign, answers = shipped
    criteria = campaign.criteria
    for answer in answers:
        s = reports.summary(criteria, answer)
        for m in s["markers"]:
            items = [i for i in criteria.quality if i.marker == m["marker"]]
            assert m["total"] == len(items)
            assert m["met"] == sum(answer.quality[i.id] for i in items)


def test_parts_and_markers_add_up_to_52(shipped):
    campaign, answers = shipped
    for answer in answers:
        s = reports.summary(campaign.criteria, answer)
        assert sum(p["total"] for p in s["parts"]) == sum(m["total"] for m in s["markers"]) == 52
        assert sum(p["met"] for p in s["parts"]) == sum(m["met"] for m in s["markers"]) == s["quality"]["met"]


def test_basic_condition(shipped):
    campaign, answers = shipped
    criteria = campaign.criteria
    all_met = answer_of(answers, PHRA_SAMUT_CHEDI)
    assert reports.summary(criteria, all_met)["physical"]["basic_met"] is True
    assert reports.summary(criteria, all_met)["physical"]["missing"] == []
    one_missing = dataclasses.replace(all_met, physical={**all_met.physical, "13": False})
    s = reports.summary(criteria, one_missing)["physical"]
    assert (s["basic_met"], s["met"], s["missing"]) == (False, 12, ["๑๓"])
    assert reports.summary(criteria, answer_of(answers, BANG_BUA_THONG))["physical"]["basic_met"] is False


def test_expected_ticks_follow_the_answers(shipped):
    campaign, answers = shipped
    criteria = campaign.criteria
    for answer in answers:
        ticks = reports.expected_ticks(criteria, answer)
        assert len(ticks) == 78 == 2 * 13 + 52
        physical = [answer.physical[i.id] for i in criteria.physical]
        assert ticks[0:26:2] == physical  # มี boxes
        assert ticks[1:26:2] == [not v for v in physical]  # ไม่มี boxes
        assert ticks[26:] == [answer.quality[i.id] for i in criteria.quality]
        assert sum(ticks) == 13 + sum(answer.quality.values())  # one of มี/ไม่มี always ticked
    second = reports.expected_ticks(criteria, answer_of(answers, BANG_BUA_THONG))
    assert second[2:4] == [False, True]  # item 2: ไม่มี
    assert second[26] is False  # 1.1: false


def test_expected_ticks_match_the_rendered_context(shipped):
    """The ticks are the boxes the template is given, read in table order."""
    campaign, answers = shipped
    doc = report_of(campaign, answers, BANG_BUA_THONG)
    c = doc.context
    boxes = [b for i in c["physical"]["items"] for b in (i["yes"], i["no"])]
    boxes += [r["box"] for r in c["quality"]["rows"] if not r["part"]]
    ticks = reports.expected_ticks(campaign.criteria, answer_of(answers, BANG_BUA_THONG))
    assert [b == TICKED for b in boxes] == ticks


# --- scoring: configuration, off by default ---------------------------------------------


def test_no_score_without_scoring_yaml(inputs):
    assert not (inputs / "scoring.yaml").exists()
    assert (inputs / "scoring.example.yaml").is_file()  # shipped, but not read
    problems = []
    assert load_scoring(inputs, problems) is None
    assert problems == []


def test_score_with_scoring_yaml(inputs, shipped):
    campaign, answers = shipped
    shutil.copy(inputs / "scoring.example.yaml", inputs / "scoring.yaml")
    problems = []
    scoring = load_scoring(inputs, problems, campaign.criteria)
    assert problems == []
    assert scoring == {"๑": 1.0, "๒": 2.0, "๕": 3.0, "☺": 3.0}
    assert load_scoring(inputs, [], None) == scoring  # criteria read from inputs when not given
    s = report_of(campaign, answers, BANG_BUA_THONG, scoring).context["summary"]
    # by hand: met 8×๑ + 3×๒ + 10×๕ + 13×☺ = 8 + 6 + 30 + 39; all: 14 + 10 + 45 + 54
    assert s["score"] == {"points": 83.0, "max": 123.0, "percent": pytest.approx(100 * 83 / 123)}
    for doc in reports.documents(campaign, answers):
        assert doc.context["summary"]["score"] is None


def write_scoring(inputs: Path, text: str) -> Path:
    path = inputs / "scoring.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_scoring_problems_name_their_line(inputs, shipped):
    campaign, _ = shipped
    write_scoring(inputs, 'points:\n  "๑": 1\n  "๒": 2\n  "๓": 3\n  "๕": -1\n  "☺": ห้า\n')
    problems = []
    assert load_scoring(inputs, problems, campaign.criteria) is None
    by_line = {p.where: p.message for p in problems}
    assert all(p.file == "inputs/scoring.yaml" for p in problems)
    assert "ไม่มีเครื่องหมาย “๓”" in by_line["บรรทัดที่ 4"]
    assert "ติดลบไม่ได้" in by_line["บรรทัดที่ 5"]
    assert "ต้องเป็นตัวเลข" in by_line["บรรทัดที่ 6"]
    assert len(problems) == 3


def test_scoring_must_name_every_marker(inputs, shipped):
    campaign, _ = shipped
    write_scoring(inputs, 'points:\n  1: 1\n  "๒": 0\n  "๕": 0.5\n')  # Arabic 1 is read as ๑
    problems = []
    assert load_scoring(inputs, problems, campaign.criteria) is None
    assert len(problems) == 1 and "☺" in problems[0].message and problems[0].where == "บรรทัดที่ 1"
    write_scoring(inputs, 'points:\n  1: 1\n  "๒": 0\n  "๕": 0.5\n  "☺": 2\n')
    assert load_scoring(inputs, [], campaign.criteria) == {"๑": 1.0, "๒": 0.0, "๕": 0.5, "☺": 2.0}


def test_scoring_file_shape(inputs, shipped):
    campaign, _ = shipped
    write_scoring(inputs, 'weights:\n  "๑": 1\n')
    problems = []
    assert load_scoring(inputs, problems, campaign.criteria) is None
    assert "points" in problems[0].message
    write_scoring(inputs, 'points:\n  "๑": [1]\n  "๒": true\n  "๕": 1\n  "☺": 1\nextra: 1\n')
    problems = []
    assert load_scoring(inputs, problems, campaign.criteria) is None
    assert sorted(p.where for p in problems) == ["บรรทัดที่ 2", "บรรทัดที่ 3", "บรรทัดที่ 6"]


def test_example_policy_warns_that_markers_are_unknown():
    text = (INPUTS / "scoring.example.yaml").read_text(encoding="utf-8")
    assert "ยังไม่ทราบความหมาย" in text and "UNKNOWN" in text


# --- the national summary ---------------------------------------------------------------


def test_summary_document(shipped):
    campaign, answers = shipped
    [doc] = summary.documents(campaign, answers)
    assert (doc.kind, doc.name, doc.template) == ("summary", "summary/summary", "summary.docx")
    c = doc.context
    assert set(c) == {"circular", "generated", "centers", "parts", "items", "chart", "missing", "totals", "titles"}
    assert c["circular"] == {"number": "มท ๐๓๐๗.๒/ว ๒๘๘๖๕", "date": date(2020, 12, 28)}
    assert c["generated"] == date.today()
    assert c["totals"] == {"centers": 76, "answered": 7, "basic_met": 3}
    assert [r["order"] for r in c["centers"]] == [1, 2, 3, 4, 5, 6, 7]
    second = c["centers"][1]
    assert second == {
        "order": 2,
        "province": "นนทบุรี",
        "center": BANG_BUA_THONG,
        "center_lead": "ศูนย์ดำรงธรรมอำเภอ",  # the summary breaks the line here, never inside "บางบัวทอง"
        "district": "บางบัวทอง",
        "assessed_on": date(2021, 2, 17),
        "physical_met": 10,
        "physical_total": 13,
        "basic_met": False,
        "quality_met": 34,
        "quality_total": 52,
        "quality_percent": pytest.approx(100 * 34 / 52),
        "parts": [10, 8, 14, 2],
    }
    assert c["parts"] == [
        {"number": "๑", "title": "ก่อนเข้าสู่จุดให้บริการ", "total": 16},
        {"number": "๒", "title": "ระบบจุดให้บริการ", "total": 12},
        {"number": "๓", "title": "ระบบสนับสนุนการให้บริการ", "total": 21},
        {"number": "๔", "title": "เงื่อนไขพิเศษเพิ่มเติม", "total": 3},
    ]
    assert len(c["missing"]) == 76 - 7 and c["missing"][0] == {
        "order": 8,
        "province": "ชัยนาท",
        "center": "ศูนย์ดำรงธรรมอำเภอสรรคบุรี",
    }


def test_summary_items(shipped):
    campaign, answers = shipped
    items = summary.documents(campaign, answers)[0].context["items"]
    assert len(items) == 65
    assert [i["criterion"] for i in items] == [1] * 13 + [2] * 52
    by_id = {(i["criterion"], i["id"]): i for i in items}
    # item 20.1 (Call center): false in every file but examples.csv row 3 (บางระจัน)
    assert by_id[(2, "20.1")] == {
        "id": "20.1",
        "number": "๒๐.๑",
        "criterion": 2,
        "text": by_id[(2, "20.1")]["text"],
        "met": 1,
        "answered": 7,
        "percent": pytest.approx(100 / 7),
    }
    assert by_id[(1, "3")]["met"] == 7 and by_id[(1, "3")]["percent"] == 100.0
    assert by_id[(2, "23")]["text"] == "ให้บริการเชื่อมโยงแบบเรียลไทม์ในทุกเวลาและสถานที่"  # no lead text: its first point
    assert all(len(i["text"]) <= 61 for i in items)
    for i in items:
        section = "physical" if i["criterion"] == 1 else "quality"
        assert i["met"] == sum(getattr(a, section)[i["id"]] for a in answers)


MARKS = "\u0e31\u0e34\u0e35\u0e36\u0e37\u0e38\u0e39\u0e3a\u0e47\u0e48\u0e49\u0e4a\u0e4b\u0e4c\u0e4d"


@pytest.mark.parametrize(
    "text",
    ["ก" * 59 + "ที่ก", "ก" * 60 + "ี่กก", "ก" * 59 + "เก" * 3, "ก" * 58 + "เกี่ยว", "คำ " * 30, "ข" * 40 + " " + "ค" * 40],
)
def test_shorten_keeps_thai_clusters(text):
    cut = summary.shorten(text)
    body = cut[:-1]
    assert cut.endswith("…") and len(body) <= 60
    assert text.startswith(body)
    rest = text[len(body) :].lstrip()
    assert rest[0] not in MARKS  # a letter keeps its vowel and tone marks
    assert body[-1] not in "เแโใไ "  # a leading vowel stays with its letter


def test_shorten_leaves_short_text():
    assert summary.shorten("ก" * 60) == "ก" * 60
    assert summary.shorten("มีการจัดให้มีแสงสว่างอย่างเพียงพอ") == "มีการจัดให้มีแสงสว่างอย่างเพียงพอ"


def test_summary_chart(shipped):
    campaign, answers = shipped
    c = summary.documents(campaign, answers)[0].context
    chart = c["chart"]
    assert isinstance(chart, Chart)
    assert chart.labels == tuple(i["number"] for i in c["items"])
    assert chart.values == tuple(i["percent"] for i in c["items"])
    assert chart.groups == (("เกณฑ์ที่ ๑ ด้านกายภาพ", 13), ("เกณฑ์ที่ ๒ เกณฑ์ด้านคุณภาพ", 52))
    assert chart.title == ""  # the caption is wording: the template gives it
    assert 0 < chart.width_mm <= 160 and chart.height_mm <= 252
    with pytest.raises(ValueError):
        Chart(("๑",), (1.0, 2.0), 10, 10)


# --- results.csv --------------------------------------------------------------------------

COLUMNS = [
    "province",
    "center",
    "physical_met",
    "physical_total",
    "basic_condition_met",
    "quality_met",
    "quality_total",
    "part1_met",
    "part2_met",
    "part3_met",
    "part4_met",
]


def counts_from_files(campaign):
    """(province, center) → (physical มี, quality true), read from the raw answer files, not the loader."""
    found = {}
    for path in sorted((INPUTS / "answers").glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        physical = sum(str(v).strip() == "มี" for v in data["physical"].values())
        quality = sum(v is True or str(v).strip() in {"มี", "true", "TRUE"} for v in data["quality"].values())
        found[(data["province"], data["center"])] = (physical, quality)
    with open(INPUTS / "answers" / "examples.csv", encoding="utf-8-sig", newline="") as f:
        for row in csv.DictReader(f):
            physical = sum(row[k].strip() == "มี" for k in row if k.startswith("p") and k[1:].isdigit())
            quality = sum(row[k].strip().lower() in {"true", "มี"} for k in row if k.startswith("q"))
            found[(row["province"], row["center"])] = (physical, quality)
    return found


def test_results_rows_agree_with_the_answer_files(shipped):
    campaign, answers = shipped
    rows = summary.results_rows(campaign, answers)
    assert all(list(r) == COLUMNS for r in rows)
    assert [r["center"] for r in rows] == [
        c["center"] for c in summary.documents(campaign, answers)[0].context["centers"]
    ]
    from_files = counts_from_files(campaign)
    assert len(rows) == len(from_files) == 7
    for r in rows:
        assert (r["physical_met"], r["quality_met"]) == from_files[(r["province"], r["center"])]
        assert r["basic_condition_met"] is (r["physical_met"] == r["physical_total"] == 13)
        assert r["part1_met"] + r["part2_met"] + r["part3_met"] + r["part4_met"] == r["quality_met"]
        assert r["quality_total"] == 52
    second = next(r for r in rows if r["center"] == BANG_BUA_THONG)
    assert [second[f"part{n}_met"] for n in range(1, 5)] == [10, 8, 14, 2]


def test_results_csv_is_utf8_with_bom(shipped, tmp_path):
    campaign, answers = shipped
    rows = summary.results_rows(campaign, answers)
    path = tmp_path / "summary" / "results.csv"
    exports.write_csv(rows, path)
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and not data.startswith(b"\xef\xbb\xbf\xef\xbb\xbf")
    read = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert read[0] == COLUMNS
    assert read[2] == ["นนทบุรี", BANG_BUA_THONG, "10", "13", "FALSE", "34", "52", "10", "8", "14", "2"]
    assert read[1][4] == "TRUE"
    assert all(c.isascii() for row in read[1:] for c in row[2:])  # Arabic numbers: a data file
    assert [p.name for p in path.parent.iterdir()] == ["results.csv"]  # no temporary file left
    exports.write_csv([], path, COLUMNS)  # no answers yet: header only
    assert path.read_bytes() == b"\xef\xbb\xbf" + ",".join(COLUMNS).encode() + b"\r\n"
