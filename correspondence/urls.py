from django.urls import path

from . import views

app_name = "correspondence"

urlpatterns = [
    path("", views.LetterListView.as_view(), name="index"),
    path("pisma/<int:pk>/", views.LetterDetailView.as_view(), name="letter"),
    path(
        "pisma/<int:pk>/zalaczniki/<int:attachment_pk>/",
        views.letter_attachment,
        name="letter_attachment",
    ),
    path("wiadomosci/", views.ThreadListView.as_view(), name="threads"),
    path("wiadomosci/nowa/", views.ThreadCreateView.as_view(), name="thread_create"),
    path("wiadomosci/<int:pk>/", views.ThreadDetailView.as_view(), name="thread"),
    path(
        "wiadomosci/<int:pk>/zalaczniki/<int:attachment_pk>/",
        views.thread_attachment,
        name="thread_attachment",
    ),
    path("zgody/", views.ConsentView.as_view(), name="consents"),
    path("zgody/<int:pk>/wycofaj/", views.consent_withdraw_view, name="consent_withdraw"),
]
