from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("", views.ProfileView.as_view(), name="profile"),
    path("haslo/", views.PasswordChangeView.as_view(), name="password_change"),
    path("moje-dane.json", views.PersonalDataExportView.as_view(), name="data_export"),
    path("rezygnacja/", views.ResignationView.as_view(), name="resignation"),
    path(
        "logowanie-dwuetapowe-wymagane/",
        views.MfaRequiredView.as_view(),
        name="mfa_required",
    ),
]
