from django.core.management.base import BaseCommand

from community.services import announcements_notify_due, resolutions_close_due


class Command(BaseCommand):
    help = "Powiadamia o opublikowanych ogłoszeniach i zamyka głosowania po terminie."

    def handle(self, *args, **options):
        notified = announcements_notify_due()
        closed = resolutions_close_due()
        self.stdout.write(f"Powiadomieni mieszkańcy: {notified}; zamknięte głosowania: {closed}.")
