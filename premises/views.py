from django.views.generic import DetailView, ListView

from portal.mixins import ResidentRequiredMixin

from .selectors import premises_with_holders_for_user, with_roles_of


class PremisesListView(ResidentRequiredMixin, ListView):
    template_name = "premises/premises_list.html"
    context_object_name = "premises_list"
    paginate_by = 20

    def get_queryset(self):
        return premises_with_holders_for_user(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        with_roles_of(context["premises_list"], self.request.user)
        return context


class PremisesDetailView(ResidentRequiredMixin, DetailView):
    template_name = "premises/premises_detail.html"
    context_object_name = "premises"

    def get_queryset(self):
        return premises_with_holders_for_user(self.request.user)

    def get_object(self, queryset=None):
        premises = super().get_object(queryset)
        with_roles_of([premises], self.request.user)
        return premises
