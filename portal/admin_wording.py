"""English labels of the admin add-ons that office staff see, translated in Strefa's catalogue.

django-simple-history (the history page) and django-import-export (the export page) have no
Polish for these msgids (import-export's is marked fuzzy and says "import" for an export).
Listing them here puts them into locale/pl/LC_MESSAGES/django.po (`make messages`), whose
translations win over the add-ons' (LOCALE_PATHS come first).
"""

from django.utils.translation import gettext_noop

ADMIN_ADDON_MSGIDS = [
    gettext_noop("Change reason"),
    gettext_noop("Select all"),
    gettext_noop("This exporter will export the following fields: "),
    # django-tasks' database queue (superusers see it in admin).
    gettext_noop("Task Result"),
    gettext_noop("Task Results"),
    gettext_noop("enqueued at"),
    gettext_noop("started at"),
    gettext_noop("finished at"),
    gettext_noop("args kwargs"),
    gettext_noop("priority"),
    gettext_noop("task path"),
    gettext_noop("worker id"),
    gettext_noop("queue name"),
    gettext_noop("backend name"),
    gettext_noop("run after"),
    gettext_noop("return value"),
    gettext_noop("exception class path"),
    gettext_noop("traceback"),
]
