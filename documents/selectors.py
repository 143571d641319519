"""Reads of documents: those of the user's communities and the global ones."""

from django.db.models import Q, QuerySet

from premises.selectors import communities_for_user

from .models import Document


def documents_for_user(user) -> QuerySet[Document]:
    """Published documents a resident may download, grouped by category, newest first."""
    if not user.is_authenticated:
        return Document.objects.none()
    return (
        Document.objects.published()
        .filter(Q(community__isnull=True) | Q(community__in=communities_for_user(user)))
        .select_related("community")
        .by_category()
    )
