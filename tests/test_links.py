"""outputs/links.csv, written and read by the core (pipeline/links.py) for both doors (``gecc links``,
the web's links pages): a file for Excel in which no typed name becomes a formula, one center's row
replaced when its link is re-issued, and read back by the build (load/links.py) as it was written."""

from pipeline.links import Link, links_path, read_links, replace_link, write_links
from pipeline.load.links import load_links
from pipeline.model import Center
from pipeline.problems import Problem

HOSTILE = '=HYPERLINK("http://x.test","คลิก")'  # a center's name someone typed into centers.csv
CENTERS = (
    Center(1, "สมุทรปราการ", "ศูนย์ดำรงธรรมอำเภอบางพลี"),
    Center(2, "นนทบุรี", HOSTILE),
    Center(3, "นนทบุรี", "ศูนย์ดำรงธรรมอำเภอบางบัวทอง"),
)
LINKS = [Link(c.province, c.name, f"https://gecc.test/c/token{c.order}") for c in CENTERS]


def test_links_csv_is_for_excel_and_no_name_in_it_is_a_formula(tmp_path):
    target = write_links(tmp_path, LINKS)
    assert target == links_path(tmp_path) == tmp_path / "links.csv"
    data = target.read_bytes()
    assert data.startswith("\ufeffprovince,center,url\r\n".encode())  # Excel reads the Thai only with the mark
    quoted = "\"'" + HOSTILE.replace('"', '""') + '"'  # an apostrophe first, the quotes doubled (CSV)
    assert f"นนทบุรี,{quoted},https://gecc.test/c/token2\r\n".encode() in data
    assert [p.name for p in tmp_path.iterdir()] == ["links.csv"]  # written beside, renamed: nothing left over
    assert read_links(tmp_path) == LINKS  # the apostrophe that kept the formula out is taken off again
    problems: list[Problem] = []
    found = load_links(target, "outputs/links.csv", CENTERS, problems)
    assert problems == [] and found == {(link.province, link.center): link.url for link in LINKS}


def test_a_re_issued_link_replaces_its_center_s_row_and_no_other(tmp_path):
    new = Link("นนทบุรี", HOSTILE, "https://gecc.test/c/again")
    assert replace_link(tmp_path, new) is False  # no links.csv: the new link is kept nowhere
    assert not links_path(tmp_path).exists() and read_links(tmp_path) == []
    write_links(tmp_path, LINKS)
    assert replace_link(tmp_path, new) is True
    assert read_links(tmp_path) == [LINKS[0], LINKS[2], new]
    data = links_path(tmp_path).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and b"'=HYPERLINK" in data
