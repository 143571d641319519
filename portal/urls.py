from allauth.account import views as allauth_views
from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path

from office.views import admin_index as office_admin_index

from . import views

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
    path(
        "nie-pamietam-hasla/zmieniono/",
        allauth_views.password_reset_from_key_done,
        name="account_reset_password_from_key_done",
    ),
]

urlpatterns = [
    *auth_patterns,
    path("", views.HomeView.as_view(), name="home"),
    path("o-aplikacji/", views.AboutView.as_view(), name="about"),
    path("profil/weryfikacja-dwuetapowa/", include("allauth.mfa.urls")),
    path("profil/", include("accounts.urls")),
    path("lokale/", include("premises.urls")),
    path("finanse/", include("finance.urls")),
    path("liczniki/", include("meters.urls")),
    path("awarie/", include("failures.urls")),
    path("korespondencja/", include("correspondence.urls")),
    path("wspolnota/", include("community.urls")),
    path("dokumenty/", include("documents.urls")),
    path("admin/", office_admin_index, name="office_admin_index"),
    path("admin/", admin.site.urls),
]

if settings.BENCH_VIEWS:
    from . import bench_views

    urlpatterns += [
        path("_bench/bare/", bench_views.bare),
        path("_bench/auth/", bench_views.bare_authenticated),
    ]

admin.site.site_header = "Strefa – biuro"
admin.site.site_title = "Strefa – biuro"
admin.site.index_title = "Administracja"
