"""Writes to the shared core that touch several rows or send e-mail."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, models, transaction
from django.urls import reverse
from django.utils import timezone

from pace_hub.background import enqueue
from pace_hub.models import Invitation, Membership, Organisation
from pace_hub.roles import Role

User = get_user_model()


@transaction.atomic
def invitation_create(
    *, organisation: Organisation, invited_by, email: str, role: str, job_title: str = "", base_url: str = ""
) -> Invitation:
    invitation = Invitation.objects.create(
        organisation=organisation, invited_by=invited_by, email=email.lower(), role=role, job_title=job_title
    )
    link = (base_url or settings.SITE_URL).rstrip("/") + reverse("invitation_accept", args=[invitation.token])
    enqueue("pace_hub.tasks.send_invitation", invitation.pk, link)
    return invitation


@transaction.atomic
def invitation_accept(
    *, invitation: Invitation, user=None, first_name: str = "", last_name: str = "", password: str = ""
) -> Membership:
    """Join the organisation, creating the account when the invited address has none."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_open:
        raise ValidationError("This invitation has expired or has already been used.")
    if user is None:
        if account_exists(email=invitation.email):
            raise ValidationError(f"{invitation.email} already has an account: sign in to accept the invitation.")
        try:
            with transaction.atomic():
                user = User.objects.create_user(
                    username=invitation.email,
                    email=invitation.email,
                    password=password,
                    first_name=first_name,
                    last_name=last_name,
                )
        except IntegrityError:  # the account was made a moment ago, by a second click or tab
            raise ValidationError(
                f"{invitation.email} already has an account: sign in to accept the invitation."
            ) from None
    membership, _ = Membership.objects.get_or_create(
        user=user,
        organisation=invitation.organisation,
        defaults={"role": invitation.role, "job_title": invitation.job_title},
    )
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at", "updated_at"])
    return membership


def account_exists(*, email: str) -> bool:
    """Whether an account already uses this address (as its e-mail or its sign-in name)."""
    return User.objects.filter(models.Q(email__iexact=email) | models.Q(username__iexact=email)).exists()


def _ensure_an_admin_remains(membership: Membership, new_role: str | None) -> None:
    if membership.role != Role.ADMIN or new_role == Role.ADMIN:
        return
    others = Membership.objects.filter(organisation=membership.organisation, role=Role.ADMIN).exclude(pk=membership.pk)
    if not others.exists():
        raise ValidationError("An organisation needs at least one admin: make someone else admin first.")


@transaction.atomic
def membership_update(*, membership: Membership, **fields) -> Membership:
    _ensure_an_admin_remains(membership, fields.get("role", membership.role))
    for name, value in fields.items():
        setattr(membership, name, value)
    membership.save()
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership) -> None:
    _ensure_an_admin_remains(membership, None)
    membership.delete()


@transaction.atomic
def invitation_send(*, invitation_id: int, link: str) -> None:
    """Send the invitation e-mail, once: a task delivered again (its worker was lost, or the outbox
    sent it twice) finds it sent and does nothing; an invitation deleted meanwhile needs none."""
    invitation = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("organisation", "invited_by")
        .filter(pk=invitation_id)
        .first()
    )
    if invitation is None or invitation.email_sent_at is not None:
        return
    inviter = invitation.invited_by
    name = (inviter.get_full_name() or inviter.email) if inviter else "Your PACE Lead"
    send_mail(
        subject=f"You are invited to {invitation.organisation.name} on PACE Hub",
        message=(
            f"{name} has invited you to join {invitation.organisation.name}'s PACE workspace as "
            f"{invitation.get_role_display().lower()}.\n\nAccept the invitation and choose a password:\n"
            f"{link}\n\nThe link works for 14 days."
        ),
        from_email=None,
        recipient_list=[invitation.email],
    )
    Invitation.objects.filter(pk=invitation.pk).update(email_sent_at=timezone.now())


def invitations_purge_expired() -> int:
    """Unused invitations a month past expiry carry nothing worth keeping."""
    cutoff = timezone.now() - timedelta(days=30)
    deleted, _ = Invitation.objects.filter(accepted_at__isnull=True, expires_at__lt=cutoff).delete()
    return deleted
