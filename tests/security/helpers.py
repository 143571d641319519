import time

from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)


def totp_code(secret: str) -> str:
    counter = next(iter(yield_hotp_counters_from_time()))
    return format_hotp_value(hotp_value(secret, counter))


def totp_code_other_than(secret: str, used: str) -> str:
    """The current code once it differs from ``used``: allauth refuses a code that was already
    accepted (no replay), so a second sign-in within the same 30-second period needs the next
    one."""
    while (code := totp_code(secret)) == used:
        time.sleep(0.5)
    return code


def totp_enable(user) -> str:
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret
