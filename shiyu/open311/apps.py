from django.apps import AppConfig


class Open311Config(AppConfig):
    name = "shiyu.open311"
    label = "open311"
