from django.core.management.base import BaseCommand

from office.roles import groups_sync, roles_sync_all


class Command(BaseCommand):
    help = "Tworzy grupy ról biura (administrator, pracownik, zarząd) i przypisuje do nich osoby."

    def handle(self, *args, **options):
        groups = groups_sync()
        people = roles_sync_all()
        for name, group in groups.items():
            self.stdout.write(f"{name}: liczba uprawnień {group.permissions.count()}")
        self.stdout.write(self.style.SUCCESS(f"Zsynchronizowano role, liczba osób: {people}."))
