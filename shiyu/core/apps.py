from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "shiyu.core"
    label = "core"
