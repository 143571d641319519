"""Admin scoping: office staff and board members see only their communities' objects."""

from premises.selectors import communities_for_staff


class CommunityScopedAdminMixin:
    """Limit an admin's rows to the communities the office user manages.

    ``community_lookup`` is the ORM path from the model to its Community, e.g.
    ``"building__community"`` for Premises; ``""`` for Community itself.
    """

    community_lookup: str = "community"

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        communities = communities_for_staff(request.user)
        field = f"{self.community_lookup}__in" if self.community_lookup else "pk__in"
        return qs.filter(**{field: communities})
