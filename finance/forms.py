import calendar
import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

MONTH_FORMATS = ["%Y-%m", "%m.%Y", "%m/%Y"]


class MonthInput(forms.DateInput):
    input_type = "month"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m")


class MonthField(forms.DateField):
    widget = MonthInput

    def __init__(self, **kwargs):
        kwargs.setdefault("input_formats", MONTH_FORMATS)
        kwargs.setdefault(
            "error_messages", {"invalid": _("Podaj miesiąc w postaci RRRR-MM, np. 2025-05.")}
        )
        super().__init__(**kwargs)


class LedgerFilterForm(forms.Form):
    """The period of the history and of the statement: from one month to another."""

    # Firefox and Safari on a computer show a month field as a plain text box: the hint says
    # what to type there.
    od = MonthField(label=_("Od miesiąca"), required=False, help_text=_("Np. 2025-05."))
    do = MonthField(label=_("Do miesiąca"), required=False, help_text=_("Np. 2025-12."))

    def clean(self):
        data = super().clean()
        start, end = data.get("od"), data.get("do")
        if start and end and start > end:
            raise forms.ValidationError(_("Początek okresu nie może być późniejszy niż koniec."))
        return data

    @property
    def date_from(self) -> datetime.date | None:
        start = self.cleaned_data.get("od") if self.is_bound and self.is_valid() else None
        return start.replace(day=1) if start else None

    @property
    def date_to(self) -> datetime.date | None:
        end = self.cleaned_data.get("do") if self.is_bound and self.is_valid() else None
        if not end:
            return None
        return end.replace(day=calendar.monthrange(end.year, end.month)[1])
