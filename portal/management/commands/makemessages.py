"""`makemessages` with Strefa's defaults, so `make messages` and the catalogue test agree.

The Polish catalogue (`locale/pl/LC_MESSAGES/django.po`) keeps Polish source strings as
msgids; what it adds are the three Polish plural forms of every ngettext /
`{% blocktranslate count %}` string (1 konto, 2 konta, 5 kont).
"""

from django.core.management.commands import makemessages

# Folders that hold no Strefa strings: dependencies, uploads, collected static files, tests.
IGNORED = ["node_modules", "media", "staticfiles", "tests", "test-results", "*.egg-info"]


class Command(makemessages.Command):
    def handle(self, *args, **options):
        options["ignore_patterns"] = [*options.get("ignore_patterns", []), *IGNORED]
        options["no_obsolete"] = True
        # File names without line numbers: the catalogue does not churn on every edit.
        if options.get("add_location") is None:
            options["add_location"] = "file"
        return super().handle(*args, **options)
