"""Writes on the register done by the office."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from .models import Ownership, Premises


@transaction.atomic
def ownership_add(*, user, premises, role: str, valid_from=None) -> Ownership:
    """Record that a person holds a premises (owner, co-owner, tenant, member) from a day."""
    return Ownership.objects.create(
        user=user, premises=premises, role=role, valid_from=valid_from or timezone.localdate()
    )


@transaction.atomic
def premises_sell(
    *, premises: Premises, last_day: datetime.date, buyers, role: str
) -> tuple[list[Ownership], list[Ownership]]:
    """A sale: every owner's role held on ``last_day`` ends that day, the buyers hold the
    premises in ``role`` from the next day. Returns (ended, started); all or nothing.

    The seller keeps their account (and their other premises); from the next day the resident
    scope (``premises_for_user``) no longer gives them this premises or anything on it. A
    co-owner who buys the other's share is both a seller and a buyer: their holding goes on.
    Tenants are not touched.
    """
    Premises.objects.select_for_update().filter(pk=premises.pk).first()  # one sale at a time
    buyers = list(buyers)
    if role not in Ownership.OWNER_ROLES:
        raise ValidationError(_("Nabywca może być właścicielem, współwłaścicielem albo członkiem."))
    if not buyers:
        raise ValidationError(_("Wskaż nabywcę."))
    owners = Ownership.objects.filter(premises=premises, role__in=Ownership.OWNER_ROLES)
    ended = list(owners.current(last_day).select_related("user"))
    if not ended:
        raise ValidationError(
            _("W dniu %(day)s lokal nie ma właściciela, którego prawo można zakończyć.")
            % {"day": formats.date_format(last_day, "d.m.Y")}
        )
    later = owners.filter(valid_from__gt=last_day)
    # A buyer the office added with this premises before recording the sale (Osoby → Dodaj)
    # already has a role starting after the last day: it is moved, not doubled.
    recorded = {o.user_id: o for o in later.filter(user__in=buyers).order_by("-valid_from")}
    later = later.exclude(user__in=buyers).select_related("user").order_by("valid_from").first()
    if later is not None:
        raise ValidationError(
            _(
                "Lokal ma już zapisanego właściciela od %(day)s (%(person)s): popraw tamten "
                "wpis albo wybierz późniejszy dzień."
            )
            % {
                "day": formats.date_format(later.valid_from, "d.m.Y"),
                "person": later.user.get_full_name() or later.user.username,
            }
        )
    first_day = last_day + datetime.timedelta(days=1)
    recipient_ended = any(o.is_correspondence_recipient for o in ended)
    for ownership in ended:
        ownership.valid_to = last_day
        ownership.save(update_fields=["valid_to"])
    # The buyer takes over the seller's place as correspondence recipient, unless someone who
    # stays (a tenant) already is one.
    recipient_open = Ownership.objects.filter(
        premises=premises, is_correspondence_recipient=True, valid_to__isnull=True
    ).exists()
    started = []
    for i, buyer in enumerate(buyers):
        ownership = recorded.get(buyer.pk) or Ownership(user=buyer, premises=premises)
        ownership.role, ownership.valid_from = role, first_day
        if i == 0 and recipient_ended and not recipient_open:
            ownership.is_correspondence_recipient = True
        ownership.save()
        started.append(ownership)
    return ended, started
