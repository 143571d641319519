import datetime
from decimal import Decimal

import pytest

from finance.selectors import balances_for_user, ledger_for_premises, ledger_summary
from tests.factories import add_charge, add_payment

pytestmark = pytest.mark.django_db


def test_advance_is_in_balance_but_not_due_on_the_ninth(resident, may_2025):
    [balance] = balances_for_user(resident, datetime.date(2025, 5, 9))
    assert balance.amount_due == Decimal("0.00")
    assert balance.balance == Decimal("-350.27")
    assert balance.not_yet_due == Decimal("350.27")


def test_advance_is_due_on_the_tenth(resident, premises):
    add_charge(premises, "350.27", datetime.date(2025, 6, 10))  # a Tuesday
    [balance] = balances_for_user(resident, datetime.date(2025, 6, 10))
    assert balance.amount_due == Decimal("350.27")
    assert balance.overpayment == Decimal("0.00")


def test_advance_due_on_a_saturday_is_due_on_monday(resident, may_2025):
    # 10.05.2025 is a Saturday: the deadline is Monday 12.05 (art. 115 k.c.).
    for day, due in ((10, "0.00"), (11, "0.00"), (12, "350.27")):
        [balance] = balances_for_user(resident, datetime.date(2025, 5, day))
        assert balance.amount_due == Decimal(due), day


def test_payment_before_charge_is_overpayment_until_charge_is_due(resident, premises):
    add_payment(premises, "350.27", datetime.date(2025, 5, 3))
    add_charge(premises, "350.27", datetime.date(2025, 5, 10))
    [before] = balances_for_user(resident, datetime.date(2025, 5, 5))
    assert before.overpayment == Decimal("350.27")
    assert before.amount_due == Decimal("0.00")
    [after] = balances_for_user(resident, datetime.date(2025, 5, 12))  # 10.05 was a Saturday
    assert after.overpayment == after.amount_due == Decimal("0.00")


def test_sums_are_exact_decimals(resident, premises):
    for month in range(1, 11):
        add_charge(premises, "0.10", datetime.date(2025, month, 10))
    add_payment(premises, "0.30", datetime.date(2025, 1, 2))
    [balance] = balances_for_user(resident, datetime.date(2025, 12, 31))
    assert balance.charges_due == Decimal("1.00")
    assert balance.amount_due == Decimal("0.70")
    assert isinstance(balance.amount_due, Decimal)


def test_correction_is_a_negative_charge(resident, premises):
    add_charge(premises, "200.00", datetime.date(2025, 3, 10))
    add_charge(premises, "-50.00", datetime.date(2025, 4, 1), title="Korekta wody 03/2025")
    [balance] = balances_for_user(resident, datetime.date(2025, 4, 2))
    assert balance.amount_due == Decimal("150.00")


def test_ledger_has_running_balance_newest_first(premises):
    add_charge(premises, "300.00", datetime.date(2025, 1, 10))
    add_payment(premises, "100.00", datetime.date(2025, 1, 12))
    add_charge(premises, "300.00", datetime.date(2025, 2, 10))
    add_payment(premises, "600.00", datetime.date(2025, 2, 11))
    entries = list(ledger_for_premises(premises))
    assert [e.balance for e in entries] == [
        Decimal("100.00"),
        Decimal("-500.00"),
        Decimal("-200.00"),
        Decimal("-300.00"),
    ]
    assert entries[0].date == datetime.date(2025, 2, 11)


def test_ledger_period_filter_keeps_true_balance(premises):
    add_charge(premises, "300.00", datetime.date(2025, 1, 10))
    add_charge(premises, "300.00", datetime.date(2025, 2, 10))
    add_payment(premises, "250.00", datetime.date(2025, 2, 15))
    add_charge(premises, "300.00", datetime.date(2025, 3, 10))
    feb = ledger_for_premises(
        premises, date_from=datetime.date(2025, 2, 1), date_to=datetime.date(2025, 2, 28)
    )
    assert feb.count() == 2
    assert [e.balance for e in feb] == [Decimal("-350.00"), Decimal("-600.00")]
    summary = ledger_summary(
        premises, date_from=datetime.date(2025, 2, 1), date_to=datetime.date(2025, 2, 28)
    )
    assert summary.opening_balance == Decimal("-300.00")
    assert summary.charges == Decimal("300.00")
    assert summary.payments == Decimal("250.00")
    assert summary.closing_balance == Decimal("-350.00")


def test_due_day_comes_from_community(resident, premises):
    community = premises.building.community
    community.payment_due_day = 15
    community.save()
    add_charge(premises, "100.00", datetime.date(2025, 5, community.payment_due_day))
    [balance] = balances_for_user(resident, datetime.date(2025, 5, 10))
    assert balance.amount_due == Decimal("0.00")


def test_fund_balances_count_unassigned_fund_as_operating(resident, premises):
    from finance.models import FundAccount

    FundAccount.objects.create(
        community=premises.building.community,
        fund="repair",
        bank_account="27114020040000300201355387",
    )
    add_charge(premises, "100.00", datetime.date(2025, 1, 10))
    add_payment(premises, "60.00", datetime.date(2025, 1, 11))
    add_payment(premises, "40.00", datetime.date(2025, 1, 12), fund="operating")
    [balance] = balances_for_user(resident, datetime.date(2025, 2, 1))
    operating = next(f for f in balance.funds if f.fund == "operating")
    assert operating.payments_total == Decimal("100.00")
    assert operating.amount_due == Decimal("0.00")


def test_balances_carry_the_same_data_date_as_data_as_of(resident, premises, building):
    """Issue 17: "Stan na dzień" comes with the balances' one query; it must be the date that
    ``data_as_of`` gives: the latest payment booked, charge booked or import, in local time."""
    from django.utils import timezone

    from finance.models import Charge, ImportBatch
    from finance.selectors import data_as_of
    from tests.factories import CommunityFactory, UserFactory

    today = datetime.date(2025, 6, 1)

    def both():
        [balance] = balances_for_user(resident, today)
        return balance.data_as_of, data_as_of(resident)

    assert both() == (None, None)
    charge = add_charge(premises, "100.00", datetime.date(2025, 1, 10))
    # Booked late on 31 December UTC: 1 January in Warsaw.
    Charge.objects.filter(pk=charge.pk).update(
        created_at=datetime.datetime(2026, 12, 31, 23, 30, tzinfo=datetime.UTC)
    )
    assert both() == (datetime.date(2027, 1, 1), datetime.date(2027, 1, 1))
    add_payment(premises, "50.00", datetime.date(2027, 3, 1))
    assert both() == (datetime.date(2027, 3, 1), datetime.date(2027, 3, 1))
    office = UserFactory(is_staff=True)
    for community in (None, building.community, CommunityFactory()):
        batch = ImportBatch.objects.create(
            kind=ImportBatch.Kind.BANK_CSV,
            community=community,
            file_name="w.csv",
            file_sha256="0" * 64,
            created_by=office,
        )
        ImportBatch.objects.filter(pk=batch.pk).update(
            created_at=timezone.make_aware(datetime.datetime(2027, 4, 2, 12, 0))
            if community is not None and community != building.community
            else timezone.make_aware(datetime.datetime(2027, 4, 1, 12, 0))
        )
    # Another community's import does not count; a statement's (no community) and our own do.
    assert both() == (datetime.date(2027, 4, 1), datetime.date(2027, 4, 1))
