"""A list filter offers only choices of the staff member's communities: the ledger's import
filter named every community's bank statement and charge files."""

import pytest

from finance.models import ImportBatch

pytestmark = pytest.mark.django_db


@pytest.fixture
def imports(office_admin, community, other_community):
    mine = ImportBatch.objects.create(
        kind=ImportBatch.Kind.CHARGES,
        community=community,
        file_name="naliczenia-nasze.csv",
        file_sha256="a" * 64,
        created_by=office_admin,
    )
    theirs = ImportBatch.objects.create(
        kind=ImportBatch.Kind.BANK_CSV,
        community=other_community,
        file_name="wyciag-WM-Obca-zaleglosci.csv",
        file_sha256="b" * 64,
        created_by=office_admin,
    )
    return mine, theirs


@pytest.mark.parametrize("url", ["/admin/finance/charge/", "/admin/finance/payment/"])
def test_import_filter_offers_only_own_communities_files(staff_client, imports, url):
    page = staff_client.get(url).content.decode()
    assert "naliczenia-nasze.csv" in page
    assert "wyciag-WM-Obca-zaleglosci.csv" not in page


@pytest.mark.parametrize("url", ["/admin/finance/charge/", "/admin/finance/payment/"])
def test_office_administrator_filters_by_every_import(admin_client_, imports, url):
    page = admin_client_.get(url).content.decode()
    assert "naliczenia-nasze.csv" in page
    assert "wyciag-WM-Obca-zaleglosci.csv" in page
