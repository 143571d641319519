# The "strefa_pl" collation on PostgreSQL (lib/collation.py); SQLite registers its own per
# connection, so the operation does nothing there.
from django.contrib.postgres.operations import CreateCollation
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = []

    operations = [
        CreateCollation("strefa_pl", provider="icu", locale="pl-u-kn-true"),
    ]
