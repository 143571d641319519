from django.urls import path

from . import views

app_name = "api"

urlpatterns = [
    # The schema and its documentation are public: they describe the API, not anyone's data.
    path("schema/", views.SchemaView.as_view(), name="schema"),
    path("docs/", views.DocsView.as_view(), name="docs"),
    path("v1/communities/", views.CommunityListView.as_view(), name="communities"),
    path(
        "v1/communities/batch/",
        views.CommunityBatchView.as_view(),
        name="communities-batch",
    ),
    path(
        "v1/communities/<int:community_id>/announcements/batch/",
        views.AnnouncementBatchView.as_view(),
        name="announcements-batch",
    ),
    path(
        "v1/communities/<int:community_id>/charges/batch/",
        views.ChargeBatchView.as_view(),
        name="charges-batch",
    ),
    path(
        "v1/communities/<int:community_id>/payments/batch/",
        views.PaymentBatchView.as_view(),
        name="payments-batch",
    ),
    path(
        "v1/communities/<int:community_id>/register/batch/",
        views.RegisterBatchView.as_view(),
        name="register-batch",
    ),
    path(
        "v1/communities/<int:community_id>/letters/batch/",
        views.LetterBatchView.as_view(),
        name="letters-batch",
    ),
    path(
        "v1/communities/<int:community_id>/readings/batch/",
        views.ReadingBatchView.as_view(),
        name="readings-batch",
    ),
    path("v1/readings/", views.ReadingListView.as_view(), name="readings"),
    path("v1/readings/<int:pk>/photo/", views.ReadingPhotoView.as_view(), name="reading-photo"),
    path("v1/failures/", views.FailureListView.as_view(), name="failures"),
    path("v1/failures/<int:pk>/", views.FailureDetailView.as_view(), name="failure"),
    path("v1/threads/", views.ThreadListView.as_view(), name="threads"),
    path("v1/consents/", views.ConsentListView.as_view(), name="consents"),
    path("v1/resolutions/", views.ResolutionListView.as_view(), name="resolutions"),
    path("v1/resignations/", views.ResignationListView.as_view(), name="resignations"),
]
