from django.contrib import admin, messages
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shiyu.core.admin import ReadOnlyAdmin

from .models import CalendarDay, Escalation, Notification
from .selectors import missing_calendar_years


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    """Each year's State Council schedule: its holidays and its make-up working days.
    Every change reaches all processes' deadline arithmetic within seconds."""

    list_display = ["date", "weekday", "kind", "name"]
    list_filter = ["kind", "name"]
    search_fields = ["name"]
    date_hierarchy = "date"

    @admin.display(description=gettext_lazy("weekday"))
    def weekday(self, day: CalendarDay) -> str:
        return date_format(day.date, "D")

    def changelist_view(self, request, extra_context=None):
        for year in missing_calendar_years():
            messages.warning(request, _("The holiday schedule for %(year)s is missing: add its holidays and "
                                        "make-up working days as the State Council published them.") % {"year": year})
        return super().changelist_view(request, extra_context)


@admin.register(Escalation)
class EscalationAdmin(ReadOnlyAdmin):
    list_display = ["ticket", "unit", "level", "due_at", "created_at"]
    list_filter = ["level", "unit"]
    list_select_related = ["ticket", "unit"]
    date_hierarchy = "created_at"


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "kind", "unit", "role", "text", "read_at"]
    list_filter = ["kind", "role"]
    list_select_related = ["unit"]
    date_hierarchy = "created_at"
