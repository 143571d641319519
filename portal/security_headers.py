"""Response headers the settings cannot set: caching of private pages, feature and resource policy.

* ``Cache-Control: no-store`` (with Django's never-cache set) on every page answered to a
  logged-in person and on every file or PDF, so finance data does not come back from the
  browser's or a proxy's cache (Back after logout, a shared computer).
* ``Permissions-Policy``: the portal uses no camera, microphone, location, payment or sensors
  from scripts (photos are chosen with a plain file input).
* ``Cross-Origin-Resource-Policy: same-origin``: other sites cannot embed our responses.
"""

from django.http import FileResponse, StreamingHttpResponse
from django.utils.cache import add_never_cache_headers

PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
    )
)
FILE_CONTENT_TYPES = ("application/pdf", "application/octet-stream", "text/csv", "image/")


def is_file_response(response) -> bool:
    content_type = response.get("Content-Type", "")
    return (
        isinstance(response, FileResponse | StreamingHttpResponse)
        or response.has_header("Content-Disposition")
        or content_type.startswith(FILE_CONTENT_TYPES)
        or "spreadsheetml" in content_type
    )


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated) or is_file_response(response):
            add_never_cache_headers(response)
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        return response
