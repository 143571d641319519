"""Reads of the user's own account data (the profile and the resignation request)."""

from .models import ResignationRequest


def open_resignation_for_user(user) -> ResignationRequest | None:
    """The user's resignation request the office has not handled yet, if any."""
    return ResignationRequest.objects.open().filter(user=user).first()
