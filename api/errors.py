"""The one table of the machine-readable codes of batch errors.

A row error carries its code from where it is raised (``lib.imports.RowError``: the charge,
payment and reading parsers set it at each check); Django's model validation (communities,
announcements, the register) gets it from the field and Django's own error code. The codes are
never guessed from the Polish message. The table is documented in ``docs/api.md`` and is the
enum of ``code`` in the OpenAPI schema.
"""

from django.utils.translation import gettext_lazy as _

ERROR_CODES: dict[str, str] = {
    # The request as a whole
    "invalid_body": _("Treść zapytania nie jest obiektem z listą „rows”."),
    "too_many_rows": _("Więcej niż 10 000 wierszy w jednej paczce."),
    "too_large": _("Treść zapytania większa niż 10 MB (odpowiedź 413)."),
    "conflict_retry": _("Ktoś zapisał te dane w międzyczasie; wyślij paczkę ponownie."),
    "row_too_wide": _("Wiersz pliku ma więcej pól niż nagłówek."),
    # Naming objects
    "external_id_missing": _("Brak identyfikatora z systemu biura (external_id)."),
    "external_id_conflict": _("Identyfikator zewnętrzny należy już do innego obiektu."),
    "duplicate_in_batch": _("Ten sam obiekt (lub identyfikator) dwa razy w jednej paczce."),
    "community_not_found": _("Wspólnota spoza wspólnot klucza."),
    "building_not_found": _("Budynek spoza wspólnoty."),
    "premises_missing": _("Nie podano lokalu."),
    "premises_not_found": _("Lokal nie istnieje w tej wspólnocie."),
    "premises_ambiguous": _("Numer lokalu jest w kilku budynkach; podaj budynek."),
    "not_permitted": _("Klucz nie może tego zrobić (np. założyć wspólnoty)."),
    "no_company": _("Brak danych zarządcy w panelu biura."),
    # Charges and payments
    "invalid_category": _("Nieznana kategoria naliczenia."),
    "invalid_fund": _("Nieznany fundusz."),
    "invalid_period": _("Nieprawidłowy okres (miesiąc)."),
    "invalid_amount": _("Nieprawidłowa kwota."),
    "zero_amount": _("Kwota zerowa."),
    "non_positive_amount": _("Kwota wpłaty nie jest dodatnia."),
    "invalid_date": _("Nieprawidłowa data (lub data i godzina)."),
    "missing_date_or_amount": _("Brak daty lub kwoty."),
    "invalid_account": _("Nieprawidłowy numer rachunku (NRB/IBAN)."),
    "account_unknown": _("Rachunek odbiorcy nie należy do żadnej wspólnoty klucza."),
    "conflict_with_booked": _("Już zaksięgowane z inną kwotą; wyślij korektę."),
    # Meter readings
    "meter_missing": _("Brak numeru licznika."),
    "meter_not_found": _("Nie ma licznika o tym numerze zamontowanego w dniu odczytu."),
    "meter_ambiguous": _("Kilka liczników o tym numerze."),
    "invalid_value": _("Nieprawidłowy stan licznika."),
    "reading_future": _("Data odczytu z przyszłości."),
    "reading_negative": _("Stan licznika ujemny."),
    "reading_before_window": _("Data odczytu przed bieżącym okresem odczytów."),
    "reading_before_install": _("Odczyt sprzed montażu licznika."),
    "reading_precision": _("Za dużo cyfr po przecinku dla tego licznika."),
    "reading_duplicate_day": _("Licznik ma już inny odczyt z tego dnia."),
    "reading_lower_than_previous": _("Stan niższy od poprzedniego odczytu."),
    "reading_lower_than_initial": _("Stan niższy od stanu początkowego licznika."),
    "reading_higher_than_following": _("Stan wyższy od późniejszego odczytu."),
    # Register, communities, announcements (model validation)
    "required_field": _("Brak wymaganego pola."),
    "invalid_field": _("Nieprawidłowa wartość pola."),
    "invalid_kind": _("Nieznany rodzaj (lokalu, wspólnoty, pisma)."),
    "invalid_role": _("Nieznana rola osoby."),
    "invalid_share": _("Nieprawidłowy udział."),
    "invalid_area": _("Nieprawidłowa powierzchnia."),
    "invalid_persons": _("Nieprawidłowa liczba osób."),
    "invalid_phone": _("Nieprawidłowy numer telefonu."),
    "invalid_email": _("Nieprawidłowy adres e-mail."),
    "invalid_postal_code": _("Nieprawidłowy kod pocztowy."),
    "invalid_nip": _("Nieprawidłowy NIP."),
    "invalid_regon": _("Nieprawidłowy REGON."),
    "recipient_taken": _("Lokal ma już innego adresata korespondencji."),
    "owner_not_in_file": _(
        "Nowy właściciel lokalu, a dotychczasowego nie ma w paczce (sprzedaż bez daty „Do”)."
    ),
    # Letters
    "no_recipient": _("Lokal nie ma właściciela, do którego można pisać."),
    "invalid_subject": _("Brak tematu pisma lub za długi."),
    "invalid_attachment": _("Załącznik nie jest poprawnym plikiem PDF w base64."),
    # Anything not named above
    "invalid": _("Inny błąd; szczegóły w komunikacie."),
}

# Model fields whose errors have their own code; Django's "blank"/"required" is required_field.
FIELD_CODES = {
    "postal_code": "invalid_postal_code",
    "nip": "invalid_nip",
    "regon": "invalid_regon",
    "bank_account": "invalid_account",
    "kind": "invalid_kind",
    "role": "invalid_role",
    "area": "invalid_area",
    "persons": "invalid_persons",
    "share": "invalid_share",
    "phone": "invalid_phone",
    "email": "invalid_email",
    "valid_from": "invalid_date",
    "valid_to": "invalid_date",
    "publish_at": "invalid_date",
    "expires_at": "invalid_date",
    "building": "building_not_found",
    "recipient": "recipient_taken",
}
REQUIRED = {"blank", "null", "required"}


def field_error_code(field_name: str, django_code: str | None) -> str:
    if django_code in REQUIRED:
        return "required_field"
    return FIELD_CODES.get(field_name, "invalid_field")


def error_code(message) -> str:
    """The code a row error carries (``lib.imports.RowError``), ``invalid`` if it has none."""
    code = getattr(message, "code", "invalid")
    return code if code in ERROR_CODES else "invalid"


def codes_description() -> str:
    """The table as Markdown, for the schema's description of ``code``."""
    return "\n".join(f"- `{code}`: {text}" for code, text in ERROR_CODES.items())
