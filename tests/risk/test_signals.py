"""Each signal raises what it should, at its threshold and level, and nothing below."""
import datetime as dt

import pytest
from django.utils import timezone

from shiyu.deadlines.models import Escalation
from shiyu.risk.models import DangerWord, RiskAlert, Signal
from shiyu.tickets import services as tickets

pytestmark = pytest.mark.django_db


def alerts(kind):
    return list(RiskAlert.objects.filter(kind=kind).order_by("id"))


def ticket_ids(alert):
    return set(alert.tickets.values_list("pk", flat=True))


# ---------------------------------------------------------------- danger words


def test_danger_words_raise_at_the_most_serious_words_level(make_ticket, scan, phone, city):
    ticket = make_ticket(title="拖欠工资", description="老板不给钱，我要去上访，不行就跳楼。", reporter_phone=phone())
    make_ticket(title="路灯不亮", reporter_phone=phone())
    result = scan()
    [alert] = alerts(Signal.DANGER_WORDS)
    assert result.raised == 1 and result.by_kind == {Signal.DANGER_WORDS: 1}
    assert alert.level == "red" and ticket_ids(alert) == {ticket.pk}
    assert "跳楼" in alert.reason and "上访" in alert.reason
    assert alert.subdistrict_id == ticket.subdistrict_id
    assert alert.category.parent_id is None  # the top-level category
    assert alert.status == "open"


def test_the_longer_word_wins_and_admin_edits_apply(make_ticket, scan, phone):
    DangerWord.objects.filter(word="拉横幅").update(active=False)
    DangerWord.objects.create(word="强拆", level="orange")
    petition = make_ticket(description="明天要进京上访。", reporter_phone=phone())
    banner = make_ticket(description="楼下有人拉横幅。", reporter_phone=phone())
    demolition = make_ticket(description="我家被强拆了。", reporter_phone=phone())
    scan()
    found = {a.tickets.get().pk: a for a in alerts(Signal.DANGER_WORDS)}
    assert banner.pk not in found
    assert found[demolition.pk].level == "orange"
    assert found[petition.pk].level == "orange"  # 进京上访, not the yellow 上访 inside it
    assert "进京上访" in found[petition.pk].reason and "、上访" not in found[petition.pk].reason


def test_one_reporters_calls_gather_in_one_open_alert(make_ticket, scan, phone):
    caller = phone()
    first = make_ticket(description="我要去上访。", reporter_phone=caller)
    scan()
    [alert] = alerts(Signal.DANGER_WORDS)
    assert alert.level == "yellow"
    second = make_ticket(description="不解决我就跳楼。", reporter_phone=caller)
    result = scan()
    assert result.raised == 0 and result.updated == 1
    alert.refresh_from_db()
    assert alert.level == "red" and alert.times_raised == 2
    assert ticket_ids(alert) == {first.pk, second.pk}


# ---------------------------------------------------------------- repeat reporter


def _calls(make_ticket, link, caller, count, **fields):
    """`count` tickets by one caller, each after the first linked to the one before as a repeat."""
    made = [make_ticket(reporter_phone=caller, **fields)]
    for _ in range(count - 1):
        made.append(make_ticket(reporter_phone=caller, **fields))
        link(made[-1], made[-2])
    return made


def test_a_caller_with_three_repeats_raises_yellow_then_orange(make_ticket, link, scan, phone, settings):
    caller = phone()
    made = _calls(make_ticket, link, caller, 3)
    scan()
    assert alerts(Signal.REPEAT_REPORTER) == []  # two repeats: below SHIYU_RISK_REPEATS
    made.append(make_ticket(reporter_phone=caller))
    link(made[-1], made[-2])
    scan()
    [alert] = alerts(Signal.REPEAT_REPORTER)
    assert alert.level == "yellow" and ticket_ids(alert) == {t.pk for t in made}
    assert "4" in alert.reason and "****" in alert.reason and caller not in alert.reason
    for _ in range(3):
        made.append(make_ticket(reporter_phone=caller))
        link(made[-1], made[-2])
    scan()
    alert.refresh_from_db()
    assert alert.level == "orange" and len(ticket_ids(alert)) == 7
    assert len(alerts(Signal.REPEAT_REPORTER)) == 1


def test_dismissed_and_old_repeats_do_not_count(make_ticket, link, scan, phone):
    caller = phone()
    long_ago = timezone.now() - dt.timedelta(days=40)  # outside the window
    link(make_ticket(reporter_phone=caller, created_at=long_ago), make_ticket(reporter_phone=caller, created_at=long_ago))
    made = _calls(make_ticket, link, caller, 3)
    dismissed = make_ticket(reporter_phone=caller)
    link(dismissed, made[-1], state="dismissed")
    scan()
    assert alerts(Signal.REPEAT_REPORTER) == []


# ---------------------------------------------------------------- collective complaint


def _issue(make_ticket, link, phone, reporters, copies=1):
    """One issue raised first by one caller, then duplicated by `reporters` - 1 others,
    each calling `copies` times."""
    root = make_ticket(title="小区停水三天", reporter_phone=phone())
    made = [root]
    for _ in range(reporters - 1):
        caller = phone()
        for _ in range(copies):
            made.append(make_ticket(title="小区停水", reporter_phone=caller))
            link(made[-1], root, kind="duplicate")
    return made


def test_five_distinct_reporters_on_one_issue_raise_orange(make_ticket, link, scan, phone):
    made = _issue(make_ticket, link, phone, 5)
    scan()
    [alert] = alerts(Signal.COLLECTIVE)
    assert alert.level == "orange" and alert.key == f"ticket:{made[0].pk}"
    assert ticket_ids(alert) == {t.pk for t in made}
    assert "5" in alert.reason


def test_one_caller_many_times_is_not_collective(make_ticket, link, scan, phone):
    _issue(make_ticket, link, phone, 3, copies=4)  # 9 tickets, 3 callers
    scan()
    assert alerts(Signal.COLLECTIVE) == []


def test_ten_reporters_raise_red_and_a_chain_leads_to_the_first_ticket(make_ticket, link, scan, phone):
    made = _issue(make_ticket, link, phone, 9)
    later = make_ticket(title="停水", reporter_phone=phone())
    link(later, made[3], kind="duplicate")  # duplicates a duplicate: the same issue
    link(later, made[0], kind="duplicate")
    scan()
    [alert] = alerts(Signal.COLLECTIVE)
    assert alert.level == "red" and later.pk in ticket_ids(alert)


# ---------------------------------------------------------------- overdue in a risky category


def _escalate(ticket, level=1):
    return Escalation.objects.create(ticket=ticket, unit=ticket.lead_unit, level=level,
                                     due_at=timezone.now() - dt.timedelta(hours=level))


def test_an_overdue_ticket_of_a_risky_category_raises_orange_then_red(make_ticket, scan, category):
    risky = make_ticket(category=category("080301"))  # 企业安全生产隐患
    ordinary = make_ticket(category=category("010101"))  # 路灯不亮
    _escalate(risky), _escalate(ordinary)
    scan()
    [alert] = alerts(Signal.OVERDUE_RISKY)
    assert alert.level == "orange" and ticket_ids(alert) == {risky.pk} and risky.code in alert.reason
    _escalate(risky, level=2)
    scan()
    alert.refresh_from_db()
    assert alert.level == "red" and len(alerts(Signal.OVERDUE_RISKY)) == 1


def test_the_risky_categories_are_a_setting(make_ticket, scan, category, settings):
    settings.SHIYU_RISK_CATEGORIES = ["0101"]
    _escalate(make_ticket(category=category("010101")))
    _escalate(make_ticket(category=category("080301")))
    scan()
    [alert] = alerts(Signal.OVERDUE_RISKY)
    assert alert.tickets.get().category.code == "010101"


# ---------------------------------------------------------------- what the scan reads


def test_a_ticket_is_read_once_and_only_when_settled(make_ticket, scan, phone):
    ticket = make_ticket(description="要跳楼", reporter_phone=phone())
    assert scan(ticket.created_at + dt.timedelta(seconds=5)).raised == 0  # may have uncommitted neighbours
    assert scan().raised == 1
    RiskAlert.objects.update(status="resolved")
    assert scan().raised == 0  # read already: resolving it does not raise it again


def test_a_first_scan_looks_one_day_back(make_ticket, scan, phone):
    make_ticket(description="要跳楼", reporter_phone=phone(), created_at=timezone.now() - dt.timedelta(days=3))
    recent = make_ticket(description="要跳河", reporter_phone=phone(), created_at=timezone.now() - dt.timedelta(hours=3))
    scan()
    assert [set(a.tickets.values_list("pk", flat=True)) for a in alerts(Signal.DANGER_WORDS)] == [{recent.pk}]


def test_tickets_of_tickets_services_are_seen_whatever_the_channel(users, scan, city, phone):
    ticket = tickets.create_ticket(actor=None, data=tickets.TicketInput(
        channel="open311", request_type="report", title="燃气泄漏", description="楼道里闻到煤气味，可能燃气泄漏",
        lat=city.point_in(city.grids[0])[0], long=city.point_in(city.grids[0])[1], reporter_phone=phone()))
    scan()
    assert RiskAlert.objects.get(tickets=ticket).level == "red"
