"""Demo data for a local try-out: a register, people with logins, and each tab's sample data.

Idempotent: running it again finds what exists and creates only what is missing.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from lib.contributions import contributions
from lib.phones import normalize_phone
from premises.models import Building, Community, CommunityRole, Company, Ownership, Premises

DEMO_PASSWORD = "Strefa-demo-2026"  # noqa: S105 (a published demo password, local data only)


@dataclass
class DemoContext:
    company: Company
    communities: dict[str, Community] = field(default_factory=dict)
    buildings: dict[str, Building] = field(default_factory=dict)
    premises: dict[str, Premises] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    logins: list[tuple[str, str, str]] = field(default_factory=list)


def _person(ctx, key, login, first, last, email, phone, *, staff=False, superuser=False):
    user, created = User.objects.get_or_create(
        username=login,
        defaults={
            "first_name": first,
            "last_name": last,
            "email": email,
            "phone": normalize_phone(phone) if phone else "",
        },
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.is_active = True
        user.is_staff = staff
        user.is_superuser = superuser
        user.login_issued_at = user.statement_received_at = timezone.now()
        user.save()
    ctx.users[key] = user
    role = "biuro (administrator)" if superuser else ("biuro" if staff else "mieszkaniec")
    ctx.logins.append((login, DEMO_PASSWORD, f"{first} {last} – {role}"))
    return user


def _premises(ctx, key, building, number, area, persons, share, account, kind=Premises.Kind.FLAT):
    num, den = share
    premises, _created = Premises.objects.get_or_create(
        building=building,
        number=number,
        defaults={
            "area": Decimal(area),
            "persons": persons,
            "share_numerator": num,
            "share_denominator": den,
            "bank_account": account,
            "kind": kind,
        },
    )
    ctx.premises[key] = premises
    return premises


def _hold(user, premises, role, since, recipient=False):
    Ownership.objects.get_or_create(
        user=user,
        premises=premises,
        role=role,
        defaults={"valid_from": since, "is_correspondence_recipient": recipient},
    )


@transaction.atomic
def seed_register() -> DemoContext:
    company, _c = Company.objects.get_or_create(
        name="TuMieszkamy Zarządzanie Nieruchomościami sp. z o.o.",
        defaults={
            "nip": "5214349636",
            "address": "ul. Marszałkowska 10, 00-001 Warszawa",
            "phone": "22 123 45 67",
            "email": "bok@tumieszkamy.example",
            "office_hours": "pon.–pt. 8:00–16:00",
        },
    )
    ctx = DemoContext(company=company)
    lipowa, _c = Community.objects.get_or_create(
        name="Wspólnota Mieszkaniowa Lipowa 5",
        defaults={
            "company": company,
            "kind": Community.Kind.HOUSING_COMMUNITY,
            "nip": "5252248481",
            "regon": "123456785",
            "street": "ul. Lipowa 5",
            "postal_code": "00-950",
            "city": "Warszawa",
            "bank_account": "61109010140000071219812874",
            "office_hours": "wt. 16:00–18:00",
            "voting_enabled": True,
            "e_delivery_start": datetime.date(2026, 1, 1),
        },
    )
    sloneczna, _c = Community.objects.get_or_create(
        name="Spółdzielnia Mieszkaniowa Słoneczna",
        defaults={
            "company": company,
            "kind": Community.Kind.COOPERATIVE,
            "street": "ul. Słoneczna 12",
            "postal_code": "30-001",
            "city": "Kraków",
            "bank_account": "27114020040000300201355387",
        },
    )
    ctx.communities.update(lipowa=lipowa, sloneczna=sloneczna)
    b_lipowa, _c = Building.objects.get_or_create(
        community=lipowa,
        street="ul. Lipowa 5",
        defaults={"postal_code": "00-950", "city": "Warszawa"},
    )
    b_sloneczna, _c = Building.objects.get_or_create(
        community=sloneczna,
        street="ul. Słoneczna 12A",
        defaults={"postal_code": "30-001", "city": "Kraków"},
    )
    ctx.buildings.update(lipowa=b_lipowa, sloneczna=b_sloneczna)

    den = 100_000
    _premises(
        ctx, "lipowa_12", b_lipowa, "12", "54.30", 3, (5430, den), "34109010140000071219812875"
    )
    _premises(ctx, "lipowa_g3", b_lipowa, "G3", "15.00", 0, (1500, den), "", Premises.Kind.GARAGE)
    _premises(ctx, "lipowa_7", b_lipowa, "7", "61.20", 2, (6120, den), "")
    _premises(ctx, "sloneczna_4", b_sloneczna, "4", "38.50", 1, (3850, 200_000), "")

    anna = _person(ctx, "anna", "10000001", "Anna", "Nowak", "anna.nowak@example.com", "601100200")
    piotr = _person(
        ctx, "piotr", "10000002", "Piotr", "Nowak", "piotr.nowak@example.com", "602300400"
    )
    marek = _person(
        ctx, "marek", "10000003", "Marek", "Wiśniewski", "marek@example.com", "603500600"
    )
    zofia = _person(ctx, "zofia", "10000004", "Zofia", "Kamińska", "zofia@example.com", "604700800")
    staff = _person(
        ctx,
        "staff",
        "admin",
        "Ewa",
        "Biurowa",
        "ewa@tumieszkamy.example",
        "",
        staff=True,
        superuser=True,
    )
    CommunityRole.objects.get_or_create(
        user=staff, community=lipowa, role=CommunityRole.Role.OFFICE_STAFF
    )

    since = datetime.date(2019, 5, 1)
    _hold(anna, ctx.premises["lipowa_12"], Ownership.Role.CO_OWNER, since, recipient=True)
    _hold(piotr, ctx.premises["lipowa_12"], Ownership.Role.CO_OWNER, since)
    _hold(anna, ctx.premises["lipowa_g3"], Ownership.Role.OWNER, since)
    _hold(marek, ctx.premises["lipowa_7"], Ownership.Role.OWNER, datetime.date(2021, 3, 1))
    _hold(zofia, ctx.premises["sloneczna_4"], Ownership.Role.MEMBER, datetime.date(2015, 1, 1))
    return ctx


def seed_all() -> DemoContext:
    ctx = seed_register()
    # Each app adds its own demo data (``demo_seed`` in its AppConfig) after the register exists.
    for item in contributions("demo_seed"):
        with transaction.atomic():
            item.load()(ctx)
    return ctx
