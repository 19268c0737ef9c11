"""Deadline arithmetic on the Chinese working calendar, and the holiday table behind it."""
import datetime as dt

from shiyu.deadlines.models import CalendarDay
from shiyu.deadlines.selectors import current_schedule, missing_calendar_years, work_calendar
from shiyu.deadlines.services import seed_calendar
from shiyu.workcal import HolidaySchedule, WorkCalendar, package_schedule

from .conftest import local

D = dt.date


def test_working_days_skip_the_weekend():
    cal = WorkCalendar()
    friday = local(2026, 11, 27, 10)
    assert cal.add_working_days(friday, 1) == local(2026, 11, 30, 10)  # Monday
    assert cal.add_working_days(friday, 7) == local(2026, 12, 8, 10)
    saturday = local(2026, 11, 28, 15)  # counts from Monday's opening
    assert cal.add_working_days(saturday, 1) == local(2026, 12, 1, 9)


def test_the_2026_national_day_holiday_and_its_make_up_days():
    """State Council 2026: 1-7 October off; Sunday 20 September and Saturday 10 October worked."""
    cal = WorkCalendar()
    assert not any(cal.is_workday(D(2026, 10, day)) for day in range(1, 8))
    assert cal.is_workday(D(2026, 9, 20)) and cal.is_workday(D(2026, 10, 10))
    assert not cal.is_workday(D(2026, 10, 11))  # the Sunday after stays a Sunday
    before = local(2026, 9, 30, 10)
    assert cal.add_working_days(before, 1) == local(2026, 10, 8, 10)
    assert cal.add_working_days(before, 3) == local(2026, 10, 10, 10)  # the make-up Saturday counts
    assert cal.add_working_days(before, 4) == local(2026, 10, 12, 10)


def test_working_hours_run_on_a_make_up_saturday():
    cal = WorkCalendar("09:00-12:00,13:30-17:30")
    assert cal.add_working_hours(local(2026, 10, 9, 17), 2) == local(2026, 10, 10, 10, 30)
    # Saturday 19 September is off, Sunday 20 September is worked.
    assert cal.add_working_hours(local(2026, 9, 19, 10), 1) == local(2026, 9, 20, 10)


def test_mid_autumn_friday_is_off():
    cal = WorkCalendar()
    assert cal.add_working_days(local(2026, 9, 24, 16), 1) == local(2026, 9, 28, 16)


def test_a_year_the_schedule_does_not_know_falls_back_without_failing():
    cal = WorkCalendar()
    assert not cal.knows(2027) and cal.knows(2026)
    # Weekends and the fixed-date holidays: New Year's Day, 1-2 May, 1-3 October.
    assert not cal.is_workday(D(2027, 1, 1)) and cal.is_workday(D(2027, 1, 4))
    assert [cal.is_workday(D(2027, 10, day)) for day in range(1, 6)] == [False, False, False, True, True]
    assert not cal.is_workday(D(2028, 5, 2)) and cal.is_workday(D(2028, 5, 3))  # Labour Day: 1-2 May
    assert cal.add_working_days(local(2026, 12, 28, 10), 7) == local(2027, 1, 7, 10)
    assert cal.add_working_hours(local(2026, 12, 31, 17), 2) == local(2027, 1, 4, 10, 30)
    for year in (1999, 2027, 2100):  # before the package's first year too: never an exception
        assert cal.add_working_days(local(year, 6, 1, 10), 3) > local(year, 6, 1, 10)


def test_a_schedule_is_injected():
    # A made-up schedule for 2027: 1-3 January off, Saturday 9 January worked.
    schedule = HolidaySchedule.of([D(2027, 1, 1), D(2027, 1, 2), D(2027, 1, 3)], [D(2027, 1, 9)])
    cal = WorkCalendar(schedule=schedule)
    assert cal.knows(2027) and not cal.knows(2026)
    assert cal.is_workday(D(2027, 1, 9)) and not cal.is_workday(D(2027, 1, 10))
    assert cal.add_working_days(local(2027, 1, 8, 10), 1) == local(2027, 1, 9, 10)


def test_the_table_is_seeded_from_the_package(db):
    assert current_schedule() == package_schedule()
    assert CalendarDay.objects.get(date=D(2026, 10, 1)).name == "国庆节"
    assert CalendarDay.objects.get(date=D(2026, 10, 10)).kind == CalendarDay.Kind.WORKDAY
    assert seed_calendar() == []  # every year the package knows is there already


def test_seeding_loads_only_years_the_table_lacks(db):
    CalendarDay.objects.filter(date__year=2025).delete()
    CalendarDay.objects.filter(date=D(2026, 10, 7)).update(name="国庆节（改）")
    assert seed_calendar() == [2025]
    assert CalendarDay.objects.filter(date__year=2025).count() == 33
    assert CalendarDay.objects.get(date=D(2026, 10, 7)).name == "国庆节（改）"  # an admin's edit stays


def test_an_edit_to_the_table_moves_deadlines_at_once(db):
    start = local(2026, 12, 28, 10)  # Monday
    assert work_calendar().add_working_days(start, 2) == local(2026, 12, 30, 10)
    day = CalendarDay.objects.create(date=D(2026, 12, 29), kind=CalendarDay.Kind.HOLIDAY, name="临时休假")
    assert work_calendar().add_working_days(start, 2) == local(2026, 12, 31, 10)
    day.delete()
    assert work_calendar().add_working_days(start, 2) == local(2026, 12, 30, 10)


def test_entering_next_years_schedule_ends_the_fallback(db):
    assert missing_calendar_years(local(2026, 11, 27, 12)) == [2027]
    assert missing_calendar_years(local(2026, 6, 1, 12)) == []  # 2027 is not within reach yet
    CalendarDay.objects.bulk_create([  # bulk: no signals, so the admin's save() path is not what reloads here
        CalendarDay(date=D(2027, 1, 1), kind=CalendarDay.Kind.HOLIDAY, name="元旦"),
        CalendarDay(date=D(2027, 2, 6), kind=CalendarDay.Kind.HOLIDAY, name="春节")])
    from shiyu.deadlines.services import bump_calendar_version

    bump_calendar_version()
    assert missing_calendar_years(local(2026, 11, 27, 12)) == []
    assert not work_calendar().is_workday(D(2027, 2, 6)) and work_calendar().knows(2027)
