from django.apps import AppConfig


class Open311Config(AppConfig):
    name = "shiyu.open311"
    label = "open311"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from shiyu.tickets.models import Category

        from . import catalog
        from .models import ApiKey

        def forget(**_kwargs):
            catalog.clear()

        for model in (ApiKey, Category):
            post_save.connect(forget, sender=model, weak=False, dispatch_uid=f"open311-forget-{model.__name__}")
            post_delete.connect(forget, sender=model, weak=False, dispatch_uid=f"open311-del-{model.__name__}")
