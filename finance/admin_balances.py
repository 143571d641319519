"""The office's per-premises balance list ("Salda lokali") in admin, its exports and letters.

Every figure comes from ``finance.selectors`` (``with_arrears`` for the list, the holder's own
balances for payment demands). Scoped to the communities the staff member works for. The board
of a community sees its list and exports it; letters (payment demands, certificates) are the
office's: only for communities in which the user books charges.
"""

import csv
import datetime
import io
from decimal import Decimal

from django.contrib import admin, messages
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from office.admin_mixins import CommunityScopedAdminMixin, ScopedCommunityFilter
from office.roles import community_ids_for
from portal.pdf import render_pdf
from portal.templatetags.strefa import format_money
from premises.models import Building

from .models import Charge, PremisesAccount
from .reminders import holder_balances
from .selectors import (
    arrears_age,
    arrears_items,
    premises_in_arrears,
    premises_with_overpayment,
    with_arrears,
)

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_text(value) -> str:
    """Text for a CSV/XLSX cell that a spreadsheet never runs as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


class BuildingFilter(admin.SimpleListFilter):
    title = _("budynek")
    parameter_name = "budynek"

    def lookups(self, request, model_admin):
        buildings = Building.objects.select_related("community").order_by("street")
        ids = model_admin.scope_ids(request)
        if ids is not None:
            buildings = buildings.filter(community_id__in=ids)
        community = request.GET.get("building__community__id__exact")
        if community and community.isdigit():
            buildings = buildings.filter(community_id=community)
        return [(str(b.pk), str(b)) for b in buildings]

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(building_id=value)
        return queryset


class ArrearsFilter(admin.SimpleListFilter):
    title = _("zaległość")
    parameter_name = "zaleglosc"

    def lookups(self, request, model_admin):
        return [
            ("tak", _("z zaległością")),
            ("ponad-90", _("zaległość ponad 90 dni")),
            ("nie", _("bez zaległości")),
            ("nadplata", _("z nadpłatą")),
        ]

    def queryset(self, request, queryset):
        value, today = self.value(), timezone.localdate()
        if value == "tak":
            return premises_in_arrears(queryset, today)
        if value == "ponad-90":
            return premises_in_arrears(queryset, today, older_than_days=90)
        if value == "nie":
            return queryset.exclude(pk__in=premises_in_arrears(queryset.model.objects, today))
        if value == "nadplata":
            return premises_with_overpayment(queryset, today)
        return queryset


@admin.register(PremisesAccount)
class PremisesAccountAdmin(CommunityScopedAdminMixin, admin.ModelAdmin):
    community_lookup = "building__community"
    list_display = [
        "premises_label",
        "amount_due_display",
        "arrears_display",
        "age_30",
        "age_90",
        "age_over_90",
        "overpayment_display",
        "last_payment_display",
    ]
    list_display_links = None
    list_filter = [("building__community", ScopedCommunityFilter), BuildingFilter, ArrearsFilter]
    list_select_related = ["building__community"]
    search_fields = ["number", "building__street", "building__community__name"]
    ordering = ["building__community__name", "building__street", "number"]
    list_per_page = 100
    actions = ["export_csv", "export_xlsx", "payment_demands_pdf", "no_arrears_certificates_pdf"]

    def get_queryset(self, request):
        return with_arrears(super().get_queryset(request), timezone.localdate(), full=True)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    # --- who writes letters: the office (whoever books charges there), not the board -----

    def has_letters_permission(self, request):
        ids = community_ids_for(request.user, Charge, "add")
        return request.user.has_perm("finance.add_charge") and (ids is None or bool(ids))

    def _letters_queryset(self, request, queryset):
        """The selected premises the user may write letters for; None (with a message) if none.

        Someone on the board of one community and in the office of another writes only for
        the latter."""
        ids = community_ids_for(request.user, Charge, "add")
        if ids is not None:
            queryset = queryset.filter(building__community_id__in=ids)
        if not queryset.exists():
            self.message_user(
                request,
                gettext("Nie wybrano lokali, dla których możesz wystawiać pisma."),
                messages.ERROR,
            )
            return None
        return queryset

    # --- columns ------------------------------------------------------------------------

    @admin.display(description=_("lokal"), ordering="building__street")
    def premises_label(self, obj):
        return f"{obj} ({obj.building.community.name})"

    @admin.display(description=_("do zapłaty"))
    def amount_due_display(self, obj):
        return format_money(obj.amount_due)

    # Not sortable: sorting by a computed figure would compute it for the whole register.
    @admin.display(description=_("zaległość"))
    def arrears_display(self, obj):
        return format_money(obj.arrears)

    @admin.display(description=_("do 30 dni"))
    def age_30(self, obj):
        return format_money(arrears_age(obj).up_to_30)

    @admin.display(description=_("31–90 dni"))
    def age_90(self, obj):
        return format_money(arrears_age(obj).from_31_to_90)

    @admin.display(description=_("ponad 90 dni"))
    def age_over_90(self, obj):
        return format_money(arrears_age(obj).over_90)

    @admin.display(description=_("nadpłata"))
    def overpayment_display(self, obj):
        return format_money(obj.overpayment)

    @admin.display(description=_("ostatnia wpłata"))
    def last_payment_display(self, obj):
        return obj.last_payment.strftime("%d.%m.%Y") if obj.last_payment else "–"

    # --- exports ------------------------------------------------------------------------

    HEADER = [
        _("wspólnota"),
        _("budynek"),
        _("lokal"),
        _("do zapłaty"),
        _("zaległość"),
        _("do 30 dni"),
        _("31–90 dni"),
        _("ponad 90 dni"),
        _("nadpłata"),
        _("ostatnia wpłata"),
    ]

    def _rows(self, queryset):
        for obj in queryset:
            age = arrears_age(obj)
            yield [
                spreadsheet_text(obj.building.community.name),
                spreadsheet_text(obj.building.address),
                spreadsheet_text(obj.number),
                Decimal(obj.amount_due),
                Decimal(obj.arrears),
                age.up_to_30,
                age.from_31_to_90,
                age.over_90,
                Decimal(obj.overpayment),
                obj.last_payment,
            ]

    def _filename(self, extension: str) -> str:
        return f"salda-lokali-{timezone.localdate():%Y-%m-%d}.{extension}"

    @admin.action(description=_("Eksport do CSV"))
    def export_csv(self, request, queryset):
        out = io.StringIO()
        writer = csv.writer(out, delimiter=";")
        writer.writerow([str(h) for h in self.HEADER])
        for row in self._rows(queryset):
            writer.writerow(
                [
                    f"{v:.2f}".replace(".", ",")
                    if isinstance(v, Decimal)
                    else (v.strftime("%d.%m.%Y") if isinstance(v, datetime.date) else v)
                    for v in row
                ]
            )
        response = HttpResponse("\ufeff" + out.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{self._filename("csv")}"'
        return response

    @admin.action(description=_("Eksport do XLSX"))
    def export_xlsx(self, request, queryset):
        from openpyxl import Workbook

        book = Workbook()
        sheet = book.active
        sheet.title = gettext("Salda lokali")
        sheet.append([str(h) for h in self.HEADER])
        for row in self._rows(queryset):
            sheet.append(row)
            for cell in sheet[sheet.max_row]:
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # never a formula, whatever the text
                elif isinstance(cell.value, Decimal | float):
                    cell.number_format = "#,##0.00"
                elif isinstance(cell.value, datetime.date):
                    cell.number_format = "DD.MM.YYYY"
        out = io.BytesIO()
        book.save(out)
        response = HttpResponse(
            out.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="{self._filename("xlsx")}"'
        return response

    # --- letters ------------------------------------------------------------------------

    @admin.action(
        description=_("Wezwania do zapłaty (PDF do wysyłki pocztą)"), permissions=["letters"]
    )
    def payment_demands_pdf(self, request, queryset):
        queryset = self._letters_queryset(request, queryset)
        if queryset is None:
            return None
        today = timezone.localdate()
        # Each holder's own arrears (the rule reminders use): a buyer who owes is called on
        # even where the seller's overpayment leaves the premises as a whole in credit.
        from premises.models import Premises

        base = Premises.objects.filter(pk__in=queryset.values("pk")).select_related(
            "building__community"
        )
        pairs = [
            pair
            for accounts in holder_balances(base, today, today, amount="arrears").values()
            for pair in accounts
        ]
        if not pairs:
            if premises_in_arrears(queryset, today).exists():
                message = gettext(
                    "Zaległości wybranych lokali należą do poprzednich właścicieli; "
                    "obecnym właścicielom nie ma czego wzywać."
                )
            else:
                message = gettext("Żaden z wybranych lokali nie ma zaległości.")
            self.message_user(request, message, messages.ERROR)
            return None
        items = arrears_items([balance for balance, _ in pairs])
        letters = [
            {
                "balance": balance,
                "premises": balance.premises,
                "community": balance.premises.building.community,
                "users": users,
                "items": items.get(id(balance), []),
                "account": balance.payment_account,
            }
            for balance, users in pairs
        ]
        pdf = render_pdf("finance/pdf/payment_demand.html", {"letters": letters, "today": today})
        response = HttpResponse(pdf, content_type="application/pdf")
        name = f"wezwania-do-zaplaty-{today:%Y-%m-%d}.pdf"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response

    @admin.action(description=_("Zaświadczenia o niezaleganiu (PDF)"), permissions=["letters"])
    def no_arrears_certificates_pdf(self, request, queryset):
        queryset = self._letters_queryset(request, queryset)
        if queryset is None:
            return None
        today = timezone.localdate()
        rows = list(queryset)
        owing = [p for p in rows if p.arrears > 0]
        if owing:
            self.message_user(
                request,
                gettext(
                    "Nie wystawiono zaświadczeń: lokale z zaległością: %(list)s. "
                    "Odznacz je i spróbuj ponownie."
                )
                % {"list": ", ".join(str(p) for p in owing[:10])},
                messages.ERROR,
            )
            return None
        pdf = render_pdf(
            "finance/pdf/no_arrears_certificate.html", {"premises_list": rows, "today": today}
        )
        response = HttpResponse(pdf, content_type="application/pdf")
        name = f"zaswiadczenia-o-niezaleganiu-{today:%Y-%m-%d}.pdf"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
