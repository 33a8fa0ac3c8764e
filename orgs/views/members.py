from django.http import HttpResponse


def _todo(request, *args, **kwargs):
    return HttpResponse(status=501)


member_list = member_edit = member_deactivate = member_reactivate = _todo
invitation_list = invitation_create = invitation_revoke = _todo
