"""Office side of Finanse: charges, payments, separate fund accounts and imports.

Booked history is never edited or deleted: charges and payments are read-only once saved
(a mistake is corrected with a new, negative charge) and there is no delete. The one change
allowed is assigning an unmatched payment to a premises.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db.models import Q
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from imports.services import UploadGone, upload_peek, upload_store
from lib.imports import MAX_FILE_BYTES
from lib.resubmission import earlier_submission
from office.admin_mixins import CommunityScopedAdminMixin, ResubmissionAdminMixin
from office.roles import communities_for, community_ids_for

from .imports import default_charge_title, preview_bank_statement, preview_charges
from .models import Charge, FundAccount, ImportBatch, Payment
from .selectors import due_date_for
from .services import ImportRejected, import_apply_upload, payment_assign

# --- Forms ----------------------------------------------------------------------------------


class ChargeAdminForm(forms.ModelForm):
    class Meta:
        model = Charge
        fields = [
            "premises",
            "category",
            "fund",
            "title",
            "period",
            "due_date",
            "amount",
            "rate",
            "external_id",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("fund", "title", "due_date"):
            if name in self.fields:
                self.fields[name].required = False
        if "due_date" in self.fields:
            self.fields["due_date"].help_text = _(
                "Puste: dzień płatności ustawiony we wspólnocie, w miesiącu okresu."
            )
        if "fund" in self.fields:
            self.fields["fund"].help_text = _("Puste: według kategorii.")

    def clean(self):
        data = super().clean()
        category, period, premises = data.get("category"), data.get("period"), data.get("premises")
        if data.get("amount") == 0:
            self.add_error("amount", _("Kwota nie może być zerowa."))
        if period:
            data["period"] = period = period.replace(day=1)
        if category and not data.get("fund"):
            data["fund"] = Charge.fund_for_category(category)
        if category and period and not data.get("title"):
            data["title"] = default_charge_title(category, period)
        if premises and period and not data.get("due_date"):
            data["due_date"] = due_date_for(premises.building.community, period)
        return data


class ChargeImportForm(forms.Form):
    community = forms.ModelChoiceField(label=_("Wspólnota"), queryset=None)
    file = forms.FileField(label=_("Plik CSV lub XLSX z naliczeniami"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities_for(user, Charge, "add")


class BankImportForm(forms.Form):
    file = forms.FileField(label=_("Wyciąg bankowy (MT940, camt.053, Elixir-0, CSV lub XLSX)"))
    community = forms.ModelChoiceField(
        label=_("Wspólnota"),
        queryset=None,
        required=False,
        help_text=_(
            "Potrzebna tylko dla wyciągu, który nie podaje numeru rachunku (np. CSV z iPKO)."
        ),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities_for(user, Payment, "add")


# --- Filters --------------------------------------------------------------------------------


class AssignmentFilter(admin.SimpleListFilter):
    title = _("przypisanie")
    parameter_name = "przypisanie"

    def lookups(self, request, model_admin):
        return [("nieprzypisane", _("nieprzypisane")), ("przypisane", _("przypisane"))]

    def queryset(self, request, queryset):
        if self.value() == "nieprzypisane":
            return queryset.filter(premises__isnull=True)
        if self.value() == "przypisane":
            return queryset.filter(premises__isnull=False)
        return queryset


# --- Imports (preview, then apply whole or not at all) --------------------------------------


class ImportAdminMixin:
    """Upload → preview (file kept on the server) → apply once, all or nothing."""

    import_form_class: type[forms.Form]
    import_kind = ""
    import_title = ""
    import_help_template = ""

    def get_urls(self):
        info = self.model._meta.app_label, self.model._meta.model_name
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="{}_{}_import".format(*info),
            ),
            *super().get_urls(),
        ]

    def build_preview(self, request, *, upload):
        raise NotImplementedError

    def lock_ids(self, upload) -> list[int]:
        return [upload.community_id] if upload.community_id else []

    def import_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": self.import_title,
            "help_template": self.import_help_template,
        }
        if request.method == "POST" and "token" in request.POST:
            return self._apply(request, context)
        form = self.import_form_class(
            request.POST or None, request.FILES or None, user=request.user
        )
        if request.method == "POST" and form.is_valid():
            file = form.cleaned_data["file"]
            content = file.read(MAX_FILE_BYTES + 1)
            if len(content) > MAX_FILE_BYTES:
                form.add_error(
                    "file",
                    _("Plik jest za duży (najwyżej %(mb)d MB).")
                    % {"mb": MAX_FILE_BYTES // (1024 * 1024)},
                )
            else:
                upload = upload_store(
                    kind=self.import_kind,
                    file_name=file.name,
                    content=content,
                    user=request.user,
                    community=form.cleaned_data.get("community"),
                )
                preview = self.build_preview(request, upload=upload)
                return self._render_preview(request, context, preview, str(upload.token))
        return TemplateResponse(
            request, "admin/finance/import_form.html", {**context, "form": form}
        )

    def _render_preview(self, request, context, preview, token):
        return TemplateResponse(
            request,
            "admin/finance/import_preview.html",
            {**context, "preview": preview, "token": "" if preview.has_errors else token},
        )

    def _apply(self, request, context):
        token = request.POST["token"]
        try:
            batch = import_apply_upload(
                token=token,
                user=request.user,
                kind=self.import_kind,
                build=lambda upload: self.build_preview(request, upload=upload),
                lock_ids=self._lock_ids_for(token, request.user),
            )
        except UploadGone as gone:
            messages.error(request, gone.message)
            return redirect(request.path)
        except ImportRejected as rejected:
            messages.error(request, _("Import odrzucony – nic nie zapisano."))
            return self._render_preview(request, context, rejected.preview, "")
        messages.success(
            request,
            ngettext(
                "Zaimportowano %(created)d pozycję, pominięto %(skipped)d.",
                "Zaimportowano %(created)d pozycji, pominięto %(skipped)d.",
                batch.rows_created,
            )
            % {"created": batch.rows_created, "skipped": batch.rows_skipped},
        )
        info = self.model._meta.app_label, self.model._meta.model_name
        return redirect(
            reverse("admin:{}_{}_changelist".format(*info)) + f"?import_batch__id__exact={batch.pk}"
        )

    def _lock_ids_for(self, token, user) -> list[int]:
        upload = upload_peek(token=token, kind=self.import_kind, user=user)
        return self.lock_ids(upload) if upload is not None else []

    def _scoped_community(self, request, upload):
        if upload.community_id is None:
            return None
        try:
            return communities_for(request.user, self.model, "add").get(pk=upload.community_id)
        except ObjectDoesNotExist:
            raise PermissionDenied from None


# --- Model admins ---------------------------------------------------------------------------


class ReadOnlyHistoryMixin:
    """Booked money is never deleted (corrections are new entries)."""

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Charge)
class ChargeAdmin(
    ImportAdminMixin, ReadOnlyHistoryMixin, CommunityScopedAdminMixin, SimpleHistoryAdmin
):
    community_lookup = "premises__building__community"
    form = ChargeAdminForm
    change_list_template = "admin/finance/charge/change_list.html"
    list_display = ["premises", "title", "category", "fund", "period", "due_date", "amount"]
    list_filter = [
        "premises__building__community",
        "category",
        "fund",
        "period",
        "import_batch",
        ("due_date", admin.DateFieldListFilter),
    ]
    list_select_related = ["premises__building"]
    search_fields = ["title", "premises__number", "premises__building__street"]
    autocomplete_fields = ["premises"]
    show_full_result_count = False  # no second COUNT(*) over the whole ledger (issue 17)
    import_form_class = ChargeImportForm
    import_kind = "charges"
    import_title = _("Import naliczeń (CSV lub XLSX)")
    import_help_template = "admin/finance/_help_charges.html"

    def has_change_permission(self, request, obj=None):
        # Saved charges are shown read-only; a correction is a new (negative) charge.
        return obj is None and super().has_change_permission(request, obj)

    def build_preview(self, request, *, upload):
        community = self._scoped_community(request, upload)
        if community is None:
            raise PermissionDenied
        return preview_charges(
            community=community, file_name=upload.file_name, content=bytes(upload.content)
        )


class PaymentAdminForm(forms.ModelForm):
    class Meta:
        model = Payment
        fields = [
            "premises",
            "community",
            "booked_on",
            "amount",
            "title",
            "source",
            "fund",
            "payer_name",
            "payer_account",
            "bank_transaction_id",
        ]

    def clean_payer_account(self):
        from .imports import check_account

        value = self.cleaned_data.get("payer_account", "")
        try:
            return check_account(value, label=_("Rachunek zleceniodawcy"))
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None

    def clean_amount(self):
        amount = self.cleaned_data.get("amount")
        if amount == 0:
            raise forms.ValidationError(_("Kwota nie może być zerowa."))
        return amount

    def clean_premises(self):
        premises = self.cleaned_data.get("premises")
        payment = self.instance
        if (
            premises is not None
            and payment.pk
            and payment.community_id is not None
            and premises.building.community_id != payment.community_id
        ):
            raise forms.ValidationError(
                _("Ten lokal należy do innej wspólnoty niż rachunek tej wpłaty.")
            )
        return premises

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "community" in self.fields:
            self.fields["community"].help_text = _(
                "Wspólnota, na której rachunek wpłynęły pieniądze. Wymagana, gdy nie wybierasz "
                "lokalu: nieprzypisaną wpłatę widzą w kolejce pracownicy tej wspólnoty."
            )

    def clean(self):
        data = super().clean()
        if self.instance.pk or "community" not in self.fields:
            return data  # a saved payment keeps the community it was paid to
        premises, community = data.get("premises"), data.get("community")
        if premises is not None:
            if community is not None and community.pk != premises.building.community_id:
                self.add_error(
                    "community", _("Wybrany lokal należy do innej wspólnoty niż wybrana.")
                )
            else:
                data["community"] = premises.building.community
        elif community is None and "premises" not in self.errors:
            self.add_error(
                "community",
                _("Wybierz wspólnotę, na której rachunek wpłynęła wpłata, albo lokal."),
            )
        return data


@admin.register(Payment)
class PaymentAdmin(
    ImportAdminMixin,
    ResubmissionAdminMixin,
    ReadOnlyHistoryMixin,
    CommunityScopedAdminMixin,
    SimpleHistoryAdmin,
):
    # A double click on "Zapisz": the same payment from the same person moments ago.
    resubmission_fields = (
        "premises_id",
        "community_id",
        "booked_on",
        "amount",
        "title",
        "source",
        "fund",
        "payer_name",
        "payer_account",
        "bank_transaction_id",
    )
    resubmission_message = _("Tę wpłatę zapisano przed chwilą: nie zapisano jej drugi raz.")
    community_lookup = "premises__building__community"
    form = PaymentAdminForm
    change_list_template = "admin/finance/payment/change_list.html"
    list_display = [
        "booked_on",
        "amount",
        "premises",
        "match",
        "payer_name",
        "payer_account",
        "title",
        "source",
        "fund",
        "bank_transaction_id",
    ]
    list_filter = [
        AssignmentFilter,
        "premises__building__community",
        "match",
        "source",
        "fund",
        "import_batch",
        ("booked_on", admin.DateFieldListFilter),  # a date drill-down would read every row
    ]
    list_select_related = ["premises__building"]
    search_fields = [
        "title",
        "payer_name",
        "payer_account",
        "recipient_account",
        "bank_transaction_id",
        "premises__number",
        "premises__building__street",
    ]
    autocomplete_fields = ["premises"]
    show_full_result_count = False  # no second COUNT(*) over every payment (issue 17)
    import_form_class = BankImportForm
    import_kind = "bank"
    import_title = _("Import wyciągu bankowego (MT940, camt.053, Elixir-0, CSV lub XLSX)")
    import_help_template = "admin/finance/_help_bank.html"

    def scope_queryset(self, request, queryset, action=None):
        # An unassigned payment belongs to the community whose account it was paid to, so
        # every staff member of that community sees it in the queue.
        ids = self.scope_ids(request, action)
        if ids is None:
            return queryset
        return queryset.filter(
            Q(premises__building__community__in=ids) | Q(premises__isnull=True, community__in=ids)
        )

    def get_readonly_fields(self, request, obj=None):
        # Booked money stays as booked; the one change is (re-)assigning it to a premises.
        if obj is None:
            return []
        return [name for name in PaymentAdminForm.Meta.fields if name != "premises"] + [
            "recipient_account",
            "match",
            "import_batch",
        ]

    def save_model(self, request, obj, form, change):
        if change:
            payment_assign(payment=obj, premises=obj.premises, user=request.user)
            return
        if obj.premises_id is not None:
            obj.community_id = obj.premises.building.community_id
            obj.match = Payment.Match.MANUAL
        if self.resubmitted(request, obj, change):
            return
        super().save_model(request, obj, form, change)

    def resubmission_earlier(self, request, obj) -> int | None:
        """A payment entered by hand has no author of its own: its history entry has."""
        same = Payment.history.filter(
            history_type="+",
            history_user=request.user,
            id__in=Payment.objects.values("pk"),
            **{name: getattr(obj, name) for name in self.resubmission_fields},
        )
        already = earlier_submission(
            same, author=request.user, at=timezone.now(), field="history_date"
        )
        return None if already is None else already.id

    def build_preview(self, request, *, upload):
        ids = community_ids_for(request.user, Payment, "add")
        return preview_bank_statement(
            file_name=upload.file_name,
            content=bytes(upload.content),
            communities=ids,
            community=self._scoped_community(request, upload),
        )


@admin.register(FundAccount)
class FundAccountAdmin(CommunityScopedAdminMixin, SimpleHistoryAdmin):
    community_lookup = "community"
    list_display = ["community", "fund", "bank_account"]
    list_filter = ["community", "fund"]
    list_select_related = ["community"]
    search_fields = ["community__name", "bank_account"]
    autocomplete_fields = ["community"]


@admin.register(ImportBatch)
class ImportBatchAdmin(CommunityScopedAdminMixin, admin.ModelAdmin):
    community_lookup = "community"
    list_display = [
        "created_at",
        "kind",
        "file_name",
        "community",
        "rows_created",
        "rows_skipped",
        "created_by",
    ]
    list_filter = ["kind", "community"]
    list_select_related = ["community", "created_by"]
    search_fields = ["file_name", "file_sha256"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


from . import admin_balances  # noqa: E402, F401 (registers the balance list)
