import os
import re

from django.shortcuts import get_object_or_404
from django.views import View
from django.views.generic import ListView

from portal.files import serve_file
from portal.mixins import ResidentRequiredMixin

from .selectors import documents_for_user


def download_name(title: str, stored_name: str) -> str:
    """The document's title as a safe file name, with the stored file's extension."""
    base = re.sub(r'[\\/:*?"<>|\x00-\x1f]+', " ", title).strip()[:120] or "dokument"
    return base + os.path.splitext(stored_name)[1].lower()


class DocumentListView(ResidentRequiredMixin, ListView):
    template_name = "documents/document_list.html"
    context_object_name = "documents"
    paginate_by = 50

    def get_queryset(self):
        return documents_for_user(self.request.user)


class DocumentDownloadView(ResidentRequiredMixin, View):
    def get(self, request, pk):
        document = get_object_or_404(documents_for_user(request.user), pk=pk)
        return serve_file(
            document.file, download_name=download_name(document.title, document.file.name)
        )
