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
]
