from django.shortcuts import get_object_or_404
from django.views import View
from django.views.generic import ListView

from portal.files import serve_file
from portal.mixins import ResidentRequiredMixin

from .selectors import documents_for_user


class DocumentListView(ResidentRequiredMixin, ListView):
    template_name = "documents/document_list.html"
    context_object_name = "documents"
    paginate_by = 50

    def get_queryset(self):
        return documents_for_user(self.request.user)


class DocumentDownloadView(ResidentRequiredMixin, View):
    def get(self, request, pk):
        document = get_object_or_404(documents_for_user(request.user), pk=pk)
        # The title, with the stored file's extension (serve_file).
        return serve_file(document.file, download_name=document.title)
