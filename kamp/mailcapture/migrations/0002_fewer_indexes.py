"""The sender's own index dropped: the (sender, status) index starts with it."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("mailcapture", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="capturedmessage",
            name="sender",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="captured_mail",
                to=settings.AUTH_USER_MODEL,
                verbose_name="sent by",
            ),
        ),
    ]
