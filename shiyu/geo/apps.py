from django.apps import AppConfig


class GeoConfig(AppConfig):
    name = "shiyu.geo"
    label = "geo"

    def ready(self) -> None:
        from . import signals  # noqa: F401  (connects the grid-change receiver)
