from django.urls import path

from . import views

app_name = "premises"

urlpatterns = [
    path("", views.PremisesListView.as_view(), name="index"),
    path("<int:pk>/", views.PremisesDetailView.as_view(), name="detail"),
]
