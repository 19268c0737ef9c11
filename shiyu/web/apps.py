from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "shiyu.web"
    label = "web"
