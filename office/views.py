from django.contrib import admin

from .dashboard import dashboard_sections


def _admin_index(request):
    return admin.site.index(request, extra_context={"dashboard": dashboard_sections(request)})


# The admin start page with the office dashboard above the list of models.
admin_index = admin.site.admin_view(_admin_index)
