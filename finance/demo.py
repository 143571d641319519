"""Demo money: two years of monthly charges and payments for the demo premises.

Anna and Piotr (Lipowa 5/12) pay on time, the repair fund to its own account; Marek
(Lipowa 5/7) has not paid for the last three months; Zofia (Słoneczna 4) pays a rounded-up
amount and so has an overpayment. One bank transfer waits for manual assignment.
"""

import datetime
from decimal import Decimal

from django.utils import timezone

from .models import Charge, Fund, FundAccount, Payment
from .selectors import due_date_for

MONTHS = 24
C = Charge.Category

# premises key -> [(category, monthly amount)]
PLANS = {
    "lipowa_12": [
        (C.MANAGEMENT, "228.06"),
        (C.REPAIR_FUND, "135.75"),
        (C.WATER, "186.00"),
        (C.WASTE, "109.50"),
    ],
    "lipowa_g3": [(C.MANAGEMENT, "27.00"), (C.REPAIR_FUND, "15.00")],
    "lipowa_7": [
        (C.MANAGEMENT, "257.04"),
        (C.REPAIR_FUND, "153.00"),
        (C.WATER, "124.00"),
        (C.WASTE, "73.00"),
    ],
    "sloneczna_4": [
        (C.MANAGEMENT, "150.15"),
        (C.REPAIR_FUND, "57.75"),
        (C.HEATING, "119.35"),
        (C.WATER, "62.00"),
        (C.WASTE, "36.50"),
    ],
}
PAYERS = {
    "lipowa_12": ("Anna Nowak", "27114020040000300201355387", 8),
    "lipowa_g3": ("Anna Nowak", "27114020040000300201355387", 8),
    "lipowa_7": ("Marek Wiśniewski", "61109010140000071219812874", 12),
    "sloneczna_4": ("Zofia Kamińska", "03102010260000190201234567", 3),
}
LIPOWA_REPAIR_ACCOUNT = "07109010140000071219812876"
WATER_CORRECTION = Decimal("-84.30")


def _months(today: datetime.date) -> list[datetime.date]:
    first = today.replace(day=1)
    months = []
    for back in range(MONTHS - 1, -1, -1):
        year, month = divmod(first.year * 12 + first.month - 1 - back, 12)
        months.append(datetime.date(year, month + 1, 1))
    return months


def _charge(premises, category, period, amount, title=""):
    Charge.objects.get_or_create(
        premises=premises,
        category=category,
        period=period,
        title=title or f"{C(category).label.capitalize()} {period:%m/%Y}",
        defaults={
            "fund": Charge.fund_for_category(category),
            "due_date": due_date_for(premises.building.community, period),
            "amount": Decimal(amount),
        },
    )


def _payment(transaction_id, **fields):
    Payment.objects.get_or_create(bank_transaction_id=transaction_id, defaults=fields)


def seed(ctx):
    today = timezone.localdate()
    lipowa = ctx.communities["lipowa"]
    FundAccount.objects.get_or_create(
        community=lipowa, fund=Fund.REPAIR, defaults={"bank_account": LIPOWA_REPAIR_ACCOUNT}
    )
    months = _months(today)
    for key, plan in PLANS.items():
        premises = ctx.premises[key]
        separate = premises.building.community_id == lipowa.pk
        payer, payer_account, pay_day = PAYERS[key]
        for index, period in enumerate(months):
            for category, amount in plan:
                _charge(premises, category, period, amount)
            operating = sum(
                (Decimal(a) for c, a in plan if not (separate and c == C.REPAIR_FUND)), Decimal(0)
            )
            repair = sum((Decimal(a) for c, a in plan if c == C.REPAIR_FUND), Decimal(0))
            booked_on = period.replace(day=pay_day)
            if booked_on > today:
                continue
            if key == "lipowa_7" and index >= MONTHS - 3:
                continue  # Marek's arrears: the last three months unpaid
            if key == "sloneczna_4":
                operating = Decimal("450.00")  # a standing order, rounded up
            if key == "lipowa_12" and index == MONTHS - 5:
                operating += WATER_CORRECTION  # the water settlement credit, used up
            common = {
                "premises": premises,
                "booked_on": booked_on,
                "source": Payment.Source.BANK,
                "payer_name": payer,
                "payer_account": payer_account,
            }
            _payment(
                f"DEMO-{key}-{period:%Y%m}",
                amount=operating,
                title=f"Lokal {premises.number} opłaty {period:%m/%Y}",
                recipient_account=premises.bank_account,
                **common,
            )
            if separate:
                _payment(
                    f"DEMO-{key}-{period:%Y%m}-FR",
                    amount=repair,
                    title=f"Lokal {premises.number} fundusz remontowy {period:%m/%Y}",
                    fund=Fund.REPAIR,
                    recipient_account=LIPOWA_REPAIR_ACCOUNT,
                    **common,
                )
    # The yearly water settlement of Lipowa 5/12: a correction is a new, negative charge.
    correction_period = months[MONTHS - 6]
    _charge(
        ctx.premises["lipowa_12"],
        C.WATER,
        correction_period,
        WATER_CORRECTION,
        title=f"Korekta – rozliczenie wody {correction_period.year - 1}",
    )
    # A transfer without a premises account, waiting in admin under "nieprzypisane".
    _payment(
        f"DEMO-UNMATCHED-{months[-2]:%Y%m}",
        premises=None,
        booked_on=months[-2].replace(day=14),
        amount=Decimal("200.00"),
        title="Wpłata za mieszkanie",
        source=Payment.Source.BANK,
        payer_name="Jan Kowalski",
        payer_account="61109010140000071219812874",
        recipient_account=lipowa.bank_account,
    )
