import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from finance.reminders import days_before, payment_reminders_send


class Command(BaseCommand):
    help = (
        "Przypomina o terminie płatności: N dni (PAYMENT_REMINDER_DAYS_BEFORE, domyślnie 3) "
        "przed dniem płatności wspólnoty wysyła każdemu lokalowi z kwotą do zapłaty jedną "
        "wiadomość z kwotą, terminem i indywidualnym rachunkiem (e-mail; SMS za zgodą). "
        "Uruchamiaj codziennie z crona; jeden lokal dostaje przypomnienie raz w miesiącu. "
        "Gdy uruchomienie w dniu przypomnienia się nie odbyło, następne (do terminu płatności "
        "włącznie) wysyła zaległe przypomnienia; po terminie już nie. "
        "--date RRRR-MM-DD: dla wskazanego dnia (testy, uzupełnianie)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", help="Dzień (RRRR-MM-DD), domyślnie dziś.")
        parser.add_argument("--days", help="Ile dni przed terminem (domyślnie z ustawień).")

    def handle(self, *args, **options):
        today = None
        if options["date"]:
            try:
                today = datetime.date.fromisoformat(options["date"])
            except ValueError as exc:
                raise CommandError(_("Podaj datę w formacie RRRR-MM-DD.")) from exc
        days = days_before()
        if options["days"] is not None:
            try:
                days = int(options["days"])
            except ValueError as exc:
                raise CommandError(_("Liczba dni musi być liczbą całkowitą, np. 3.")) from exc
        if days < 0:
            raise CommandError(_("Liczba dni nie może być ujemna."))
        count = payment_reminders_send(today=today, days=days)
        self.stdout.write(
            ngettext(
                "Przypomnienia o płatności wysłano dla %(count)d lokalu.",
                "Przypomnienia o płatności wysłano dla %(count)d lokali.",
                count,
            )
            % {"count": count}
        )
