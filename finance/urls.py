from django.urls import path

from . import views

app_name = "finance"

urlpatterns = [
    path("", views.FinanceView.as_view(), name="index"),
    path("<int:pk>/wyciag.pdf", views.StatementPdfView.as_view(), name="statement"),
]
