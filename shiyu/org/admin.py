from django.contrib import admin

from .models import HandlingUnit


@admin.register(HandlingUnit)
class HandlingUnitAdmin(admin.ModelAdmin):
    list_display = ["key", "name", "short_name", "kind", "area", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["key", "name", "short_name"]
    autocomplete_fields = ["area"]
