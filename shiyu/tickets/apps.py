from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "shiyu.tickets"
    label = "tickets"
