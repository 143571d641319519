"""What the API reads and returns; the rules themselves live in the apps' services."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from correspondence.models import Thread, ThreadMessage
from failures.models import FailureReport, FailureStatusChange
from meters.models import Reading
from premises.models import Community

from .batches import MAX_ROWS

# --- Batches (documentation of the rows; checked by the import rules, see api.batches) -----


class ChargeRowSerializer(serializers.Serializer):
    premises_id = serializers.IntegerField(required=False, help_text=_("Id lokalu w Strefie."))
    building = serializers.CharField(
        required=False, help_text=_("Ulica i numer budynku (gdy wspólnota ma kilka budynków).")
    )
    number = serializers.CharField(required=False, help_text=_("Numer lokalu, np. „12”."))
    category = serializers.CharField(
        help_text=_("management, repair_fund, water, heating, waste, other (lub nazwa polska).")
    )
    fund = serializers.CharField(required=False, help_text=_("operating lub repair."))
    period = serializers.CharField(help_text=_("Miesiąc, np. „2026-05”."))
    due_date = serializers.DateField(required=False)
    amount = serializers.CharField(help_text=_("Kwota w zł jako tekst, np. „350.27”."))
    title = serializers.CharField(required=False, max_length=200)


class PaymentRowSerializer(serializers.Serializer):
    bank_reference = serializers.CharField(
        max_length=100, help_text=_("Identyfikator transakcji w banku – klucz idempotencji.")
    )
    date = serializers.DateField()
    amount = serializers.CharField(help_text=_("Kwota w zł jako tekst, np. „350.27”."))
    title = serializers.CharField(required=False)
    payer_name = serializers.CharField(required=False)
    payer_account = serializers.CharField(required=False)
    account = serializers.CharField(required=False, help_text=_("Rachunek odbiorcy (NRB)."))
    premises_id = serializers.IntegerField(
        required=False, help_text=_("Id lokalu; bez niego wpłata jest dopasowywana jak z wyciągu.")
    )


class ChargeBatchSerializer(serializers.Serializer):
    rows = ChargeRowSerializer(many=True, max_length=MAX_ROWS)


class PaymentBatchSerializer(serializers.Serializer):
    rows = PaymentRowSerializer(many=True, max_length=MAX_ROWS)


class ReadingRowSerializer(serializers.Serializer):
    serial_number = serializers.CharField(help_text=_("Numer fabryczny licznika."))
    read_on = serializers.DateField()
    value = serializers.CharField(help_text=_("Stan licznika jako tekst, np. „123.456”."))


class ReadingBatchSerializer(serializers.Serializer):
    rows = ReadingRowSerializer(many=True, max_length=MAX_ROWS)


class RegisterRowSerializer(serializers.Serializer):
    """Columns of the register file import (see premises.register), one row per holder."""

    street = serializers.CharField(help_text=_("Budynek: ulica i numer."))
    postal_code = serializers.CharField(required=False)
    city = serializers.CharField(required=False)
    number = serializers.CharField(help_text=_("Numer lokalu."))
    kind = serializers.CharField(required=False)
    area = serializers.CharField(required=False, help_text=_("Powierzchnia w m², np. „54,20”."))
    persons = serializers.CharField(required=False)
    share = serializers.CharField(required=False, help_text=_("Udział, np. „542/10000”."))
    bank_account = serializers.CharField(required=False, help_text=_("Rachunek lokalu (NRB)."))
    login = serializers.CharField(required=False)
    first_name = serializers.CharField(required=False)
    last_name = serializers.CharField()
    email = serializers.CharField(required=False)
    phone = serializers.CharField(required=False)
    address = serializers.CharField(required=False)
    role = serializers.CharField(required=False, help_text=_("Np. „właściciel”, „najemca”."))
    valid_from = serializers.CharField(required=False)
    valid_to = serializers.CharField(required=False)
    recipient = serializers.CharField(
        required=False, help_text=_("Adresat korespondencji: tak/nie.")
    )


class RegisterBatchSerializer(serializers.Serializer):
    rows = RegisterRowSerializer(many=True, max_length=MAX_ROWS)


class LetterAttachmentSerializer(serializers.Serializer):
    name = serializers.CharField(help_text=_("Nazwa pliku, np. „rozliczenie-2025.pdf”."))
    content_base64 = serializers.CharField(help_text=_("Treść pliku PDF w base64."))


class LetterRowSerializer(serializers.Serializer):
    external_id = serializers.CharField(max_length=100, help_text=_("Id pisma w systemie biura."))
    premises_id = serializers.IntegerField()
    kind = serializers.CharField(
        required=False, help_text=_("fee_notice, settlement, information…")
    )
    subject = serializers.CharField(max_length=200)
    body = serializers.CharField(required=False)
    attachments = LetterAttachmentSerializer(many=True, required=False)


class LetterBatchSerializer(serializers.Serializer):
    rows = LetterRowSerializer(many=True, max_length=MAX_ROWS)


class RowErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(allow_null=True, help_text=_("Indeks wiersza (od 0)."))
    code = serializers.CharField()
    message = serializers.CharField()


class BatchResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    batch_id = serializers.IntegerField(allow_null=True)


class BatchErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    errors = RowErrorSerializer(many=True)


# --- Pulls ----------------------------------------------------------------------------------


class CommunitySerializer(serializers.ModelSerializer):
    class Meta:
        model = Community
        fields = ["id", "name", "street", "postal_code", "city"]


class ReadingSerializer(serializers.ModelSerializer):
    meter_serial_number = serializers.CharField(source="meter.serial_number")
    meter_kind = serializers.CharField(source="meter.kind")
    premises_id = serializers.IntegerField(source="meter.premises_id")
    premises_number = serializers.CharField(source="meter.premises.number")
    building = serializers.CharField(source="meter.premises.building.street")
    community_id = serializers.IntegerField(source="meter.premises.building.community_id")
    value = serializers.DecimalField(max_digits=14, decimal_places=3, coerce_to_string=True)
    photo_url = serializers.SerializerMethodField()

    class Meta:
        model = Reading
        fields = [
            "id",
            "community_id",
            "building",
            "premises_id",
            "premises_number",
            "meter_serial_number",
            "meter_kind",
            "read_on",
            "value",
            "source",
            "is_current",
            "created_at",
            "photo_url",
        ]

    def get_photo_url(self, reading) -> str | None:
        if not reading.photo:
            return None
        request = self.context["request"]
        return request.build_absolute_uri(reverse("api:reading-photo", args=[reading.pk]))


class StatusChangeSerializer(serializers.ModelSerializer):
    class Meta:
        model = FailureStatusChange
        fields = ["from_status", "to_status", "changed_at", "comment"]


class FailureSerializer(serializers.ModelSerializer):
    community_id = serializers.IntegerField(source="building.community_id")
    building = serializers.CharField(source="building.street")
    premises_number = serializers.CharField(source="premises.number", allow_null=True)
    status_label = serializers.CharField(source="get_status_display")
    history = StatusChangeSerializer(source="status_changes", many=True)

    class Meta:
        model = FailureReport
        fields = [
            "id",
            "number",
            "community_id",
            "building",
            "premises_number",
            "description",
            "status",
            "status_label",
            "created_at",
            "status_changed_at",
            "history",
        ]


class FailureStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=FailureReport.Status.choices)
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class ThreadMessageSerializer(serializers.ModelSerializer):
    class Meta:
        model = ThreadMessage
        fields = ["id", "from_office", "body", "created_at"]


class ThreadSerializer(serializers.ModelSerializer):
    community_id = serializers.IntegerField()
    premises_id = serializers.IntegerField(allow_null=True)
    premises_number = serializers.CharField(source="premises.number", allow_null=True)
    messages = ThreadMessageSerializer(many=True)

    class Meta:
        model = Thread
        fields = [
            "id",
            "community_id",
            "premises_id",
            "premises_number",
            "subject",
            "status",
            "created_at",
            "last_message_at",
            "messages",
        ]
