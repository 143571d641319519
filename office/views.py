from django.apps import apps
from django.contrib import admin
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.http import Http404

from portal.files import serve_file

from .dashboard import dashboard_sections


def _admin_index(request):
    return admin.site.index(request, extra_context={"dashboard": dashboard_sections(request)})


# The admin start page with the office dashboard above the list of models.
admin_index = admin.site.admin_view(_admin_index)


def _object_in_admin_scope(request, model, pk):
    """The object if the user may view it in admin: through its own admin, or the admin of the
    object it is an inline of (a letter's attachment through the letter); else None."""
    model_admin = admin.site._registry.get(model)
    if model_admin is not None:
        obj = model_admin.get_queryset(request).filter(pk=pk).first()
        if obj is not None and model_admin.has_view_or_change_permission(request, obj):
            return obj
        return None
    for parent_model, parent_admin in admin.site._registry.items():
        for inline_class in parent_admin.inlines:
            if inline_class.model is not model:
                continue
            inline = inline_class(parent_model, admin.site)
            fk = next(
                f for f in model._meta.fields if f.is_relation and f.related_model is parent_model
            )
            obj = model._default_manager.filter(pk=pk).first()
            if obj is None:
                return None
            parent = parent_admin.get_queryset(request).filter(pk=getattr(obj, fk.attname))
            parent = parent.first()
            if parent is not None and inline.has_view_or_change_permission(request, parent):
                return obj
    return None


def _admin_file(request, label, pk, field):
    """A stored file of an object the office user may see in admin (photos shown inline)."""
    try:
        model = apps.get_model(label)
        file_field = model._meta.get_field(field)
    except (LookupError, ValueError, FieldDoesNotExist):
        raise Http404 from None
    if not isinstance(file_field, models.FileField):
        raise Http404
    obj = _object_in_admin_scope(request, model, pk)
    if obj is None:
        raise Http404
    stored = getattr(obj, field)
    name = getattr(obj, "name", "") or getattr(obj, "title", "") or f"{model._meta.model_name}"
    return serve_file(stored, download_name=name, inline=True)  # inline for images only


# /admin/plik/<app.model>/<pk>/<field>/: what admin links a file with (CheckedFieldFile.url).
admin_file = admin.site.admin_view(_admin_file)
