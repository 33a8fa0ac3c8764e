from django.http import HttpResponse


def _todo(request, *args, **kwargs):
    return HttpResponse(status=501)


org_chart_import = _todo
