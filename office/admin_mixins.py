"""Admin scoping: office staff and board members see only their communities' objects.

Subclass ``CommunityScopedAdminMixin`` first (before ``admin.ModelAdmin``) and set
``community_lookup``, the ORM path from the model to its Community, e.g.
``"building__community"`` for Premises; ``""`` for Community itself.

The mixin scopes the change list (and so exports and bulk actions, which run on it), the
change/delete/history views (an object outside the scope answers 404 or 403), foreign-key and
many-to-many choices, autocomplete results and the community filter. Which communities a person
may work in for each model comes from ``office.roles`` (their ``CommunityRole`` rows); what
they may do comes from their Django permissions (the role groups, see ``office.roles``).
"""

from django.contrib import admin, messages
from django.contrib.admin.utils import get_fields_from_path, unquote
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import IntegrityError
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lib.resubmission import earlier_submission
from lib.spreadsheets import escape_dataset
from premises.models import Community

from . import roles


def resolve_lookup(model, lookup: str):
    """The model a ``community_lookup`` path ends at (``model`` itself for ``""``)."""
    current = model
    for part in filter(None, lookup.split("__")):
        current = current._meta.get_field(part).related_model
        if current is None:
            raise FieldDoesNotExist(f"{model.__name__}: {lookup!r} does not lead to a model")
    return current


class _ValidValuesOnlyMixin:
    """An autocomplete widget that ignores submitted values which are no valid ids.

    Django's widget looks the bound values up to render the chosen options, so a crafted
    ``premises=abc`` turned the form's "Wybierz poprawną wartość" into a 500; the form field
    still reports the bad value as a form error.
    """

    def optgroups(self, name, value, attr=None):
        remote = self.field.remote_field
        to_field = remote.model._meta.get_field(
            getattr(remote, "field_name", None) or remote.model._meta.pk.name
        )
        valid = []
        for item in value:
            try:
                to_field.to_python(item)
            except (ValidationError, TypeError, ValueError):
                continue
            valid.append(item)
        return super().optgroups(name, valid, attr)


class SafeAutocompleteSelect(_ValidValuesOnlyMixin, AutocompleteSelect):
    pass


class SafeAutocompleteSelectMultiple(_ValidValuesOnlyMixin, AutocompleteSelectMultiple):
    pass


def safe_autocomplete(formfield):
    """Swap Django's autocomplete widget of a form field for the one above (in place)."""
    widget = getattr(formfield, "widget", None)
    if isinstance(widget, AutocompleteSelectMultiple) and not isinstance(
        widget, _ValidValuesOnlyMixin
    ):
        widget.__class__ = SafeAutocompleteSelectMultiple
    elif isinstance(widget, AutocompleteSelect) and not isinstance(widget, _ValidValuesOnlyMixin):
        widget.__class__ = SafeAutocompleteSelect
    return formfield


class ScopedCommunityFilter(admin.RelatedFieldListFilter):
    """The community filter, offering only the communities the user works for."""

    def field_choices(self, field, request, model_admin):
        ids = roles.community_ids_for(request.user, model_admin.model)
        qs = Community.objects.order_by("name")
        if ids is not None:
            qs = qs.filter(pk__in=ids)
        return [(c.pk, str(c)) for c in qs]


class ScopedRelatedFieldListFilter(admin.RelatedFieldListFilter):
    """A filter by a related object (e.g. the import a charge came from), offering only the
    objects the user may see in that model's own admin; Django's offers every row."""

    def field_choices(self, field, request, model_admin):
        related_admin = model_admin.admin_site._registry.get(field.related_model)
        ordering = self.field_admin_ordering(field, request, model_admin)
        queryset = related_admin.scope_queryset(request, field.related_model._default_manager.all())
        if ordering:
            queryset = queryset.order_by(*ordering)
        return [(obj.pk, str(obj)) for obj in queryset]


class CommunityScopedAdminMixin:
    """Limit an admin's rows, choices and actions to the communities the office user manages."""

    community_lookup: str = "community"

    # --- scope ------------------------------------------------------------------------------

    def scope_ids(self, request, action: str | None = None) -> list[int] | None:
        """Community ids the user may see (or do ``action`` in); None means all."""
        return roles.community_ids_for(request.user, self.model, action)

    def scope_queryset(self, request, queryset, action: str | None = None):
        ids = self.scope_ids(request, action)
        if ids is None:
            return queryset
        field = f"{self.community_lookup}__in" if self.community_lookup else "pk__in"
        return queryset.filter(**{field: ids})

    def get_queryset(self, request):
        return self.scope_queryset(request, super().get_queryset(request))

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        # Django redirects to the index with "does not exist"; outside the scope is a 404.
        raise Http404(_("Nie ma takiego obiektu lub nie masz do niego dostępu."))

    def _object_in_scope(self, request, obj, action: str) -> bool:
        ids = self.scope_ids(request, action)
        if ids is None:
            return True
        if not ids:
            return False
        if obj is None:
            return True
        cache = request.__dict__.setdefault("_office_scope_cache", {})
        key = (self.model._meta.label, obj.pk, action)
        if key not in cache:
            qs = self.model._default_manager.filter(pk=obj.pk)
            cache[key] = self.scope_queryset(request, qs, action).exists()
        return cache[key]

    # --- permissions: Django's (role groups) and the object's community ---------------------

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and (
            self._object_in_scope(request, obj, "view")
            or self._object_in_scope(request, obj, "change")
        )

    def has_add_permission(self, request, *args):
        return super().has_add_permission(request, *args) and self._object_in_scope(
            request, None, "add"
        )

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._object_in_scope(
            request, obj, "change"
        )

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._object_in_scope(
            request, obj, "delete"
        )

    def has_import_permission(self, request):
        """django-import-export lets anyone import by default: require add and change."""
        return self.has_add_permission(request) and self.has_change_permission(request)

    def has_export_permission(self, request):
        return self.has_view_permission(request)

    def get_data_for_export(self, request, queryset, **kwargs):
        """django-import-export's rows, every text cell safe from formula injection."""
        return escape_dataset(super().get_data_for_export(request, queryset, **kwargs))

    # --- choices ----------------------------------------------------------------------------

    def _scope_related(self, request, formfield, related_model):
        related_admin = self.admin_site._registry.get(related_model)
        if formfield is None or not hasattr(formfield, "queryset"):
            return formfield
        if isinstance(related_admin, CommunityScopedAdminMixin):
            formfield.queryset = related_admin.scope_queryset(request, formfield.queryset)
        return formfield

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        formfield = safe_autocomplete(super().formfield_for_foreignkey(db_field, request, **kwargs))
        return self._scope_related(request, formfield, db_field.related_model)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        formfield = safe_autocomplete(super().formfield_for_manytomany(db_field, request, **kwargs))
        return self._scope_related(request, formfield, db_field.related_model)

    def history_view(self, request, object_id, extra_context=None):
        """simple_history's history of one row; an id no row of this model can have (``abc``)
        is a page that does not exist: simple_history queried with it (an error page)."""
        try:
            self.model._meta.pk.to_python(unquote(object_id))
        except ValidationError:
            raise Http404 from None
        return super().history_view(request, object_id, extra_context)

    # --- a database constraint hit while saving is a message, not a 500 --------------------

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except IntegrityError:
            # The whole save was rolled back (changeform_view runs in one transaction).
            self.message_user(
                request,
                _(
                    "Nie zapisano zmian: te same dane (np. ta sama osoba z tą samą rolą) już "
                    "istnieją w innym wierszu. Popraw je i zapisz ponownie."
                ),
                messages.ERROR,
            )
            return HttpResponseRedirect(request.get_full_path())

    # --- community filter everywhere --------------------------------------------------------

    def get_list_filter(self, request):
        filters = [self._scoped_filter(f) for f in super().get_list_filter(request)]
        if self.community_lookup:
            path = self.community_lookup
            filters = [f for f in filters if f != path]
            if not any(isinstance(f, tuple) and f[0] == path for f in filters):
                filters.insert(0, (path, ScopedCommunityFilter))
        return filters

    def _scoped_filter(self, list_filter):
        """A plain related-field filter (``"import_batch"``) as one offering only the related
        objects in the user's scope, when that model has a scoped admin."""
        if not isinstance(list_filter, str) or list_filter == self.community_lookup:
            return list_filter
        field = get_fields_from_path(self.model, list_filter)[-1]
        related_admin = self.admin_site._registry.get(getattr(field, "related_model", None))
        if field.is_relation and isinstance(related_admin, CommunityScopedAdminMixin):
            return (list_filter, ScopedRelatedFieldListFilter)
        return list_filter


class ScopedInlineMixin:
    """For inlines of a scoped admin: rows and foreign-key choices of the user's communities.

    An inline's rows are scoped like the list of their own model: a person holding premises in
    two communities has, on their change page, only the ownerships of the staff member's
    communities, and a forged POST naming another row's id is refused by the formset (its id
    field chooses from the scoped rows only), so it cannot change or delete it.
    """

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        own_admin = self.admin_site._registry.get(self.model)
        if isinstance(own_admin, CommunityScopedAdminMixin):
            queryset = own_admin.scope_queryset(request, queryset)
        return queryset

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        formfield = safe_autocomplete(super().formfield_for_foreignkey(db_field, request, **kwargs))
        related_admin = self.admin_site._registry.get(db_field.related_model)
        if isinstance(related_admin, CommunityScopedAdminMixin) and formfield is not None:
            formfield.queryset = related_admin.scope_queryset(request, formfield.queryset)
        return formfield


class ResubmissionAdminMixin:
    """An add form that sends something out, sent twice (a double click), saves and sends once.

    ``save_model`` starts with ``if self.resubmitted(request, obj, change): return``: the same
    ``resubmission_fields`` from the same person moments ago (``lib.resubmission``) are the
    object saved then, whose page the office is shown instead of a second one."""

    resubmission_fields: tuple[str, ...] = ()
    resubmission_message = ""

    def resubmitted(self, request, obj, change) -> bool:
        if change:
            return False
        pk = self.resubmission_earlier(request, obj)
        if pk is None:
            return False
        obj.pk, obj.resubmitted = pk, True
        self.message_user(request, self.resubmission_message, messages.WARNING)
        return True

    def resubmission_earlier(self, request, obj) -> int | None:
        """The id of the same object the same person saved moments ago, or None."""
        same = self.model.objects.filter(
            created_by=request.user,
            **{name: getattr(obj, name) for name in self.resubmission_fields},
        )
        already = earlier_submission(same, author=request.user, at=timezone.now())
        return None if already is None else already.pk

    def response_add(self, request, obj, post_url_continue=None):
        if getattr(obj, "resubmitted", False):  # not "added": the one saved moments ago
            opts = self.model._meta
            return HttpResponseRedirect(
                reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
            )
        return super().response_add(request, obj, post_url_continue)
