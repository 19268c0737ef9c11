"""`shiyu hotspots --data FILE.csv [--top K] [--json]`: output, bad files, odd rows."""
import json

import pytest

from shiyu.cli import main

HEADER = "id,user,title,created,body,likes,dislikes\n"
ROWS = [
    "1,u1,A2区丽发新城附近修建搅拌站噪音扰民,2019/11/2 10:18:00,丽发新城小区旁边新建的搅拌站日夜轰鸣，粉尘很大。,3,0",
    "2,u2,丽发新城小区旁的搅拌站严重影响生活,2019-11-05 08:00:00,开发商在丽发新城小区附近建搅拌站，噪音和灰尘污染严重。,0,0",
    "3,u3,投诉A2区丽发新城搅拌站粉尘污染,2019/11/7 9:05:00,丽发新城小区百米范围内的搅拌站扬尘漫天。,1,0",
    "4,u4,A4区万国城一期麻将馆通宵扰民,2019/11/8 21:00:00,万国城一期20栋一楼的麻将馆每天营业到凌晨。,0,0",
]


def write(tmp_path, text: str, encoding: str = "utf-8", name: str = "messages.csv"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return str(path)


def run_json(capsys, *args) -> dict:
    assert main(["hotspots", *args, "--json"]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1  # one JSON object, nothing else on stdout
    return json.loads(out[0])


def test_json_output(tmp_path, capsys):
    report = run_json(capsys, "--data", write(tmp_path, HEADER + "\n".join(ROWS) + "\n"), "--top", "5")
    top, other = report["hotspots"]
    assert top["rank"] == 1 and top["ids"] == [1, 2, 3] and top["reporters"] == 3 and top["likes"] == 4
    assert top["start"] == "2019-11-02T10:18:00+08:00" and top["end"] == "2019-11-07T09:05:00+08:00"
    assert "丽发新城" in top["place"] and top["heat"] > other["heat"]
    assert other["ids"] == [4] and report["rows"] == 4 and report["warnings"] == []


def test_top_limits_the_issues(tmp_path, capsys):
    report = run_json(capsys, "--data", write(tmp_path, HEADER + "\n".join(ROWS)), "--top", "1")
    assert [h["rank"] for h in report["hotspots"]] == [1]


def test_utf8_with_bom(tmp_path, capsys):
    report = run_json(capsys, "--data", write(tmp_path, HEADER + "\n".join(ROWS), encoding="utf-8-sig"))
    assert report["hotspots"][0]["ids"] == [1, 2, 3]


def test_the_table(tmp_path, capsys):
    assert main(["hotspots", "--data", write(tmp_path, HEADER + "\n".join(ROWS))]) == 0
    out = capsys.readouterr().out
    assert out.startswith("排名") and "2019-11-02 至 2019-11-07" in out and "丽发新城" in out


def test_no_rows(tmp_path, capsys):
    report = run_json(capsys, "--data", write(tmp_path, HEADER))
    assert report["hotspots"] == [] and report["warnings"] == ["no messages in the file"]


def test_one_row(tmp_path, capsys):
    report = run_json(capsys, "--data", write(tmp_path, HEADER + ROWS[0]))
    assert [h["ids"] for h in report["hotspots"]] == [[1]]


def test_odd_rows_are_kept_with_warnings(tmp_path, capsys):
    odd = [ROWS[0], ROWS[0].replace("u1", "u9"),  # the same id again: the first is kept
           "5,u5,没有日期,,正文,,", "6,u6,日期坏了,昨天,正文,很多,0", ",u7,没有编号,2019/11/9,正文,0,0"]
    report = run_json(capsys, "--data", write(tmp_path, HEADER + "\n".join(odd)))
    assert report["rows"] == 3
    assert sorted(i for h in report["hotspots"] for i in h["ids"]) == [1, 5, 6]
    assert {w.split(":")[0] for w in report["warnings"]} == {
        "rows without an id skipped", "rows with an unreadable date, kept without one",
        "rows with unreadable likes or dislikes, counted as 0",
        "messages with a repeated id dropped (the first of each id is kept)",
        "messages without a date (their issues count as current)"}


@pytest.mark.parametrize("content, encoding, reason", [
    ("text,label\n路灯不亮,城乡建设\n", "utf-8", "missing: id,user,title,created,body,likes,dislikes"),
    ("id,user,title\n1,u,t\n", "utf-8", "missing: created,body,likes,dislikes"),
    (HEADER + ROWS[0], "gbk", "not UTF-8"),
    ("", "utf-8", "is empty"),
    ('{"hotspots": []}', "utf-8", "not a CSV with the columns"),
    (HEADER + '1,u,"unclosed,2019/1/1,b,0,0\n', "utf-8", "broken CSV"),
])
def test_broken_files_end_with_one_line_and_code_2(tmp_path, capsys, content, encoding, reason):
    assert main(["hotspots", "--data", write(tmp_path, content, encoding), "--json"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("shiyu hotspots: ") and reason in captured.err
    assert len(captured.err.strip().splitlines()) == 1 and "Traceback" not in captured.err


def test_a_missing_file(tmp_path, capsys):
    assert main(["hotspots", "--data", str(tmp_path / "nowhere.csv")]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_top_must_be_positive(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["hotspots", "--data", write(tmp_path, HEADER), "--top", "0"])
    assert exit_info.value.code == 2
