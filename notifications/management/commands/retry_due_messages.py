from django.core.management.base import BaseCommand

from notifications.services import messages_retry_due


class Command(BaseCommand):
    help = "Send again the e-mails and SMS whose next attempt is due (run from cron every minute)."

    def handle(self, *args, **options):
        count = messages_retry_due()
        self.stdout.write(f"Retried {count} message(s).")
