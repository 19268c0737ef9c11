from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "shiyu.org"
    label = "org"
