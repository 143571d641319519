from django.core.management.base import BaseCommand
from django.utils.translation import ngettext

from notifications.services import messages_retry_due


class Command(BaseCommand):
    help = "Ponownie wysyła e-maile i SMS-y, których kolejna próba już przypada (cron co minutę)."

    def handle(self, *args, **options):
        count = messages_retry_due()
        self.stdout.write(
            ngettext(
                "Ponownie wysłano %(count)d wiadomość.",
                "Ponownie wysłano %(count)d wiadomości.",
                count,
            )
            % {"count": count}
        )
