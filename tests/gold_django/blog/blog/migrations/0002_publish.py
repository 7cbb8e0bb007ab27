"""Gold (Django): a migration, written with the public django.db.migrations API."""
from django.conf import settings  # expect: django.conf.settings import
from django.db import migrations, models


def publish_all(apps, schema_editor):
    Post = apps.get_model("blog", "Post")
    Post.objects.update(published=True)


class Migration(migrations.Migration):  # expect: django.db.migrations.migration.Migration subclass
    dependencies = [migrations.swappable_dependency(settings.AUTH_USER_MODEL)]  # expect: django.db.migrations.migration.swappable_dependency call; django.conf.settings attribute
    operations = [
        migrations.AddField("post", "published", models.BooleanField(default=False)),  # expect: django.db.migrations.operations.fields.AddField call; django.db.models.fields.BooleanField call
        migrations.RunPython(publish_all, migrations.RunPython.noop),  # expect: django.db.migrations.operations.special.RunPython call; django.db.migrations.operations.special.RunPython attribute
    ]
