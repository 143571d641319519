"""Password-reset links (allauth's ``ACCOUNT_PASSWORD_RESET_TOKEN_GENERATOR``)."""

from django.contrib.auth.tokens import PasswordResetTokenGenerator


class ActiveAccountTokenGenerator(PasswordResetTokenGenerator):
    """Django's reset tokens, valid only while the account is active.

    A link is mailed only to an active account, but it lived on after the office deactivated
    the account (resignation, a sold flat): whoever held the mail could still set a password.
    """

    def check_token(self, user, token) -> bool:
        if user is None or not user.is_active:
            return False
        return super().check_token(user, token)
