"""The Swagger UI page under the site-wide content security policy.

drf-spectacular's SpectacularSwaggerView inlines its start-up script and a <style>, and has
no nonce support. The split variant serves that script from our own origin instead (allowed
by script-src 'self'); the remaining <style> carries the response's nonce, which this one
view adds to style-src. No page gets 'unsafe-inline'.
"""

from __future__ import annotations

from csp.constants import NONCE
from csp.decorators import csp_update
from django.utils.decorators import method_decorator
from drf_spectacular.views import SpectacularSwaggerSplitView


@method_decorator(csp_update({"style-src": [NONCE]}), name="dispatch")
class SwaggerView(SpectacularSwaggerSplitView):
    template_name = "api_docs/swagger_ui.html"
