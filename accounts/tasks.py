"""Background work of accounts. Tasks take ids, re-fetch and call a service."""

from django_tasks import task

from . import services


@task()
def credentials_sheet_build(*, sheet_id: int) -> str | None:
    sheet = services.credentials_sheet_build(sheet_id=sheet_id)
    return sheet.status if sheet else None
