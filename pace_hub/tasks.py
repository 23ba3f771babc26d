"""Background work of the shared core: thin wrappers that take ids and call services."""

from celery import shared_task

from pace_hub import background, services


@shared_task
def send_invitation(invitation_id: int, link: str) -> None:
    services.invitation_send(invitation_id=invitation_id, link=link)


@shared_task
def purge_expired_invitations() -> int:
    return services.invitations_purge_expired()


@shared_task
def outbox_sweep() -> int:
    return background.outbox_sweep()
