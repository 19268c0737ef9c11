from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "shiyu.api"
    label = "api"
