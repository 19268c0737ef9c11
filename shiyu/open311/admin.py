from django.contrib import admin, messages
from django.utils.translation import gettext as _

from .models import ApiKey


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ["name", "active", "created_at"]
    fields = ["name", "active"]

    def save_model(self, request, obj, form, change):
        if not change:  # show the key once; only its hash is kept
            key = ApiKey.generate()
            obj.key_hash = ApiKey.hash(key)
            messages.warning(request, _("The new api_key is %(key)s — copy it now, it is not shown again.")
                             % {"key": key})
        super().save_model(request, obj, form, change)
