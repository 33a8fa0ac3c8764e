from django.http import HttpResponse


def _todo(request, *args, **kwargs):
    return HttpResponse(status=501)


department_list = department_create = department_edit = department_delete = _todo
