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
