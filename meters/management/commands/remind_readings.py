import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from meters.reminders import reading_reminders_send


class Command(BaseCommand):
    help = (
        "Przypomina mieszkańcom o otwarciu okna odczytów liczników: w dniu otwarcia okna "
        "wspólnoty wysyła każdemu jeden e-mail (i SMS, jeśli wyraził zgodę) z licznikami "
        "bez odczytu. Uruchamiaj codziennie z crona (np. o 8:00); ponowne uruchomienie nic "
        "nie wysyła drugi raz. Gdy uruchomienie w dniu otwarcia się nie odbyło, następne "
        "(póki okno jest otwarte) wysyła zaległe przypomnienia. "
        "--date RRRR-MM-DD: dla wskazanego dnia."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", help="Dzień (RRRR-MM-DD), domyślnie dziś.")

    def handle(self, *args, **options):
        today = None
        if options["date"]:
            try:
                today = datetime.date.fromisoformat(options["date"])
            except ValueError as exc:
                raise CommandError(_("Podaj datę w formacie RRRR-MM-DD.")) from exc
        count = reading_reminders_send(today=today)
        self.stdout.write(
            ngettext(
                "Przypomnienia o odczytach wysłano do %(count)d osoby.",
                "Przypomnienia o odczytach wysłano do %(count)d osób.",
                count,
            )
            % {"count": count}
        )
