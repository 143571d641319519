from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from lib.sms import sms_size
from office.admin_mixins import CommunityScopedAdminMixin

from .models import Message, ReminderSent
from .services import message_resend, messages_mark_bounced


@admin.register(Message)
class MessageAdmin(CommunityScopedAdminMixin, admin.ModelAdmin):
    community_lookup = "community"
    list_display = [
        "created_at",
        "channel",
        "to_address",
        "subject_or_text",
        "sms_parts",
        "status",
        "attempts",
        "next_attempt_at",
        "sent_at",
    ]
    list_filter = ["status", "channel", "community", "created_at"]
    list_select_related = ["recipient"]
    search_fields = ["to_address", "subject", "body", "recipient__last_name", "recipient__username"]
    show_full_result_count = False  # created_at stays a list filter: no drill-down over every row
    actions = ["resend", "mark_bounced"]
    readonly_fields = [
        "recipient",
        "community",
        "channel",
        "to_address",
        "subject",
        "body",
        "body_html",
        "content_type",
        "object_id",
        "status",
        "attempts",
        "last_error",
        "next_attempt_at",
        "sent_at",
        "provider_id",
        "created_at",
    ]

    def has_add_permission(self, request):
        return False  # messages are written by the portal, never typed in by hand

    @admin.display(description=_("części SMS"))
    def sms_parts(self, obj):
        if obj.channel != Message.Channel.SMS:
            return "–"
        size = sms_size(obj.body)
        return f"{size.parts} ({size.encoding})"

    @admin.display(description=_("temat / treść"))
    def subject_or_text(self, obj):
        return obj.subject or obj.body[:60]

    @admin.action(description=_("Wyślij ponownie"))
    def resend(self, request, queryset):
        count = 0
        for message in queryset:
            message_resend(message=message)
            count += 1
        self.message_user(
            request,
            ngettext(
                "Wiadomość ponownie przekazano do wysłania.",
                "%(count)d wiadomości ponownie przekazano do wysłania.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(description=_("Oznacz e-mail jako zwrócony (nie dotarł do adresata)"))
    def mark_bounced(self, request, queryset):
        count = messages_mark_bounced(messages=queryset)
        if not count:
            self.message_user(
                request,
                _("Wśród zaznaczonych nie ma wysłanych wiadomości e-mail."),
                messages.WARNING,
            )
            return
        self.message_user(
            request,
            # A count after a colon reads right in Polish for any number (no plural forms).
            _("Wiadomości e-mail oznaczone jako zwrócone: %(count)d.") % {"count": count},
            messages.SUCCESS,
        )


@admin.register(ReminderSent)
class ReminderSentAdmin(CommunityScopedAdminMixin, admin.ModelAdmin):
    """What the daily reminder jobs sent; read-only, it is their bookkeeping."""

    community_lookup = "community"
    list_display = ["kind", "period", "community", "premises", "user"]
    list_filter = ["kind", "community", "period"]
    list_select_related = ["community", "premises__building", "user"]
    search_fields = ["user__last_name", "user__username", "premises__number"]
    show_full_result_count = False  # period stays a list filter: no drill-down over every row

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
