from django.contrib import admin

from shiyu.core.admin import ReadOnlyAdmin

from .models import CategoryCorrection, CategorySuggestion, SimilarTicket


@admin.register(CategorySuggestion)
class CategorySuggestionAdmin(ReadOnlyAdmin):
    list_display = ("ticket", "top_probability", "applied", "triage", "model_version", "created_at", "settled_at")
    list_filter = ("triage", "applied")
    raw_id_fields = ("ticket",)


@admin.register(CategoryCorrection)
class CategoryCorrectionAdmin(ReadOnlyAdmin):
    list_display = ("ticket", "suggested", "chosen", "corrected_by", "corrected_at")
    raw_id_fields = ("ticket",)


@admin.register(SimilarTicket)
class SimilarTicketAdmin(ReadOnlyAdmin):
    list_display = ("ticket", "earlier", "kind", "score", "distance_m", "state", "found_at")
    list_filter = ("kind", "state")
    raw_id_fields = ("ticket", "earlier")
