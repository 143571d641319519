"""django-tasks' database queue under a Polish name in admin (its own name is fixed English).

Apart from portal/apps.py: a module with two AppConfig classes has no default one, and the
portal's own ``ready()`` would not run.
"""

from django.utils.translation import gettext_lazy as _
from django_tasks_db.apps import TasksAppConfig


class TasksDbConfig(TasksAppConfig):
    """django-tasks' database queue, named in Polish in admin (its own name is fixed English)."""

    verbose_name = _("Zadania w tle")
