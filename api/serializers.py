"""What the API reads and returns; the rules themselves live in the apps' services."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from community.models import Resolution
from correspondence.models import DeliveryConsent, Thread, ThreadMessage
from failures.models import FailureReport, FailureStatusChange
from meters.models import Reading
from premises.models import Community

from .batches import MAX_ROWS
from .errors import ERROR_CODES, codes_description

PREMISES_EXTERNAL_ID = _(
    "Id lokalu w systemie biura, nadany w paczce rejestru (zamiast premises_id lub numeru)."
)

# --- Batches (documentation of the rows; checked by the import rules, see api.batches) -----


class ChargeRowSerializer(serializers.Serializer):
    premises_id = serializers.IntegerField(required=False, help_text=_("Id lokalu w Strefie."))
    premises_external_id = serializers.CharField(required=False, help_text=PREMISES_EXTERNAL_ID)
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
    external_id = serializers.CharField(
        required=False,
        max_length=100,
        help_text=_(
            "Id naliczenia w systemie biura: ponownie wysłane nie jest księgowane drugi raz, "
            "a z inną kwotą lub terminem jest odrzucane."
        ),
    )


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
    premises_external_id = serializers.CharField(required=False, help_text=PREMISES_EXTERNAL_ID)


class ChargeBatchSerializer(serializers.Serializer):
    rows = ChargeRowSerializer(many=True, max_length=MAX_ROWS)


class PaymentBatchSerializer(serializers.Serializer):
    rows = PaymentRowSerializer(many=True, max_length=MAX_ROWS)


class ReadingRowSerializer(serializers.Serializer):
    serial_number = serializers.CharField(help_text=_("Numer fabryczny licznika."))
    read_on = serializers.DateField()
    value = serializers.CharField(help_text=_("Stan licznika jako tekst, np. „123.456”."))
    premises_external_id = serializers.CharField(
        required=False,
        help_text=_(
            "Id lokalu w systemie biura: licznik o tym numerze szukany tylko w tym lokalu."
        ),
    )


class ReadingBatchSerializer(serializers.Serializer):
    rows = ReadingRowSerializer(many=True, max_length=MAX_ROWS)


class RegisterRowSerializer(serializers.Serializer):
    """Columns of the register file import (see premises.register), one row per holder."""

    street = serializers.CharField(help_text=_("Budynek: ulica i numer."))
    premises_external_id = serializers.CharField(
        required=False,
        max_length=100,
        help_text=_("Id lokalu w systemie biura; odtąd wskazuje ten lokal w każdej paczce."),
    )
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
    premises_id = serializers.IntegerField(required=False)
    premises_external_id = serializers.CharField(required=False, help_text=PREMISES_EXTERNAL_ID)
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
    code = serializers.ChoiceField(
        choices=list(ERROR_CODES),
        help_text=_("Kod błędu dla programu:") + "\n" + codes_description(),
    )
    message = serializers.CharField(help_text=_("Opis błędu po polsku, dla człowieka."))


class BatchResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField(help_text=_("Zmienione (wspólnoty, ogłoszenia)."))
    unchanged = serializers.IntegerField()
    batch_id = serializers.IntegerField(allow_null=True)
    ids = serializers.DictField(
        child=serializers.IntegerField(),
        required=False,
        help_text=_("Identyfikator zewnętrzny → id w Strefie (wspólnoty, ogłoszenia)."),
    )


class CommunityRowSerializer(serializers.Serializer):
    external_id = serializers.CharField(
        max_length=100, help_text=_("Id wspólnoty w systemie biura.")
    )
    id = serializers.IntegerField(
        required=False,
        help_text=_(
            "Id istniejącej wspólnoty w Strefie – tylko przy pierwszym nadaniu external_id."
        ),
    )
    name = serializers.CharField(required=False, max_length=200)
    kind = serializers.ChoiceField(choices=Community.Kind.choices, required=False)
    nip = serializers.CharField(required=False)
    regon = serializers.CharField(required=False)
    street = serializers.CharField(required=False)
    postal_code = serializers.CharField(required=False, help_text=_("NN-NNN, np. 00-950."))
    city = serializers.CharField(required=False)
    bank_account = serializers.CharField(required=False, help_text=_("Rachunek wspólnoty (NRB)."))
    office_hours = serializers.CharField(required=False)


class CommunityBatchSerializer(serializers.Serializer):
    rows = CommunityRowSerializer(many=True, max_length=MAX_ROWS)


class AnnouncementRowSerializer(serializers.Serializer):
    external_id = serializers.CharField(
        max_length=100, help_text=_("Id ogłoszenia w systemie biura.")
    )
    title = serializers.CharField(max_length=200)
    body = serializers.CharField()
    building = serializers.CharField(
        required=False, help_text=_("Ulica i numer budynku; puste: cała wspólnota.")
    )
    pinned = serializers.BooleanField(required=False)
    publish_at = serializers.DateTimeField(required=False, help_text=_("Domyślnie: teraz."))
    expires_at = serializers.DateTimeField(required=False)


class AnnouncementBatchSerializer(serializers.Serializer):
    rows = AnnouncementRowSerializer(many=True, max_length=MAX_ROWS)


class BatchErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    errors = RowErrorSerializer(many=True)


# --- Pulls ----------------------------------------------------------------------------------


class CommunitySerializer(serializers.ModelSerializer):
    external_id = serializers.CharField(
        source="api_external_id", allow_null=True, help_text=_("Id wspólnoty w systemie biura.")
    )

    class Meta:
        model = Community
        fields = ["id", "external_id", "name", "street", "postal_code", "city"]


class ReadingSerializer(serializers.ModelSerializer):
    meter_serial_number = serializers.CharField(source="meter.serial_number")
    meter_kind = serializers.CharField(source="meter.kind")
    premises_id = serializers.IntegerField(source="meter.premises_id")
    premises_number = serializers.CharField(source="meter.premises.number")
    building = serializers.CharField(source="meter.premises.building.street")
    community_id = serializers.IntegerField(source="meter.premises.building.community_id")
    value = serializers.DecimalField(max_digits=14, decimal_places=3, coerce_to_string=True)
    photo_url = serializers.SerializerMethodField()
    updated_at = serializers.DateTimeField(
        help_text=_(
            "Ostatnia zmiana (dodanie, poprawka lub unieważnienie przez biuro: odczyt przestał "
            "obowiązywać)."
        )
    )
    invalidated_at = serializers.DateTimeField(
        allow_null=True,
        help_text=_("Kiedy biuro unieważniło odczyt (null – nie unieważniono)."),
    )

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
            "superseded_by",
            "invalidated_at",
            "created_at",
            "updated_at",
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


class ConsentHistorySerializer(serializers.Serializer):
    changed_at = serializers.DateTimeField(source="history_date")
    change = serializers.SerializerMethodField(help_text=_("given, changed lub withdrawn."))
    address = serializers.CharField()
    withdrawn_at = serializers.DateTimeField(allow_null=True)
    reason = serializers.CharField(source="history_change_reason", allow_null=True)

    def get_change(self, record) -> str:
        if record.history_type == "+":
            return "given"
        return "withdrawn" if record.withdrawn_at else "changed"


class ConsentSerializer(serializers.ModelSerializer):
    community_id = serializers.IntegerField(source="premises.building.community_id")
    building = serializers.CharField(source="premises.building.street")
    premises_number = serializers.CharField(source="premises.number")
    login = serializers.CharField(source="user.username")
    first_name = serializers.CharField(source="user.first_name")
    last_name = serializers.CharField(source="user.last_name")
    active = serializers.SerializerMethodField()
    updated_at = serializers.DateTimeField()
    history = ConsentHistorySerializer(source="api_history", many=True)

    class Meta:
        model = DeliveryConsent
        fields = [
            "id",
            "community_id",
            "building",
            "premises_id",
            "premises_number",
            "user_id",
            "login",
            "first_name",
            "last_name",
            "channel",
            "address",
            "consent_text",
            "given_at",
            "withdrawn_at",
            "active",
            "updated_at",
            "history",
        ]

    def get_active(self, consent) -> bool:
        return consent.withdrawn_at is None


class TallyLineSerializer(serializers.Serializer):
    share = serializers.SerializerMethodField(
        help_text=_("Ułamek dokładny, np. „5430/100000” (udziały albo część osób).")
    )
    percent = serializers.CharField(
        help_text=_(
            "Procent jak na stronie uchwały i w zawiadomieniu o wyniku, np. „54.30”: dwa miejsca "
            "po kropce albo tyle więcej, ile trzeba, by większość nie wyglądała na remis "
            "(„50.0003”)."
        )
    )
    count = serializers.IntegerField()

    def get_share(self, line) -> str:
        return f"{line.share.numerator}/{line.share.denominator}"


class TallySerializer(serializers.Serializer):
    unit = serializers.CharField(help_text=_("premises (udziały), owners lub members."))
    vars()["for"] = TallyLineSerializer(source="for_")  # "for" is a Python keyword
    against = TallyLineSerializer()
    abstain = TallyLineSerializer()
    not_voted = TallyLineSerializer()
    unknown_owner = TallyLineSerializer(
        source="unknown",
        help_text=_(
            "Część not_voted: lokale (przy liczeniu według udziałów) lub właściciele, których "
            "właściciel w dniu głosowania nie jest w rejestrze, choć lokal go miał (sprzedany, "
            "nabywcy nie wpisano): właściciel nieustalony, liczony jako niegłosujący."
        ),
    )
    adopted = serializers.BooleanField(
        help_text=_("Czy przy tym stanie głosów uchwała jest podjęta (większość wg sposobu).")
    )


class BallotSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="vote.pk")
    premises_id = serializers.IntegerField(source="vote.premises_id")
    premises_number = serializers.CharField(source="vote.premises.number")
    building = serializers.CharField(source="vote.premises.building.street")
    voter_id = serializers.IntegerField(source="vote.voter_id")
    voter_login = serializers.CharField(source="vote.voter.username")
    voter_name = serializers.CharField(source="vote.voter.get_full_name")
    choice = serializers.CharField(source="vote.choice")
    source = serializers.CharField(source="vote.source", help_text=_("online lub paper."))
    cast_at = serializers.DateTimeField(source="vote.cast_at")
    counted = serializers.BooleanField(help_text=_("Czy ten głos liczy się do wyniku."))
    reason = serializers.CharField(
        help_text=_("Gdy się nie liczy: lapsed (głosujący nie był uprawniony) lub superseded.")
    )


class ResolutionSerializer(serializers.ModelSerializer):
    status_label = serializers.CharField(source="get_status_display")
    counting_label = serializers.CharField(source="get_counting_display")
    outcome = serializers.SerializerMethodField(
        help_text=_("adopted / rejected po zamknięciu głosowania, inaczej null.")
    )
    updated_at = serializers.DateTimeField()
    tally = TallySerializer(source="api_tally", allow_null=True)
    ballots = BallotSerializer(source="api_ballots", many=True)

    class Meta:
        model = Resolution
        fields = [
            "id",
            "community_id",
            "number",
            "title",
            "status",
            "status_label",
            "counting",
            "counting_label",
            "voting_opens_at",
            "voting_closes_at",
            "closed_at",
            "decided_on",
            "outcome",
            "updated_at",
            "tally",
            "ballots",
        ]

    def get_outcome(self, resolution) -> str | None:
        return resolution.status if resolution.is_closed else None


class ResignationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    user_id = serializers.IntegerField()
    login = serializers.CharField(source="user.username")
    first_name = serializers.CharField(source="user.first_name")
    last_name = serializers.CharField(source="user.last_name")
    reason = serializers.CharField()
    created_at = serializers.DateTimeField()
    handled_at = serializers.DateTimeField(allow_null=True)
    updated_at = serializers.DateTimeField()
