from django.views.generic import DetailView, ListView

from portal.mixins import ResidentRequiredMixin

from .selectors import premises_with_holders_for_user


class PremisesListView(ResidentRequiredMixin, ListView):
    template_name = "premises/premises_list.html"
    context_object_name = "premises_list"
    paginate_by = 20

    def get_queryset(self):
        return premises_with_holders_for_user(self.request.user)


class PremisesDetailView(ResidentRequiredMixin, DetailView):
    template_name = "premises/premises_detail.html"
    context_object_name = "premises"

    def get_queryset(self):
        return premises_with_holders_for_user(self.request.user)
