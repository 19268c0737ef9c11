from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from shiyu.org.models import HandlingUnit
from shiyu.tickets.models import Category

from .models import RoutingRule
from .services import bump_routing_version


# The rule table also holds the categories (defaults, parents) and the units it routes to.
@receiver([post_save, post_delete], sender=RoutingRule)
@receiver([post_save, post_delete], sender=Category)
@receiver([post_save, post_delete], sender=HandlingUnit)
def routing_changed(**_kwargs) -> None:
    bump_routing_version()
