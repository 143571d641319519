from django.urls import path

from . import views

app_name = "meters"

urlpatterns = [
    path("", views.MeterListView.as_view(), name="index"),
    path("<int:pk>/", views.MeterDetailView.as_view(), name="detail"),
    path("<int:pk>/dodaj-odczyt/", views.ReadingCreateView.as_view(), name="reading_add"),
    path("odczyty/<int:pk>/popraw/", views.ReadingCorrectView.as_view(), name="reading_correct"),
    path("odczyty/<int:pk>/zdjecie/", views.ReadingPhotoView.as_view(), name="reading_photo"),
    path(
        "odczyty/<int:pk>/miniatura/",
        views.ReadingPhotoView.as_view(thumbnail=True),
        name="reading_thumbnail",
    ),
]
