"""Payment reminders with each holder's own amount (run daily by cron; also the office's SMS).

``PAYMENT_REMINDER_DAYS_BEFORE`` days (default 3) before a community's due day, every premises
with an amount due on that day (arrears plus the charges falling due by then, minus payments)
gets one reminder per month (a run missed on that day is caught up by the next one, until the
deadline; never after it): to its designated correspondence recipient, else to each owner
(an owner whose holding starts before the deadline, a buyer, counts too); by e-mail where
the person has one, by SMS where they consented and the community has SMS on. A community
that switched payment reminders off (``Community.payment_reminders_enabled``) gets none, from
the daily run, its catch-up or the office's SMS.

Every amount is the recipient's own: counted within their holding period
(``finance.selectors.balances_for_holders``), so a buyer is never reminded of the seller's debt,
and per fund where a fund has its own account. The date shown is the real deadline: a due day
on a Saturday, Sunday or holiday moves to the next working day (art. 115 k.c.).
"""

import datetime
from collections import defaultdict

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications.models import Message, ReminderSent
from notifications.services import (
    Notice,
    messages_queue_many,
    notify_channels,
    notify_many,
    reminders_record,
    sms_addresses,
)
from portal.templatetags.strefa import format_money
from premises.models import Community, Ownership, Premises
from premises.validators import format_nrb

from .selectors import PremisesBalance, balances_for_holders, due_date_for, payment_deadline

TEMPLATE = "finance/email/payment_reminder"
DEFAULT_DAYS_BEFORE = 3
SMS = Message.Channel.SMS
CHUNK = 1000  # premises reminded in one transaction


def days_before() -> int:
    return int(getattr(settings, "PAYMENT_REMINDER_DAYS_BEFORE", DEFAULT_DAYS_BEFORE))


def payment_recipients(
    premises_ids, on: datetime.date, until: datetime.date | None = None
) -> dict[int, list]:
    """Per premises: its designated correspondence recipient, else each owner, among the
    owners on ``on``; with ``until``, also among those whose holding starts after ``on`` and
    by ``until`` (a buyer whose first charge falls due by then is reminded of it).

    The designated recipient is chosen among the owners holding on the same day: a seller
    designated for their own account never stands in for the buyer.
    """
    until = until or on
    holders = (
        Ownership.objects.filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=on),
            premises_id__in=list(premises_ids),
            role__in=Ownership.OWNER_ROLES,
            user__is_active=True,
            valid_from__lte=until,
        )
        .select_related("user")
        .order_by("premises_id", "valid_from", "pk")
    )
    owners, designated = defaultdict(list), defaultdict(list)
    for ownership in holders:
        # The owners on ``on``, then the new ones who start later (the buyers).
        key = (ownership.premises_id, ownership.valid_from > on)
        if ownership.user not in owners[key]:
            owners[key].append(ownership.user)
        if ownership.is_correspondence_recipient and ownership.user not in designated[key]:
            designated[key].append(ownership.user)
    recipients = defaultdict(list)
    for key, users in owners.items():
        for user in designated.get(key) or users:
            if user not in recipients[key[0]]:
                recipients[key[0]].append(user)
    return dict(recipients)


def holder_balances(premises_qs, on: datetime.date, today: datetime.date, *, amount: str):
    """``{premises: [(balance, users)]}`` of the recipients whose own ``amount`` is positive.

    ``amount`` is ``"amount_due"`` (due by ``on``) or ``"arrears"`` (past the deadline). The
    recipients are the owners from ``today`` to ``on``: a buyer whose holding starts before
    the deadline is reminded of their own charge due by then.
    """
    premises_ids = list(premises_qs.values_list("pk", flat=True))
    recipients = payment_recipients(premises_ids, on=today, until=on)
    by_premises = defaultdict(list)
    for balance, users in balances_for_holders(premises_qs, on, recipients, on=today, until=on):
        if getattr(balance, amount) > 0:
            by_premises[balance.premises].append((balance, users))
    return by_premises


def reminder_context(
    balance: PremisesBalance, *, due_date: datetime.date | None, arrears: bool = False
) -> dict:
    """``account`` is where the whole ``amount`` goes: the owing fund's own account where
    funds are kept apart, "" when the amount is split among several funds (``funds``)."""
    premises = balance.premises
    owing = [fund for fund in balance.funds if (fund.arrears if arrears else fund.amount_due) > 0]
    account = balance.payment_account
    if balance.funds:
        account = owing[0].bank_account if len(owing) == 1 else ""
    funds = [
        {
            "label": fund.label,
            "amount": format_money(fund.arrears if arrears else fund.amount_due),
            "account": format_nrb(fund.bank_account) if fund.bank_account else "",
        }
        for fund in owing
    ]
    return {
        "premises": premises,
        "premises_label": str(premises),
        "community": premises.building.community,
        "amount": format_money(balance.arrears if arrears else balance.amount_due),
        "due_date": payment_deadline(due_date) if due_date else None,
        "account": format_nrb(account) if account else "",
        "funds": funds,
        "funds_text": ", ".join(f"{fund['label']} {fund['amount']}" for fund in funds),
        "url": settings.PORTAL_URL.rstrip("/") + reverse("finance:index"),
    }


def reminder_due_dates(community, today: datetime.date, days: int) -> list[datetime.date]:
    """The due dates of ``community`` to remind of on ``today``: the reminder day (``days``
    before the due date) has come and the deadline (moved off a day off) has not passed.

    So a missed reminder day (the server down, a failed run) is caught up by the next run,
    and never once the deadline is past.
    """
    due_dates = []
    last = today + datetime.timedelta(days=days)
    # From last month (a due day on 28.02, a Saturday, is payable until 2.03) to the month
    # of the furthest due date reminded of today.
    index = today.year * 12 + today.month - 2
    while (month := datetime.date(index // 12, index % 12 + 1, 1)) <= last:
        # The one due-date rule (a due day past the month's end falls on its last day).
        due_date = due_date_for(community, month)
        if due_date - datetime.timedelta(days=days) <= today <= payment_deadline(due_date):
            due_dates.append(due_date)
        index += 1
    return due_dates


def payment_reminders_send(*, today: datetime.date | None = None, days: int | None = None) -> int:
    """Queue the reminders due on ``today``; returns for how many premises.

    A due date is reminded of from ``days`` before it until its deadline (``reminder_due_dates``),
    each premises once a month (``ReminderSent``): run daily, the first run from the reminder
    day on sends, the later ones send nothing more. ``CHUNK`` premises a transaction: a run
    stopped halfway keeps the chunks it committed, and running it again reminds only the rest.
    """
    today = today or timezone.localdate()
    days = days_before() if days is None else days
    communities_by_due_date = defaultdict(list)
    # A community that switched reminders off is left out here, so the catch-up runs skip
    # it too (``Community.payment_reminders_enabled``).
    communities = Community.objects.filter(payment_reminders_enabled=True)
    for community in communities.only("pk", "payment_due_day").order_by("pk"):
        for due_date in reminder_due_dates(community, today, days):
            communities_by_due_date[due_date].append(community.pk)
    return sum(
        _remind_of(due_date=due_date, communities=communities, today=today)
        for due_date, communities in sorted(communities_by_due_date.items())
    )


def _remind_of(*, due_date: datetime.date, communities: list[int], today: datetime.date) -> int:
    # The premises reminded of this month already are left out before their balances are
    # counted (a daily run until the deadline); ``reminders_record`` still decides for
    # overlapping runs.
    reminded = ReminderSent.objects.filter(
        kind=ReminderSent.Kind.PAYMENT, period=due_date.replace(day=1), premises=OuterRef("pk")
    )
    premises_qs = (
        Premises.objects.filter(building__community__in=communities)
        .exclude(Exists(reminded))
        .select_related("building__community")
    )
    # What is due by the deadline: a due day on a Saturday is paid by Monday, and the
    # Saturday's charge is due (``due_cutoff``) only then.
    deadline = payment_deadline(due_date)
    due = list(holder_balances(premises_qs, deadline, today, amount="amount_due").items())
    return sum(
        _remind(chunk=due[start : start + CHUNK], due_date=due_date, today=today)
        for start in range(0, len(due), CHUNK)
    )


@transaction.atomic
def _remind(*, chunk: list, due_date, today) -> int:
    """Remind one chunk of premises, each once a month; returns how many were reminded.

    A premises none of whose recipients can be told (no e-mail address or e-mail
    notifications off, and no SMS consent) is neither recorded nor counted: a later run
    reminds it once someone is reachable.
    """
    per_premises = []
    for premises, accounts in chunk:
        notices = []
        for balance, users in accounts:
            context = reminder_context(balance, due_date=due_date)
            # A buyer's SMS consent counts from the first day they own the premises.
            on = max(today, balance.since) if balance.since else today
            notices.extend(
                Notice(
                    user=user,
                    template=TEMPLATE,
                    context=context,
                    community=premises.building.community,
                    premises=premises,
                    sms=True,
                    on=on,
                )
                for user in users
            )
        per_premises.append((premises, notices))
    channels = iter(notify_channels([n for _premises, notices in per_premises for n in notices]))
    reachable = []
    for premises, notices in per_premises:
        to = [next(channels) for _notice in notices]
        if any(to):
            reachable.append((premises, notices, to))
    records = reminders_record(
        [
            ReminderSent(
                kind=ReminderSent.Kind.PAYMENT,
                period=due_date.replace(day=1),
                premises=premises,
                community=premises.building.community,
            )
            for premises, _notices, _to in reachable
        ]
    )
    sending, sending_to = [], []
    for (_premises, notices, to), record in zip(reachable, records, strict=True):
        if record is None:
            continue  # this premises was reminded this month already
        for notice in notices:
            notice.related = record
        sending.extend(notices)
        sending_to.extend(to)
    notify_many(sending, channels=sending_to)
    return sum(record is not None for record in records)


# --- The office's SMS payment reminder (correspondence admin) ---------------------------------

PLACEHOLDERS = ("{kwota}", "{lokal}", "{rachunek}")
# The longest a placeholder may become, to check the office's text still fits in one SMS.
PLACEHOLDER_WIDTH = {"{kwota}": 16, "{lokal}": 60, "{rachunek}": 32}


def fill_reminder_text(text: str, *, balance: PremisesBalance) -> str:
    """The office's text for one holder: placeholders filled; the amount added if missing.

    {kwota} is the holder's own arrears (past the working-day deadline); {rachunek} the
    account it goes to (the owing fund's own account where funds are kept apart).
    """
    context = reminder_context(balance, due_date=None, arrears=True)
    # Several funds owing: no single account fits the office's text; it keeps the premises'.
    account = context["account"] or (
        format_nrb(balance.payment_account) if balance.payment_account else ""
    )
    filled = (
        text.replace("{kwota}", context["amount"])
        .replace("{lokal}", context["premises_label"])
        .replace("{rachunek}", account)
    )
    if "{kwota}" not in text:
        # The arrears by their name: "Do zapłaty" is the page's larger figure on a deadline day.
        filled = f"{filled.rstrip()} " + _("Zaległość: %(amount)s.") % {"amount": context["amount"]}
    return filled


def reminder_text_max_length(text: str) -> int:
    """How long ``text`` can get once filled for any premises."""
    length = len(text)
    for placeholder, width in PLACEHOLDER_WIDTH.items():
        length += text.count(placeholder) * (width - len(placeholder))
    if "{kwota}" not in text:
        length += len(_("Zaległość: %(amount)s.")) + PLACEHOLDER_WIDTH["{kwota}"]
    return length


@transaction.atomic
def payment_reminder_sms_send(*, notice, today: datetime.date | None = None) -> int:
    """Send the office's SMS reminder to premises in arrears today, each with its own amount.

    Goes to the recipients ``payment_recipients`` picks who gave an SMS consent for the
    premises; returns how many SMS were queued (none where the community switched payment
    reminders off).
    """
    if not notice.community.payment_reminders_enabled:
        return 0
    today = today or timezone.localdate()
    premises_qs = Premises.objects.filter(building__community=notice.community).select_related(
        "building__community"
    )
    if notice.building_id:
        premises_qs = premises_qs.filter(building_id=notice.building_id)
    texts = []
    for premises, accounts in holder_balances(premises_qs, today, today, amount="arrears").items():
        for balance, users in accounts:
            text = fill_reminder_text(notice.text, balance=balance)
            texts.extend((user, premises, text) for user in users)
    phones = sms_addresses(
        [
            Notice(
                user=user,
                template="",
                context={},
                community=notice.community,
                premises=premises,
                sms=True,
                on=today,
            )
            for user, premises, text in texts
        ]
    )
    messages = messages_queue_many(
        [
            {
                "channel": SMS,
                "to_address": phone,
                "body": text,
                "recipient": user,
                "related": notice,
                "community": notice.community,
            }
            for (user, _premises, text), phone in zip(texts, phones, strict=True)
            if phone
        ]
    )
    return len(messages)
