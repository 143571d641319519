"""The office fixtures (administrator, staff and board of community A) for security tests."""

from tests.office.conftest import (  # noqa: F401 (re-exported pytest fixtures)
    admin_client_,
    board_a,
    board_client,
    office_admin,
    other_community,
    rf_request,
    staff_a,
    staff_client,
)
