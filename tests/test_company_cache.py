"""The licence holder is read from the cache, and an edit in admin shows at once."""

import pytest
from django.urls import reverse

from premises.selectors import company_current

from .factories import CompanyFactory


@pytest.mark.django_db
def test_company_current_is_cached_between_calls(django_assert_num_queries):
    CompanyFactory(name="Zarządca Alfa")
    with django_assert_num_queries(1):
        assert company_current().name == "Zarządca Alfa"
    with django_assert_num_queries(0):
        assert company_current().name == "Zarządca Alfa"


@pytest.mark.django_db
def test_company_change_is_shown_at_once(client):
    company = CompanyFactory(name="Zarządca Alfa")
    assert "Zarządca Alfa" in client.get(reverse("about")).content.decode()
    company.name = "Zarządca Beta"
    company.save()
    body = client.get(reverse("about")).content.decode()
    assert "Zarządca Beta" in body
    assert "Zarządca Alfa" not in body


@pytest.mark.django_db
def test_no_company_is_cached_too(django_assert_num_queries):
    with django_assert_num_queries(1):
        assert company_current() is None
    with django_assert_num_queries(0):
        assert company_current() is None
    CompanyFactory(name="Zarządca Gamma")
    assert company_current().name == "Zarządca Gamma"
