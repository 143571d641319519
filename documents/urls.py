from django.urls import path

from . import views

app_name = "documents"

urlpatterns = [
    path("", views.DocumentListView.as_view(), name="index"),
    path("<int:pk>/pobierz/", views.DocumentDownloadView.as_view(), name="download"),
]
