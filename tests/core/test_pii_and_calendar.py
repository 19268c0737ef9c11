import datetime as dt

from shiyu.core.pii import mask_email, mask_id_number, mask_name, mask_phone, mask_text
from shiyu.workcal import WorkCalendar, is_workday

UTC = dt.timezone.utc


def test_masks():
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("") == ""
    assert mask_name("张三丰") == "张**"
    assert mask_email("zhangsan@example.cn") == "z*******@example.cn"
    assert mask_id_number("110101199001011234") == "110101********1234"
    assert mask_text("电话13812345678，身份证11010119900101123X") == "电话138****5678，身份证110101********123X"


def test_working_days_skip_the_national_day_holiday_and_count_make_up_days():
    cal = WorkCalendar()
    # 2025-09-30 10:00 Shanghai; 1-8 October 2025 are holidays, Saturday 11 October is a make-up working day.
    start = dt.datetime(2025, 9, 30, 2, 0, tzinfo=UTC)
    assert not is_workday(dt.date(2025, 10, 3)) and is_workday(dt.date(2025, 10, 11))
    assert cal.add_working_days(start, 1) == dt.datetime(2025, 10, 9, 2, 0, tzinfo=UTC)
    assert cal.add_working_days(start, 3) == dt.datetime(2025, 10, 11, 2, 0, tzinfo=UTC)


def test_working_hours_stop_at_lunch_and_the_night():
    cal = WorkCalendar("09:00-12:00,13:30-17:30")
    friday_1100 = dt.datetime(2026, 11, 27, 3, 0, tzinfo=UTC)  # 11:00 Shanghai
    assert cal.add_working_hours(friday_1100, 2) == dt.datetime(2026, 11, 27, 6, 30, tzinfo=UTC)  # 14:30
    friday_1700 = dt.datetime(2026, 11, 27, 9, 0, tzinfo=UTC)  # 17:00
    assert cal.add_working_hours(friday_1700, 2) == dt.datetime(2026, 11, 30, 2, 30, tzinfo=UTC)  # Mon 10:30


def test_a_year_the_calendar_does_not_know_still_gives_a_deadline():
    cal = WorkCalendar()
    start = dt.datetime(2030, 9, 30, 2, 0, tzinfo=UTC)  # Monday
    assert not is_workday(dt.date(2030, 10, 1))
    assert cal.add_working_days(start, 1) == dt.datetime(2030, 10, 4, 2, 0, tzinfo=UTC)
