import pytest

from failures import demo
from failures.models import FailurePhoto, FailureReport
from portal.demo import seed_register

pytestmark = pytest.mark.django_db


def test_demo_reports_are_varied_and_seeding_twice_adds_nothing(client):
    ctx = seed_register()
    demo.seed(ctx)
    demo.seed(ctx)
    lipowa = FailureReport.objects.filter(building=ctx.buildings["lipowa"])
    assert lipowa.count() == 6
    assert set(lipowa.values_list("status", flat=True)) == set(FailureReport.Status.values)
    assert FailurePhoto.objects.filter(report__building=ctx.buildings["lipowa"]).count() == 1
    assert all(r.status_changes.count() >= 1 for r in lipowa)

    client.force_login(ctx.users["marek"])
    content = client.get("/awarie/").content.decode()
    assert content.count("Twoje zgłoszenie") == 2
    assert "Anna" not in content.split("<main", 1)[1].split("</main>")[0]
    assert "Winda zatrzymuje się" not in content  # Słoneczna's report
