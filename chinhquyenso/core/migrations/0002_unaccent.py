# PostgreSQL's unaccent extension backs diacritic-insensitive search (core.search).
# The operation does nothing on other databases.
from django.contrib.postgres.operations import UnaccentExtension
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [UnaccentExtension()]
