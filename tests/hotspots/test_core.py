"""Hot issues in plain Python (shiyu.nlp.hotspots): grouping, heat, places, odd input."""
import datetime as dt
from dataclasses import replace

import pytest

from shiyu.nlp.hotspots import HotSpots, Message, find_hot_issues, places_in
from shiyu.workcal import SHANGHAI

T0 = dt.datetime(2019, 11, 1, 9, 0, tzinfo=SHANGHAI)

# Three issues at three places, told by different residents in their own words, and the same
# kind of problem (mahjong noise) at two other compounds: those must stay apart.
PLANT = [("A2区丽发新城附近修建搅拌站噪音扰民", "丽发新城小区旁边新建的搅拌站日夜轰鸣，粉尘很大，居民无法休息。"),
         ("丽发新城小区旁的搅拌站严重影响生活", "开发商在丽发新城小区附近建搅拌站，噪音和灰尘污染严重。"),
         ("投诉A2区丽发新城搅拌站粉尘污染", "丽发新城小区百米范围内的搅拌站扬尘漫天，孩子咳嗽不止。"),
         ("丽发新城小区附近搅拌站夜间施工扰民", "搅拌站晚上也在运转，丽发新城小区业主被吵得睡不着。")]
PARKING = [("伊景园滨河苑捆绑销售车位", "伊景园滨河苑要求购房职工必须同时购买12万元的车位，不买就取消购房资格。"),
           ("投诉伊景园滨河苑强制捆绑车位", "伊景园滨河苑开发商强行捆绑销售车位，不签购房合同。"),
           ("伊景园滨河苑车位捆绑销售是否合法", "买伊景园滨河苑的房子必须买车位，这种捆绑销售合法吗？")]
OTHERS = [("A4区万国城一期麻将馆通宵扰民", "万国城一期20栋一楼的麻将馆每天营业到凌晨。"),
          ("A7县领东汇小区住改商麻将馆扰民", "领东汇小区有人把住宅改成麻将馆，噪音很大。"),
          ("A6区月亮岛路架设高压线", "月亮岛路沿线架设110kv高压线杆，离小区太近。"),
          ("A5区砂子塘小学门口交通拥堵", "每天放学时砂子塘小学门口车辆乱停，学生过马路不安全。")]


def messages(groups=(PLANT, PARKING, OTHERS), **fields) -> list[Message]:
    out = []
    for g, group in enumerate(groups):
        for i, (title, body) in enumerate(group):
            out.append(Message(id=100 * g + i, user=f"u{g}-{i}", title=title, body=body,
                               created=T0 + dt.timedelta(days=i), **fields))
    return out


def group_of(found: HotSpots, message_id) -> set:
    return next(set(issue.ids) for issue in found.issues if message_id in issue.ids)


def test_messages_on_one_issue_at_one_place_make_one_hot_issue():
    found = find_hot_issues(messages())
    assert group_of(found, 0) == {0, 1, 2, 3}
    assert group_of(found, 100) == {100, 101, 102}
    assert group_of(found, 200) == {200} and group_of(found, 201) == {201}  # same problem, other compounds
    top = found.issues[0]
    assert top.rank == 1 and set(top.ids) == {0, 1, 2, 3} and top.reporters == 4
    assert "丽发新城" in top.place and top.place.startswith("A2区")
    assert top.start == T0 and top.end == T0 + dt.timedelta(days=3)
    assert top.title in {title for title, _ in PLANT}
    assert [issue.rank for issue in found.issues] == list(range(1, len(found.issues) + 1))


def test_heat_grows_with_reporters_support_and_recency():
    base = find_hot_issues(messages()).issues
    plant = next(i for i in base if 0 in i.ids)
    one_reporter = find_hot_issues([Message(id=m.id, user="same", title=m.title, body=m.body, created=m.created)
                                    for m in messages([PLANT])]).issues[0]
    assert one_reporter.reporters == 1 and one_reporter.heat < plant.heat
    liked = find_hot_issues(messages(likes=100)).issues
    assert next(i for i in liked if 0 in i.ids).heat > plant.heat
    # Recency is counted from the newest message in the data: a message a year later ages the rest.
    later = Message(id=999, user="x", title="A1区某路灯不亮", body="路灯坏了。", created=T0 + dt.timedelta(days=365))
    aged = find_hot_issues([*messages(), later]).issues
    assert next(i for i in aged if 0 in i.ids).heat < plant.heat / 4


def test_regions_are_clustered_apart_on_one_clock():
    plant = messages([PLANT])
    split = [replace(m, region="east" if m.id < 2 else "west") for m in plant]
    found = find_hot_issues(split)
    assert group_of(found, 0) == {0, 1} and group_of(found, 2) == {2, 3}
    # The west's newest message ages the east's issue as it would without regions.
    east = next(i for i in found.issues if 0 in i.ids)
    alone = find_hot_issues([*plant[:2], replace(plant[3], id=77, title="路灯", body="路灯不亮。")])
    assert east.heat == pytest.approx(next(i for i in alone.issues if 0 in i.ids).heat)


def test_top_and_min_reporters():
    found = find_hot_issues(messages(), top=2)
    assert [i.rank for i in found.issues] == [1, 2] and found.rows == 11
    assert all(i.reporters >= 2 for i in find_hot_issues(messages(), min_reporters=2).issues)


def test_no_messages():
    found = find_hot_issues([])
    assert found.issues == [] and found.rows == 0 and found.warnings == []


def test_one_message_is_an_issue_of_one():
    found = find_hot_issues([Message(id="a", title="A3区枫林路路灯不亮", created=T0)])
    (issue,) = found.issues
    assert issue.ids == ["a"] and issue.rank == 1 and issue.reporters == 1 and issue.heat == 1.0
    assert issue.start == issue.end == T0 and issue.place == "A3区枫林路"


def test_repeated_ids_keep_the_first():
    first = messages()
    found = find_hot_issues([*first, Message(id=0, title="另一条", body="完全不同的内容")])
    assert found.rows == len(first)
    assert any("repeated id" in w and w.endswith(": 1") for w in found.warnings)
    assert group_of(found, 0) == {0, 1, 2, 3}


def test_messages_without_dates_or_places_or_text():
    undated = [Message(id=m.id, user=m.user, title=m.title, body=m.body) for m in messages()]
    found = find_hot_issues([*undated, Message(id="empty"), Message(id="dots", title="……", body="？？")])
    assert group_of(found, 0) == {0, 1, 2, 3}
    assert all(i.start is None and i.end is None for i in found.issues)
    assert any("without a date" in w for w in found.warnings)
    assert {"empty"} in [set(i.ids) for i in found.issues]
    placeless = find_hot_issues([Message(id=1, title="咨询社保缴费", body="社保怎么交？", created=T0)])
    assert placeless.issues[0].place == ""


def test_anonymous_messages_count_one_reporter_each():
    found = find_hot_issues([Message(id=m.id, title=m.title, body=m.body, created=m.created)
                             for m in messages([PLANT])])
    assert found.issues[0].reporters == 4


def test_a_place_hint_counts_as_a_place():
    found = find_hot_issues([Message(id=1, title="路灯不亮", body="晚上很黑", place="示范社区", created=T0)])
    assert found.issues[0].place == "示范社区"


def test_the_same_input_gives_the_same_output():
    first, second = find_hot_issues(messages()), find_hot_issues(messages())
    assert [i.as_dict() for i in first.issues] == [i.as_dict() for i in second.issues]


@pytest.mark.parametrize("text, expected", [
    ("投诉A市伊景园滨河苑定向限价商品房违规涨价", ["伊景园滨河苑"]),
    ("A5区劳动东路魅力之城小区一楼的夜宵摊", ["劳动东路魅力之城小区"]),
    ("A7县春华镇金鼎村水泥路", ["春华镇金鼎村", "水泥路"]),
    ("反映小区附近的问题", []),
    ("A市58车贷老板跑路美国", []),
])
def test_places_in(text, expected):
    assert places_in(text) == expected


def test_as_dict_is_json_ready():
    issue = find_hot_issues(messages()).issues[0].as_dict()
    assert set(issue) >= {"rank", "heat", "title", "place", "start", "end", "ids"}
    assert issue["start"] == T0.isoformat() and issue["size"] == len(issue["ids"])
