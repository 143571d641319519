from allauth.account import views as allauth_views
from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path

from accounts.staff_mfa import admin_login, admin_password_change
from office.views import admin_file as office_admin_file
from office.views import admin_index as office_admin_index

from . import views
from .health import healthcheck

# allauth's views under stable Polish paths; no sign-up, no e-mail management.
auth_patterns = [
    path("logowanie/", allauth_views.login, name="account_login"),
    path("wyloguj/", allauth_views.logout, name="account_logout"),
    path("konto-nieaktywne/", allauth_views.account_inactive, name="account_inactive"),
    path("nie-pamietam-hasla/", allauth_views.password_reset, name="account_reset_password"),
    path(
        "nie-pamietam-hasla/wyslano/",
        allauth_views.password_reset_done,
        name="account_reset_password_done",
    ),
    re_path(
        r"^nie-pamietam-hasla/klucz/(?P<uidb36>[0-9A-Za-z]+)-(?P<key>.+)/$",
        allauth_views.password_reset_from_key,
        name="account_reset_password_from_key",
    ),
    path("potwierdz-haslo/", allauth_views.reauthenticate, name="account_reauthenticate"),
    # allauth reverses these whenever a verified e-mail exists; a code mailed to the address is
    # not a re-authentication method here (ACCOUNT_REAUTHENTICATION_METHODS), so they answer 403.
    path(
        "potwierdz-kodem/",
        allauth_views.request_reauthentication_code,
        name="account_request_reauthentication_code",
    ),
    path(
        "potwierdz-kodem/wpisz/",
        allauth_views.confirm_reauthentication_code,
        name="account_confirm_reauthentication_code",
    ),
    path(
        "nie-pamietam-hasla/zmieniono/",
        allauth_views.password_reset_from_key_done,
        name="account_reset_password_from_key_done",
    ),
]

# Staff log in through the same allauth login as residents (rate limits, two-factor login).
admin.site.login = admin_login
admin.site.password_change = admin_password_change

urlpatterns = [
    *auth_patterns,
    # Browsers and bots that ask for /favicon.ico without reading the page's <link rel="icon">.
    path("favicon.ico", views.favicon, name="favicon"),
    path("", views.HomeView.as_view(), name="home"),
    path("o-aplikacji/", views.AboutView.as_view(), name="about"),
    path(
        "deklaracja-dostepnosci/",
        views.AccessibilityStatementView.as_view(),
        name="accessibility_statement",
    ),
    path("healthcheck/", healthcheck, name="healthcheck"),
    path("profil/weryfikacja-dwuetapowa/", include("allauth.mfa.urls")),
    path("profil/", include("accounts.urls")),
    path("lokale/", include("premises.urls")),
    path("finanse/", include("finance.urls")),
    path("liczniki/", include("meters.urls")),
    path("awarie/", include("failures.urls")),
    path("korespondencja/", include("correspondence.urls")),
    path("wspolnota/", include("community.urls")),
    path("dokumenty/", include("documents.urls")),
    path("api/", include("api.urls")),
    path("admin/", office_admin_index, name="office_admin_index"),
    path(
        "admin/plik/<str:label>/<int:pk>/<str:field>/",
        office_admin_file,
        name="office_admin_file",
    ),
    path("admin/", admin.site.urls),
]

if settings.BENCH_VIEWS:
    from . import bench_views

    urlpatterns += [
        path("_bench/bare/", bench_views.bare),
        path("_bench/auth/", bench_views.bare_authenticated),
    ]

handler404 = "portal.views.page_not_found"

admin.site.site_header = "Strefa – biuro"
admin.site.site_title = "Strefa – biuro"
admin.site.index_title = "Administracja"
