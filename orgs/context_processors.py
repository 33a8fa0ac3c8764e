from . import policy
from .notifications import unread_count


def tenant(request):
    member = getattr(request, "membership", None)
    if member is None:
        return {}
    return {
        "org": member.org,
        "membership": member,
        "is_org_admin": policy.is_admin(member),
        "is_hr": policy.is_hr(member),
        "unread_notifications": unread_count(member),
    }
