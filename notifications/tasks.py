"""Background work of the outbox. Tasks take ids, re-fetch and call a service."""

from django_tasks import task

from . import services


@task()
def send_message(*, message_id: int) -> str | None:
    message = services.message_send(message_id=message_id)
    return message.status if message else None


@task()
def retry_due_messages() -> int:
    return services.messages_retry_due()


@task()
def send_messages(*, message_ids: list[int]) -> int:
    """Send many queued messages (a reminder run): each claimed on its own, so a message
    another worker holds is skipped, and one that fails is retried by ``retry_due_messages``."""
    return services.messages_send(message_ids=message_ids)
