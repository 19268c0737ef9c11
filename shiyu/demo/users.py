"""The demo's people: one login per role, all with the same demo password."""
from django.contrib.auth import get_user_model

from shiyu.core.models import Role
from shiyu.geo.models import Grid
from shiyu.org.models import HandlingUnit

DEMO_USERS = [
    # username, role, display name
    ("citizen", Role.CITIZEN, "市民 王小明"),
    ("operator", Role.OPERATOR, "话务员 李娜"),
    ("dispatcher", Role.DISPATCHER, "派单员 张伟"),
    ("handler", Role.HANDLER, "承办人 刘洋"),
    ("gridworker", Role.GRIDWORKER, "网格员 陈静"),
    ("supervisor", Role.SUPERVISOR, "督办员 赵强"),
    ("leader", Role.LEADER, "领导 孙敏"),
    ("admin", Role.ADMIN, "管理员 周杰"),
]
DEMO_HANDLER_UNIT = "urban_management"


def ensure_demo_users(password: str | None) -> dict[str, object]:
    """Create the demo users once; later runs only reset their password
    (None: leave it as it is, or unusable for a new user)."""
    User = get_user_model()
    users = {}
    for username, role, display in DEMO_USERS:
        user, created = User.objects.get_or_create(username=username, defaults={"role": role, "first_name": display})
        if created:
            user.is_staff = user.is_superuser = role == Role.ADMIN
            if role == Role.HANDLER:
                user.unit = HandlingUnit.objects.get(key=DEMO_HANDLER_UNIT)
        if password is not None:
            user.set_password(password)
        elif created:
            user.set_unusable_password()
        user.save()
        if created and role == Role.GRIDWORKER:
            first_community = Grid.objects.order_by("code").values_list("community_id", flat=True).first()
            user.grids.set(Grid.objects.filter(community_id=first_community))
        users[username] = user
    return users
