"""Data export (RODO art. 15 and 20): the person's own data from every app, as JSON.

One small function per app builds its section. Each reads only rows tied to the person (their
own acts: readings they submitted, failures they reported, votes they cast, letters addressed to
them) or, for money, their current premises through the app's selectors. Nothing about other
people goes out: no other person's contact data, no office staff names, no payer accounts
(a payment may come from someone else), no password hash. A fixed number of queries, however
much data there is.
"""

import datetime
import json
from decimal import Decimal

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Prefetch
from django.utils import timezone

from community.models import Vote
from correspondence.models import DeliveryConsent, Letter, ThreadMessage
from correspondence.selectors import threads_for_user
from failures.models import FailureReport, FailureStatusChange
from finance.selectors import charges_for_user, payments_for_user
from meters.models import Reading
from premises.models import CommunityRole, Ownership

from .models import ResignationRequest, User

FORMAT_VERSION = 1


def _dt(value: datetime.datetime | None) -> str | None:
    return timezone.localtime(value).isoformat() if value else None


def _d(value: datetime.date | None) -> str | None:
    return value.isoformat() if value else None


def _money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def _premises(premises) -> dict | None:
    if premises is None:
        return None
    return {
        "address": premises.building.address,
        "number": premises.number,
        "kind": premises.get_kind_display(),
    }


# --- accounts / premises ---------------------------------------------------------------------


def profile_section(user: User) -> dict:
    return {
        "login": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "phone": user.phone,
        "correspondence_address": user.correspondence_address,
        "account_created_at": _dt(user.date_joined),
        "login_issued_at": _dt(user.login_issued_at),
        "statement_received_at": _dt(user.statement_received_at),
        "last_login": _dt(user.last_login),
        "account_state": str(user.account_state),
        "deactivated_at": _dt(user.deactivated_at),
    }


def ownerships_section(user: User) -> list[dict]:
    """Every role the person holds or held, current and past (1 query)."""
    ownerships = (
        Ownership.objects.filter(user=user)
        .select_related("premises__building__community")
        .order_by("valid_from", "pk")
    )
    return [
        {
            "community": o.premises.building.community.name,
            "premises": _premises(o.premises),
            "role": o.get_role_display(),
            "valid_from": _d(o.valid_from),
            "valid_to": _d(o.valid_to),
            "is_correspondence_recipient": o.is_correspondence_recipient,
        }
        for o in ownerships
    ]


def community_roles_section(user: User) -> list[dict]:
    roles = CommunityRole.objects.filter(user=user).select_related("community").order_by("pk")
    return [
        {"community": r.community.name, "role": r.get_role_display(), "function": r.function}
        for r in roles
    ]


def resignations_section(user: User) -> list[dict]:
    requests = ResignationRequest.objects.filter(user=user).order_by("created_at", "pk")
    return [
        {"created_at": _dt(r.created_at), "reason": r.reason, "handled_at": _dt(r.handled_at)}
        for r in requests
    ]


# --- finance ---------------------------------------------------------------------------------


def finance_section(user: User) -> dict:
    """Charges and payments of the premises the person currently holds (2 queries)."""
    charges = charges_for_user(user).select_related("premises__building").order_by("due_date", "pk")
    payments = (
        payments_for_user(user).select_related("premises__building").order_by("booked_on", "pk")
    )
    return {
        "charges": [
            {
                "premises": _premises(c.premises),
                "category": c.get_category_display(),
                "title": c.title,
                "period": _d(c.period),
                "due_date": _d(c.due_date),
                "amount": _money(c.amount),
            }
            for c in charges
        ],
        "payments": [
            {
                "premises": _premises(p.premises),
                "booked_on": _d(p.booked_on),
                "amount": _money(p.amount),
                "title": p.title,
                "source": p.get_source_display(),
            }
            for p in payments
        ],
    }


# --- meters ----------------------------------------------------------------------------------


def meters_section(user: User) -> list[dict]:
    """Readings the person submitted, wherever and whenever (1 query)."""
    readings = (
        Reading.objects.filter(submitted_by=user)
        .select_related("meter__premises__building")
        .order_by("read_on", "pk")
    )
    return [
        {
            "premises": _premises(r.meter.premises),
            "meter_kind": r.meter.get_kind_display(),
            "meter_serial_number": r.meter.serial_number,
            "read_on": _d(r.read_on),
            "value": str(r.value),
            "unit": r.meter.get_unit_display(),
            "submitted_at": _dt(r.created_at),
            "is_current": r.is_current,
            "with_photo": bool(r.photo),
        }
        for r in readings
    ]


# --- failures --------------------------------------------------------------------------------


def failures_section(user: User) -> list[dict]:
    """Failures the person reported, with their status history (2 queries)."""
    reports = (
        FailureReport.objects.filter(reporter=user)
        .select_related("building", "premises__building")
        .prefetch_related(
            Prefetch(
                "status_changes",
                queryset=FailureStatusChange.objects.order_by("changed_at", "pk"),
            )
        )
        .order_by("created_at", "pk")
    )
    return [
        {
            "number": f.number,
            "building": f.building.address,
            "premises": _premises(f.premises),
            "description": f.description,
            "contact_phone": f.contact_phone,
            "status": f.get_status_display(),
            "reported_at": _dt(f.created_at),
            "status_history": [
                {
                    "status": change.get_to_status_display(),
                    "changed_at": _dt(change.changed_at),
                    "comment": change.comment,
                }
                for change in f.status_changes.all()
            ],
        }
        for f in reports
    ]


# --- correspondence --------------------------------------------------------------------------


def letters_section(user: User) -> list[dict]:
    """Published letters addressed to the person by name (2 queries)."""
    letters = (
        Letter.objects.published()
        .filter(recipient=user)
        .select_related("community", "premises__building")
        .prefetch_related("attachments")
        .order_by("published_at", "pk")
    )
    return [
        {
            "community": letter.community.name,
            "premises": _premises(letter.premises),
            "kind": letter.get_kind_display(),
            "subject": letter.subject,
            "body": letter.body,
            "published_at": _dt(letter.published_at),
            "first_opened_at": _dt(letter.first_opened_at),
            "delivery_channel": letter.get_delivery_channel_display(),
            "delivery_address": letter.delivery_address,
            "attachments": [a.name for a in letter.attachments.all()],
        }
        for letter in letters
    ]


def messages_section(user: User) -> list[dict]:
    """The person's messages to the office and the replies; no staff names (2 queries)."""
    messages = ThreadMessage.objects.prefetch_related("attachments").order_by("created_at", "pk")
    threads = (
        threads_for_user(user)
        .prefetch_related(Prefetch("messages", queryset=messages))
        .order_by("created_at", "pk")
    )
    return [
        {
            "subject": t.subject,
            "premises": _premises(t.premises),
            "status": t.get_status_display(),
            "created_at": _dt(t.created_at),
            "messages": [
                {
                    "from_office": m.from_office,
                    "body": m.body,
                    "sent_at": _dt(m.created_at),
                    "attachments": [a.name for a in m.attachments.all()],
                }
                for m in t.messages.all()
            ],
        }
        for t in threads
    ]


def consents_section(user: User) -> list[dict]:
    """Every e-delivery / SMS consent the person gave, withdrawn ones too (1 query)."""
    consents = (
        DeliveryConsent.objects.filter(user=user)
        .select_related("premises__building")
        .order_by("given_at", "pk")
    )
    return [
        {
            "premises": _premises(c.premises),
            "channel": c.get_channel_display(),
            "address": c.address,
            "consent_text": c.consent_text,
            "given_at": _dt(c.given_at),
            "withdrawn_at": _dt(c.withdrawn_at),
        }
        for c in consents
    ]


# --- community -------------------------------------------------------------------------------


def votes_section(user: User) -> list[dict]:
    """Votes the person cast on resolutions (1 query)."""
    votes = (
        Vote.objects.filter(voter=user)
        .select_related("resolution__community", "premises__building")
        .order_by("cast_at", "pk")
    )
    return [
        {
            "community": v.resolution.community.name,
            "resolution_number": v.resolution.number,
            "resolution_title": v.resolution.title,
            "premises": _premises(v.premises),
            "choice": v.get_choice_display(),
            "cast_at": _dt(v.cast_at),
            "source": v.get_source_display(),
            "receipt_code": v.receipt_code,
        }
        for v in votes
    ]


# --- the whole file --------------------------------------------------------------------------


def personal_data_export(user: User) -> dict:
    return {
        "format_version": FORMAT_VERSION,
        "generated_at": _dt(timezone.now()),
        "profile": profile_section(user),
        "ownerships": ownerships_section(user),
        "community_roles": community_roles_section(user),
        "finance": finance_section(user),
        "meter_readings": meters_section(user),
        "failure_reports": failures_section(user),
        "letters": letters_section(user),
        "messages_to_office": messages_section(user),
        "delivery_consents": consents_section(user),
        "votes": votes_section(user),
        "resignation_requests": resignations_section(user),
    }


def personal_data_json(user: User) -> str:
    return json.dumps(
        personal_data_export(user), cls=DjangoJSONEncoder, ensure_ascii=False, indent=2
    )


def export_filename(today: datetime.date | None = None) -> str:
    today = today or timezone.localdate()
    return f"strefa-moje-dane-{today.isoformat()}.json"
