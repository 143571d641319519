"""Background work of correspondence. Tasks take ids, re-fetch and call a service."""

from django_tasks import task

from . import fee_notices


@task()
def fee_notice_run_build(*, run_id: int, premises_ids: list[int] | None = None) -> int:
    """The run's PDF notices (or a chunk's), in the worker: 1 000 took 98 s, too long for a
    request; a big run comes in chunks that several workers take in parallel."""
    return fee_notices.fee_notice_run_build(run_id=run_id, premises_ids=premises_ids)
