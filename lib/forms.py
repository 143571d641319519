"""One error pattern for every form, after the GOV.UK Design System's error summary and
error message: a summary at the top linking to each field, and under each field a message
that names the field instead of Django's generic "To pole jest wymagane."."""

from dataclasses import dataclass

from django import forms
from django.utils.translation import gettext as _

_CHOICE_WIDGETS = {
    "select",
    "selectmultiple",
    "radioselect",
    "checkboxselectmultiple",
    "nullbooleanselect",
}
_FILE_WIDGETS = {"file", "clearablefile", "multiplefile"}
_SAYS_OPTIONAL = ("opcjonaln", "nieobowiązkow")


@dataclass(frozen=True)
class ErrorLink:
    """One line of an error summary; ``anchor`` is the id of the field it points at."""

    text: str
    anchor: str = ""


def _required_message(bound_field) -> str:
    label = str(bound_field.label).strip().rstrip(":").strip()
    kind = bound_field.widget_type
    if kind == "checkbox":
        return _("Zaznacz pole „%(label)s”.") % {"label": label}
    if kind in _CHOICE_WIDGETS:
        return _("Wybierz odpowiedź w polu „%(label)s”.") % {"label": label}
    if kind in _FILE_WIDGETS:
        return _("Dodaj plik w polu „%(label)s”.") % {"label": label}
    return _("Uzupełnij pole „%(label)s”.") % {"label": label}


def field_error_messages(bound_field) -> list[str]:
    """The field's errors, with the generic "required" message replaced by one naming it."""
    generic = str(forms.Field.default_error_messages["required"])
    return [
        _required_message(bound_field) if str(error) == generic and bound_field.label else error
        for error in bound_field.errors
    ]


def field_anchor(bound_field) -> str:
    """The id a summary link jumps to: the input, or the first option of a radio group."""
    if bound_field.id_for_label:
        return bound_field.id_for_label
    for subwidget in bound_field.subwidgets:
        if subwidget.id_for_label:
            return subwidget.id_for_label
    return bound_field.auto_id or ""


def error_summary(form_list) -> list[ErrorLink]:
    """Every error of the given forms, in field order; form-wide errors first, unlinked."""
    links = []
    for form in form_list:
        links.extend(ErrorLink(str(error)) for error in form.non_field_errors())
        for bound_field in form:
            for message in field_error_messages(bound_field):
                if bound_field.is_hidden:
                    links.append(ErrorLink(str(message)))
                else:
                    links.append(ErrorLink(str(message), field_anchor(bound_field)))
    return links


def forms_with_errors(values) -> list:
    """Bound forms with errors among template context values (also inside lists of objects
    carrying a ``form``, like voting slots). Only real forms are looked at: lazy objects in
    the context (e.g. the company) are never evaluated."""
    found = []

    def visit(value):
        if issubclass(type(value), forms.BaseForm):
            if value.is_bound and value.errors and value not in found:
                found.append(value)
        elif type(value) in (list, tuple):
            for item in value:
                if issubclass(type(item), forms.BaseForm):
                    visit(item)
                elif "form" in getattr(item, "__dict__", {}):
                    visit(item.__dict__["form"])

    for value in values:
        visit(value)
    return found


def shows_optional_marker(bound_field) -> bool:
    """Whether the label gets "(opcjonalnie)": optional fields, except a single checkbox
    (unticked is a normal answer) and labels that already say so."""
    return (
        not bound_field.field.required
        and bound_field.widget_type != "checkbox"
        and not any(word in str(bound_field.label).lower() for word in _SAYS_OPTIONAL)
    )
