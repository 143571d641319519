"""Formula injection: no exported CSV/XLSX cell is ever run as a formula by a spreadsheet."""

import csv
import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.contrib import admin
from django.urls import reverse

from lib.spreadsheets import escape_formula
from office.admin_mixins import CommunityScopedAdminMixin
from tests.factories import MeterFactory, ReadingFactory

pytestmark = pytest.mark.django_db

EVIL_EMAIL = "=cmd|'/Ccalc'!A0@example.com"


@pytest.mark.parametrize(
    "cell",
    ["=1+2", "+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0", "@SUM(1+1)", "\t=1", "\r=1"],
)
def test_cells_that_start_a_formula_are_shown_as_text(cell):
    assert escape_formula(cell) == "'" + cell


@pytest.mark.parametrize(
    "cell", ["-12,50", "+48 601 200 300", "104.25", "Nowak", "", 5, Decimal("-3.5"), None]
)
def test_numbers_and_plain_text_stay_as_they_are(cell):
    assert escape_formula(cell) == cell


def _export_people(client, file_format):
    fields = ["login", "first_name", "last_name", "email", "phone"]
    data = {"format": file_format, "resource": "0"}
    data.update({f"peopleexportresource_{f}": "on" for f in fields})
    return client.post("/admin/accounts/user/export/", data)


def test_people_csv_export_escapes_a_residents_formula_email(staff_client, resident):
    resident.email = EVIL_EMAIL
    resident.last_name = "@Nowak"
    resident.save()
    response = _export_people(staff_client, "1")
    assert response["Content-Type"].startswith("text/csv")
    body = response.content.decode("utf-8-sig")
    assert "'=cmd|" in body and "'@Nowak" in body
    assert ",=cmd" not in body and ",@Nowak" not in body


def test_people_xlsx_export_has_no_formula_cell(staff_client, resident):
    resident.email = EVIL_EMAIL
    resident.save()
    response = _export_people(staff_client, "0")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert not [cell.value for cell in cells if cell.data_type == "f"]
    assert "'" + EVIL_EMAIL in [cell.value for cell in cells]


def test_premises_xlsx_export_leaves_numbers_unprefixed(staff_client, premises):
    fields = ["street", "number", "area", "persons"]
    data = {"format": "0", "resource": "0"}
    data.update({f"premisesexportresource_{f}": "on" for f in fields})
    response = staff_client.post("/admin/premises/premises/export/", data)
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    row = list(next(sheet.iter_rows(min_row=2)))
    assert all(cell.data_type != "f" for cell in row)
    assert str(row[3].value) == str(premises.persons)


def test_meter_readings_csv_escapes_text_cells(admin_client_, premises):
    meter = MeterFactory(premises=premises, serial_number='=HYPERLINK("http://x")')
    meter.location = "+cmd|' /C calc'!A0"
    meter.save()
    ReadingFactory(meter=meter, read_on=datetime.date(2025, 5, 21), value=Decimal("104.25"))
    response = admin_client_.get(
        reverse("admin:meters_reading_export"),
        {"community": premises.building.community.pk, "month": "2025-05"},
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert len(rows) == 2, rows
    assert '\'=HYPERLINK("http://x")' in rows[1] and "'+cmd|' /C calc'!A0" in rows[1]
    assert "104,250" in rows[1]


def test_every_admin_export_goes_through_the_escaping_mixin():
    exporting = [
        model._meta.label
        for model, model_admin in admin.site._registry.items()
        if hasattr(model_admin, "get_data_for_export")
    ]
    assert exporting
    for model, model_admin in admin.site._registry.items():
        if hasattr(model_admin, "get_data_for_export"):
            assert isinstance(model_admin, CommunityScopedAdminMixin), model._meta.label
