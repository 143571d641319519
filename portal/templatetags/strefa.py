"""Presentation filters shared by every tab."""

from decimal import Decimal, InvalidOperation

from django import template
from django.contrib.messages import constants as message_constants
from django.utils.html import format_html
from django.utils.translation import gettext as _

from lib import forms as lib_forms
from lib.phones import format_phone
from premises.validators import format_nrb

register = template.Library()

NBSP = "\xa0"


def format_money(value) -> str:
    """``Decimal("1234.5")`` → ``1 234,50 zł`` (no-break spaces, so an amount never wraps)."""
    try:
        amount = Decimal(value).quantize(Decimal("0.01"))
    except (InvalidOperation, TypeError, ValueError):
        return ""
    sign = "-" if amount < 0 else ""
    whole, cents = f"{abs(amount):.2f}".split(".")
    groups = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    return f"{sign}{NBSP.join(groups)},{cents}{NBSP}zł"


@register.filter
def pln(value) -> str:
    return format_money(value)


@register.filter
def balance(value) -> str:
    """A balance (payments minus charges) with what its sign means in words for screen readers:
    a minus alone is skipped by some of them, and then arrears sound like an overpayment."""
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return ""
    if amount < 0:
        return format_html(
            '<span class="amount amount--due">{}</span><span class="visually-hidden"> ({})</span>',
            format_money(amount),
            _("niedopłata"),
        )
    if amount > 0:
        return format_html(
            '<span class="amount">{}</span><span class="visually-hidden"> ({})</span>',
            format_money(amount),
            _("nadpłata"),
        )
    return format_html('<span class="amount">{}</span>', format_money(amount))


@register.filter
def nrb(value) -> str:
    return format_nrb(value) if value else ""


@register.simple_tag(takes_context=True)
def forms_with_errors(context) -> list:
    """The page's forms that came back with errors (the layout's error summary and the
    "Błąd:" title prefix use it)."""
    return lib_forms.forms_with_errors(context.flatten().values())


@register.filter
def error_summary(form_list) -> list:
    return lib_forms.error_summary(form_list)


@register.filter
def field_errors(bound_field) -> list[str]:
    return lib_forms.field_error_messages(bound_field)


@register.filter
def is_optional(bound_field) -> bool:
    return lib_forms.shows_optional_marker(bound_field)


@register.filter
def phone(value) -> str:
    """``+48601200300`` → ``+48 601 200 300``; anything else (an e-mail address) unchanged."""
    return format_phone(value) if value else ""


@register.filter
def messages_role(messages) -> str:
    """``alert`` when a message reports a problem (read at once), else a polite ``status``."""
    return "alert" if any(m.level >= message_constants.WARNING for m in messages) else "status"


@register.filter
def file_type(name) -> str:
    """``uchwały/Regulamin.v2.pdf`` → ``PDF``: the type a download link names ("" without one)."""
    base = str(name or "").rsplit("/", 1)[-1]
    return base.rsplit(".", 1)[-1].upper() if "." in base.strip(".") else ""


@register.simple_tag(takes_context=True)
def aria_current(context, url) -> str:
    """For the link of the section being shown: ``page`` when it leads to this very page,
    ``true`` when this page is inside its section (a sub-page is not the section's page)."""
    request = context.get("request")
    value = "page" if request is not None and request.path == str(url) else "true"
    return format_html('aria-current="{}"', value)
