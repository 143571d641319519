from django.urls import path

from . import views

app_name = "failures"

urlpatterns = [
    path("", views.FailureListView.as_view(), name="index"),
    path("zglos/", views.FailureCreateView.as_view(), name="create"),
    path("<int:pk>/", views.FailureDetailView.as_view(), name="detail"),
    path(
        "<int:pk>/zdjecia/<int:photo_pk>/",
        views.FailurePhotoView.as_view(),
        name="photo",
    ),
    path(
        "<int:pk>/zdjecia/<int:photo_pk>/miniatura/",
        views.FailurePhotoView.as_view(thumbnail=True),
        name="thumbnail",
    ),
]
