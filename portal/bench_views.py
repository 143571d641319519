"""Two reference views for the scale benchmark, served only when ``BENCH_VIEWS`` is on.

``make bench`` compares every page's throughput with these: a view that does nothing, and one
that only loads ``request.user`` (the session with its user: one query), measured in the same
run.
"""

from django.http import HttpResponse


def bare(request):
    return HttpResponse("ok", content_type="text/plain")


def bare_authenticated(request):
    return HttpResponse(str(request.user.pk), content_type="text/plain")
