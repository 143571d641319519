from django import forms
from django.utils.translation import gettext_lazy as _

from community.models import Vote


class VoteForm(forms.Form):
    """One premises' vote. The service decides whether this person may cast it."""

    premises = forms.IntegerField(widget=forms.HiddenInput)
    choice = forms.ChoiceField(
        label=_("Twój głos"),
        choices=Vote.Choice.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Wybierz: za, przeciw albo wstrzymuję się.")},
    )

    def __init__(self, *args, premises_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.premises_ids = set(premises_ids)

    def clean_premises(self):
        pk = self.cleaned_data["premises"]
        if pk not in self.premises_ids:
            raise forms.ValidationError(_("Wybierz jeden ze swoich lokali w tej wspólnocie."))
        return pk
