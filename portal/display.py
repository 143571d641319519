"""How a person is named on the pages and in messages ("Zalogowano jako Anna Nowak.")."""


def user_display(user) -> str:
    """Full name, or the login for an account that has none (e.g. a technical account)."""
    return user.get_full_name() or user.get_username()
