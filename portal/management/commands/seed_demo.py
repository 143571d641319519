from django.core.management.base import BaseCommand

from portal.demo import seed_all


class Command(BaseCommand):
    help = "Wczytuje dane demonstracyjne (można uruchamiać wielokrotnie) i wypisuje loginy."

    def handle(self, *args, **options):
        ctx = seed_all()
        self.stdout.write(self.style.SUCCESS("Dane demonstracyjne gotowe. Loginy demo:"))
        for login, password, who in ctx.logins:
            self.stdout.write(f"  login: {login:<10} hasło: {password}   ({who})")
        self.stdout.write(
            "Portal: http://127.0.0.1:8000/   Biuro (admin): http://127.0.0.1:8000/admin/"
        )
