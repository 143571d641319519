import pytest
from django.utils import timezone

from finance import demo
from finance.models import Charge, Payment
from finance.selectors import balances_for_user
from portal.demo import seed_register

pytestmark = pytest.mark.django_db


def test_demo_is_idempotent_with_arrears_and_overpayment():
    ctx = seed_register()
    demo.seed(ctx)
    counts = Charge.objects.count(), Payment.objects.count()
    demo.seed(ctx)
    assert (Charge.objects.count(), Payment.objects.count()) == counts
    assert counts[0] > 300
    today = timezone.localdate()
    [marek] = balances_for_user(ctx.users["marek"], today)
    assert marek.amount_due > 0
    [zofia] = balances_for_user(ctx.users["zofia"], today)
    assert zofia.overpayment > 0
    assert Payment.objects.filter(premises__isnull=True).count() == 1
