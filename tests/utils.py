from django.db import connection
from django.test.utils import CaptureQueriesContext


def count_queries(client, path: str) -> int:
    """Number of SQL queries one GET of ``path`` runs (it must answer 200)."""
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200, response.status_code
    return len(ctx.captured_queries)
