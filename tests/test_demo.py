import pytest
from django.core.management import call_command

from accounts.models import User
from premises.models import Community, Premises

pytestmark = pytest.mark.django_db


def test_seed_demo_is_idempotent_and_prints_logins(capsys):
    call_command("seed_demo")
    first = capsys.readouterr().out
    counts = (User.objects.count(), Premises.objects.count())
    call_command("seed_demo")
    assert (User.objects.count(), Premises.objects.count()) == counts
    assert "login: 10000001" in first and "Strefa-demo-2026" in first


def test_demo_register_passes_its_own_validation():
    call_command("seed_demo")
    for obj in [*Community.objects.all(), *Premises.objects.all()]:
        obj.full_clean()
