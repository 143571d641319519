from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from finance.reminders import payment_reminder_sms_send, reminder_text_max_length
from notifications.services import SMS_MAX_LENGTH, SMS_MAX_PARTS, sms_size_for
from office.admin_mixins import CommunityScopedAdminMixin, ResubmissionAdminMixin
from portal.pdf import render_pdf

from .fee_notices import (
    fee_notice_run_generate_later,
    fee_notice_run_has_charges,
    fee_notice_run_publish,
)
from .forms import MAX_MESSAGE_LENGTH
from .models import (
    DeliveryConsent,
    FeeNoticeRun,
    Letter,
    LetterAttachment,
    SmsNotice,
    Thread,
    ThreadAttachment,
    ThreadMessage,
)
from .services import (
    consent_text,
    letter_publish,
    letter_send_again,
    letters_mark_printed,
    sms_notice_send,
    thread_office_reply,
)


class ToPrintFilter(admin.SimpleListFilter):
    title = _("do wysłania pocztą")
    parameter_name = "do_druku"

    def lookups(self, request, model_admin):
        return [("tak", _("do wydrukowania")), ("wydrukowane", _("wydrukowane"))]

    def queryset(self, request, queryset):
        if self.value() == "tak":
            return queryset.to_print()
        if self.value() == "wydrukowane":
            return queryset.filter(printed_at__isnull=False)
        return queryset


class LetterAttachmentInline(admin.TabularInline):
    model = LetterAttachment
    extra = 0
    fields = ["file", "name", "size"]
    readonly_fields = ["size"]


def _count_message(request, admin_obj, count, message):
    # `message` comes from ngettext() at the call site, so makemessages sees both forms.
    admin_obj.message_user(request, message % {"count": count})


@admin.register(Letter)
class LetterAdmin(CommunityScopedAdminMixin, admin.ModelAdmin):
    community_lookup = "community"
    list_display = [
        "subject",
        "kind",
        "recipient",
        "premises",
        "published_at",
        "delivery_channel",
        "delivery_reason",
        "first_opened_at",
        "printed_at",
    ]
    list_filter = [
        ToPrintFilter,
        "community",
        "kind",
        "delivery_channel",
        "delivery_reason",
        ("published_at", admin.EmptyFieldListFilter),
        ("first_opened_at", admin.EmptyFieldListFilter),
        ("created_at", admin.DateFieldListFilter),  # a date drill-down would read every letter
    ]
    list_select_related = ["recipient", "premises__building"]
    search_fields = ["subject", "recipient__last_name", "recipient__username", "premises__number"]
    autocomplete_fields = ["community", "premises", "recipient"]
    show_full_result_count = False
    inlines = [LetterAttachmentInline]
    actions = ["publish", "send_again", "print_for_post"]
    readonly_fields = [
        "created_by",
        "created_at",
        "published_at",
        "delivery_channel",
        "delivery_reason",
        "delivery_address",
        "first_opened_at",
        "printed_at",
        "fee_notice_run",
        "sends",
    ]
    fieldsets = (
        (None, {"fields": ("community", "premises", "recipient", "kind", "subject", "body")}),
        (
            _("Doręczenie"),
            {
                "fields": (
                    "created_by",
                    "created_at",
                    "published_at",
                    "delivery_channel",
                    "delivery_reason",
                    "delivery_address",
                    "first_opened_at",
                    "printed_at",
                    "fee_notice_run",
                    "sends",
                )
            },
        ),
    )

    @admin.display(description=_("wysyłki e-mail"))
    def sends(self, obj):
        rows = obj.outbox_messages.order_by("created_at") if obj.pk else []
        return (
            format_html_join(
                "",
                "<div>{} – {} → {} ({})</div>",
                (
                    (
                        timezone.localtime(m.created_at).strftime("%d.%m.%Y %H:%M"),
                        m.get_status_display(),
                        m.to_address,
                        m.last_error or "",
                    )
                    for m in rows
                ),
            )
            or "—"
        )

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Opublikuj i wyślij (e-mail lub poczta)"))
    def publish(self, request, queryset):
        letters = list(queryset.filter(published_at__isnull=True).select_related("community"))
        for letter in letters:
            letter_publish(letter=letter)
        _count_message(
            request,
            self,
            len(letters),
            ngettext("Opublikowano %(count)d pismo.", "Opublikowano %(count)d pism.", len(letters)),
        )

    @admin.action(description=_("Wyślij ponownie"))
    def send_again(self, request, queryset):
        letters = list(queryset.select_related("community"))
        for letter in letters:
            letter_send_again(letter=letter)
        _count_message(
            request,
            self,
            len(letters),
            ngettext(
                "Ponownie wysłano %(count)d pismo.",
                "Ponownie wysłano %(count)d pism.",
                len(letters),
            ),
        )

    @admin.action(description=_("Drukuj do wysyłki pocztą (PDF) i oznacz jako wydrukowane"))
    def print_for_post(self, request, queryset):
        letters = list(
            queryset.by_post().select_related("recipient", "premises__building", "community")
        )
        if not letters:
            self.message_user(
                request, _("Wśród zaznaczonych nie ma pism do wysłania pocztą."), messages.WARNING
            )
            return None
        pdf = render_pdf("correspondence/pdf/letters_print.html", {"letters": letters})
        letters_mark_printed(letters=letters)
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = 'attachment; filename="pisma-do-wysylki.pdf"'
        return response


class ThreadMessageInline(admin.StackedInline):
    model = ThreadMessage
    extra = 0
    fields = ["created_at", "author", "from_office", "body", "files"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description=_("załączniki"))
    def files(self, obj):
        links = format_html_join(
            ", ", '<a href="{}">{}</a>', ((a.file.url, a.name) for a in obj.attachments.all())
        )
        return links or "—"

    def get_queryset(self, request):
        return (
            super().get_queryset(request).select_related("author").prefetch_related("attachments")
        )


class ThreadAdminForm(forms.ModelForm):
    reply = forms.CharField(
        label=_("Odpowiedź biura"),
        required=False,
        max_length=MAX_MESSAGE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Pojawi się w wątku mieszkańca; mieszkaniec dostanie powiadomienie e-mail."),
    )

    class Meta:
        model = Thread
        fields = ["status"]


@admin.register(Thread)
class ThreadAdmin(CommunityScopedAdminMixin, admin.ModelAdmin):
    community_lookup = "community"
    form = ThreadAdminForm
    list_display = ["subject", "author", "premises", "community", "status", "last_message_at"]
    list_filter = ["status", "community"]
    list_select_related = ["author", "premises__building", "community"]
    search_fields = ["subject", "author__last_name", "author__username", "messages__body"]
    readonly_fields = ["subject", "author", "premises", "community", "created_at"]
    fields = ["subject", "author", "premises", "community", "created_at", "status", "reply"]
    inlines = [ThreadMessageInline]

    def has_add_permission(self, request):
        return False  # residents start threads from the portal

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        reply = form.cleaned_data.get("reply", "").strip()
        if reply:
            thread_office_reply(thread=obj, author=request.user, body=reply)


@admin.register(ThreadAttachment)
class ThreadAttachmentAdmin(CommunityScopedAdminMixin, admin.ModelAdmin):
    community_lookup = "message__thread__community"
    list_display = ["name", "size", "message"]
    list_filter = ["message__thread__community"]
    search_fields = ["name", "message__thread__subject"]
    list_select_related = ["message"]
    readonly_fields = ["message", "file", "name", "size"]

    def has_add_permission(self, request):
        return False  # attachments come with a resident's message, checked by its form


class DeliveryConsentAdminForm(forms.ModelForm):
    class Meta:
        model = DeliveryConsent
        fields = ["user", "premises", "channel", "address", "consent_text", "given_at"]

    def clean(self):
        from .selectors import premises_recipients

        cleaned = super().clean()
        user, premises = cleaned.get("user"), cleaned.get("premises")
        if user and premises and not self.instance.pk:
            recipient = premises_recipients([premises.pk]).get(premises.pk)
            if recipient is None or recipient.pk != user.pk:
                raise ValidationError(
                    _(
                        "Zgodę dla lokalu może wyrazić tylko jego właściciel lub wyznaczony "
                        "współwłaściciel (adresat korespondencji)."
                    )
                )
        return cleaned


@admin.register(DeliveryConsent)
class DeliveryConsentAdmin(CommunityScopedAdminMixin, SimpleHistoryAdmin):
    """Consents given in the portal, or on paper (seed 003) and entered by the office."""

    community_lookup = "premises__building__community"
    form = DeliveryConsentAdminForm
    list_display = ["user", "premises", "channel", "address", "given_at", "withdrawn_at"]
    list_filter = [
        "channel",
        ("withdrawn_at", admin.EmptyFieldListFilter),
        "premises__building__community",
    ]
    list_select_related = ["user", "premises__building"]
    search_fields = ["user__last_name", "user__username", "address", "premises__number"]
    autocomplete_fields = ["user", "premises"]
    actions = ["withdraw"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:  # a consent is evidence: only its withdrawal is recorded later
            return ["user", "premises", "channel", "address", "consent_text", "given_at"]
        return []

    def get_changeform_initial_data(self, request):
        return {"consent_text": _("(zgoda złożona na formularzu papierowym w biurze)")}

    def save_model(self, request, obj, form, change):
        if not change and obj.consent_text.startswith("("):
            obj.consent_text = consent_text(
                channel=obj.channel, premises=obj.premises, address=obj.address
            )
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Wycofaj zgodę"))
    def withdraw(self, request, queryset):
        from .services import consent_withdraw

        consents = list(queryset.filter(withdrawn_at__isnull=True))
        for consent in consents:
            consent_withdraw(consent=consent)
        _count_message(
            request,
            self,
            len(consents),
            ngettext("Wycofano %(count)d zgodę.", "Wycofano %(count)d zgód.", len(consents)),
        )


class SmsNoticeForm(forms.ModelForm):
    class Meta:
        model = SmsNotice
        fields = ["community", "building", "kind", "text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 4, "maxlength": 459})}
        help_texts = {
            "text": _(
                "Najwyżej 3 części SMS: 459 znaków bez polskich liter, 201 z polskimi literami "
                "(jedna litera ą, ę, ł, ó… zmienia część ze 153 na 67 znaków). Nie wpisuj "
                "danych osobowych. W przypomnieniu "
                "o płatności {kwota}, {lokal} i {rachunek} zostaną zastąpione danymi lokalu "
                "adresata ({kwota} to zaległość: kwota, której termin minął); bez {kwota} "
                "zaległość zostanie dopisana na końcu."
            )
        }

    def clean(self):
        cleaned = super().clean()
        community, building = cleaned.get("community"), cleaned.get("building")
        if community and building and building.community_id != community.pk:
            self.add_error("building", _("Ten budynek nie należy do wybranej wspólnoty."))
        if community and not community.sms_enabled:
            self.add_error(
                "community", _("Powiadomienia SMS są wyłączone w tej wspólnocie (ustawienia).")
            )
        text = cleaned.get("text") or ""
        is_reminder = cleaned.get("kind") == SmsNotice.Kind.PAYMENT_REMINDER
        if is_reminder and community and not community.payment_reminders_enabled:
            self.add_error(
                "community",
                _("Przypomnienia o płatności są wyłączone w tej wspólnocie (ustawienia)."),
            )
        if is_reminder and reminder_text_max_length(text) > SMS_MAX_LENGTH:
            self.add_error(
                "text",
                _("Po wstawieniu kwoty i lokalu tekst może przekroczyć %(max)d znaków; skróć go.")
                % {"max": SMS_MAX_LENGTH},
            )
        elif text:
            size = sms_size_for(
                text,
                community=community,
                filled_length=reminder_text_max_length(text) if is_reminder else None,
            )
            if size.parts > SMS_MAX_PARTS:
                self.add_error(
                    "text",
                    _(
                        "Ten SMS zająłby %(parts)d części (%(encoding)s, %(per_part)d znaków na "
                        "część); można wysłać najwyżej %(max)d. Skróć tekst albo włącz "
                        "w ustawieniach wspólnoty „SMS bez polskich znaków”."
                    )
                    % {
                        "parts": size.parts,
                        "encoding": size.encoding,
                        "per_part": size.per_part,
                        "max": SMS_MAX_PARTS,
                    },
                )
        return cleaned


@admin.register(SmsNotice)
class SmsNoticeAdmin(ResubmissionAdminMixin, CommunityScopedAdminMixin, admin.ModelAdmin):
    """SMS to consenting owners: failures and interruptions per building, payment reminders."""

    resubmission_fields = ("community", "building", "kind", "text")
    resubmission_message = _("Ten SMS wysłano przed chwilą: nie wysłano go drugi raz.")
    community_lookup = "community"
    form = SmsNoticeForm
    list_display = [
        "created_at",
        "kind",
        "community",
        "building",
        "recipients_count",
        "sms_parts",
        "text",
    ]
    list_filter = ["kind", "community"]
    list_select_related = ["community", "building"]
    search_fields = ["text"]
    autocomplete_fields = ["community", "building"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:  # sent: a record, not a draft
            return ["community", "building", "kind", "text", "created_by", "recipients_count"]
        return []

    @admin.display(description=_("części SMS"))
    def sms_parts(self, obj):
        size = sms_size_for(obj.text, community=obj.community)
        return f"{size.parts} ({size.encoding})"

    def save_model(self, request, obj, form, change):
        if change:
            return
        obj.created_by = request.user
        if self.resubmitted(request, obj, change):
            return
        super().save_model(request, obj, form, change)
        if obj.kind == SmsNotice.Kind.PAYMENT_REMINDER:
            # Each premises in arrears gets the text with its own amount ({kwota}, {lokal}).
            count = payment_reminder_sms_send(notice=obj)
            obj.recipients_count = count
            obj.save(update_fields=["recipients_count"])
        else:
            count = sms_notice_send(notice=obj)
        self.message_user(
            request,
            ngettext(
                "SMS przekazano do wysłania do %(count)d osoby.",
                "SMS przekazano do wysłania do %(count)d osób.",
                count,
            )
            % {"count": count},
        )


class FeeNoticeLetterInline(admin.TabularInline):
    model = Letter
    fk_name = "fee_notice_run"
    extra = 0
    fields = ["premises", "recipient", "published_at", "delivery_channel", "delivery_reason"]
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("premises__building", "recipient")


@admin.register(FeeNoticeRun)
class FeeNoticeRunAdmin(ResubmissionAdminMixin, CommunityScopedAdminMixin, admin.ModelAdmin):
    """Generate fee notices for a community from the month's charges, then publish them."""

    resubmission_fields = ("community", "effective_from", "note")
    resubmission_message = _(
        "Te zawiadomienia zlecono przed chwilą: nie przygotowano ich drugi raz."
    )
    community_lookup = "community"
    list_display = ["community", "effective_from", "created_at", "letters_count", "published_at"]
    list_filter = ["community", ("published_at", admin.EmptyFieldListFilter)]
    list_select_related = ["community"]
    search_fields = ["community__name", "note"]
    autocomplete_fields = ["community"]
    inlines = [FeeNoticeLetterInline]
    actions = ["publish"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:
            return ["community", "effective_from", "created_by", "created_at", "published_at"]
        return []

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["community", "effective_from", "note"]
        return ["community", "effective_from", "note", "created_by", "created_at", "published_at"]

    def get_queryset(self, request):
        from django.db.models import Count

        return super().get_queryset(request).annotate(letters_total=Count("letters"))

    @admin.display(description=_("liczba zawiadomień"), ordering="letters_total")
    def letters_count(self, obj):
        return obj.letters_total

    def save_model(self, request, obj, form, change):
        if self.resubmitted(request, obj, change):
            return
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
        if not change:
            # The PDFs are made in the worker: hundreds of them would outlast the request.
            if fee_notice_run_has_charges(run=obj):
                fee_notice_run_generate_later(run=obj)
                self.message_user(
                    request,
                    _(
                        "Zawiadomienia (PDF) są przygotowywane w tle. Odśwież listę za chwilę, "
                        "sprawdź je i opublikuj."
                    ),
                )
            else:
                self.message_user(
                    request,
                    _("Brak naliczeń za ten miesiąc: nie wygenerowano żadnego zawiadomienia."),
                    messages.WARNING,
                )

    @admin.action(description=_("Opublikuj zawiadomienia i wyślij (e-mail lub poczta)"))
    def publish(self, request, queryset):
        count = 0
        for run in queryset:
            count += fee_notice_run_publish(run=run)
        _count_message(
            request,
            self,
            count,
            ngettext(
                "Opublikowano %(count)d zawiadomienie.",
                "Opublikowano %(count)d zawiadomień.",
                count,
            ),
        )
