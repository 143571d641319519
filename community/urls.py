from django.urls import path

from . import views

app_name = "community"

urlpatterns = [
    path("", views.CommunityIndexView.as_view(), name="index"),
    path(
        "ogloszenia/<int:pk>/", views.AnnouncementDetailView.as_view(), name="announcement_detail"
    ),
    path(
        "ogloszenia/zalaczniki/<int:pk>/",
        views.AnnouncementAttachmentView.as_view(),
        name="announcement_attachment",
    ),
    path("uchwaly/", views.ResolutionListView.as_view(), name="resolution_list"),
    path("uchwaly/<int:pk>/", views.ResolutionView.as_view(), name="resolution_detail"),
    path(
        "uchwaly/<int:pk>/potwierdzenie/",
        views.ResolutionReceiptView.as_view(),
        name="resolution_receipt",
    ),
    path("uchwaly/<int:pk>/pdf/", views.ResolutionPdfView.as_view(), name="resolution_pdf"),
]
