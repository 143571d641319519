"""Data export (RODO art. 15 and 20): the person's own data from every app, as JSON.

One small function per app builds its section (``<app>/export.py``, named in the app's AppConfig
as ``data_export``; this module only puts them together). Each reads only rows tied to the
person (their own acts: readings they submitted, failures they reported, votes they cast,
letters addressed to them) or, for money, their current premises through the app's selectors.
Nothing about other people goes out: no other person's contact data, no office staff names, no
payer accounts (a payment may come from someone else), no password hash. A fixed number of
queries, however much data there is.
"""

import datetime
import json

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from lib.contributions import contributions
from lib.export import iso_datetime

from .models import ResignationRequest, User

FORMAT_VERSION = 1


# --- accounts ---------------------------------------------------------------------------------


def profile_section(user: User) -> dict:
    return {
        "login": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "phone": user.phone,
        "email_notifications": user.email_notifications,
        "correspondence_address": user.correspondence_address,
        "account_created_at": iso_datetime(user.date_joined),
        "login_issued_at": iso_datetime(user.login_issued_at),
        "statement_received_at": iso_datetime(user.statement_received_at),
        "last_login": iso_datetime(user.last_login),
        "account_state": str(user.account_state),
        "deactivated_at": iso_datetime(user.deactivated_at),
    }


def resignations_section(user: User) -> list[dict]:
    requests = ResignationRequest.objects.filter(user=user).order_by("created_at", "pk")
    return [
        {
            "created_at": iso_datetime(r.created_at),
            "reason": r.reason,
            "handled_at": iso_datetime(r.handled_at),
        }
        for r in requests
    ]


# --- the whole file --------------------------------------------------------------------------


def personal_data_export(user: User) -> dict:
    data = {"format_version": FORMAT_VERSION, "generated_at": iso_datetime(timezone.now())}
    for item in contributions("data_export"):
        data[item.name] = item.load()(user)
    return data


def personal_data_json(user: User) -> str:
    return json.dumps(
        personal_data_export(user), cls=DjangoJSONEncoder, ensure_ascii=False, indent=2
    )


def export_filename(today: datetime.date | None = None) -> str:
    today = today or timezone.localdate()
    return f"strefa-moje-dane-{today.isoformat()}.json"
