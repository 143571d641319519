"""The Polish catalogue: three plural forms for every counted string, used at run time."""

import shutil

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.template import Context, Template
from django.utils import translation
from django.utils.translation import ngettext

from portal.management.commands.makemessages import Command as MakeMessages

CATALOGUE = settings.BASE_DIR / "locale" / "pl" / "LC_MESSAGES" / "django.po"
POLISH_PLURALS = (
    "nplurals=3; plural=(n==1 ? 0 : (n%10>=2 && n%10<=4) && (n%100<12 || n%100>14) ? 1 : 2);"
)


class _MessagesIntoTmp(MakeMessages):
    """makemessages over the real sources, merged into a copy of the catalogue."""

    target = None

    def process_files(self, file_list):
        for translatable in file_list:
            translatable.locale_dir = str(self.target)
        self.locale_paths = [str(self.target)]
        super().process_files(file_list)


@pytest.fixture(scope="module")
def merged_catalogue(tmp_path_factory):
    target = tmp_path_factory.mktemp("locale")
    shutil.copytree(CATALOGUE.parent.parent, target / "pl")
    command = _MessagesIntoTmp()
    command.target = target
    call_command(command, locale=["pl"], verbosity=0)
    return polib.pofile(str(target / "pl" / "LC_MESSAGES" / "django.po"))


def test_catalogue_declares_three_polish_plural_forms():
    catalogue = polib.pofile(str(CATALOGUE))
    assert catalogue.metadata["Plural-Forms"] == POLISH_PLURALS
    assert not catalogue.metadata_is_fuzzy  # a fuzzy header is dropped by msgfmt


def test_every_counted_string_in_the_code_has_three_polish_forms(merged_catalogue):
    plural_entries = [entry for entry in merged_catalogue if entry.msgid_plural]
    assert len(plural_entries) >= 15
    missing = [
        entry.msgid
        for entry in plural_entries
        if "fuzzy" in entry.flags
        or sorted(entry.msgstr_plural) != [0, 1, 2]
        or not all(entry.msgstr_plural.values())
    ]
    assert missing == [], "Run `make messages` and add the 3 Polish forms of: " + repr(missing)


@pytest.mark.parametrize(
    ("count", "expected"),
    [
        (1, "Aktywowano 1 konto."),
        (2, "Aktywowano 2 konta."),
        (5, "Aktywowano 5 kont."),
        (12, "Aktywowano 12 kont."),
        (22, "Aktywowano 22 konta."),
        (25, "Aktywowano 25 kont."),
    ],
)
def test_ngettext_uses_the_polish_form(count, expected):
    with translation.override("pl"):
        assert ngettext("Aktywowano %d konto.", "Aktywowano %d kont.", count) % count == expected


@pytest.mark.parametrize(
    ("count", "expected"),
    [(1, "nieprzeczytane pismo"), (3, "nieprzeczytane pisma"), (5, "nieprzeczytanych pism")],
)
def test_blocktranslate_count_uses_the_polish_form(count, expected):
    template = Template(
        "{% load i18n %}{% blocktranslate trimmed count count=n %}nieprzeczytane pismo"
        "{% plural %}nieprzeczytane pisma{% endblocktranslate %}"
    )
    with translation.override("pl"):
        assert template.render(Context({"n": count})) == expected
