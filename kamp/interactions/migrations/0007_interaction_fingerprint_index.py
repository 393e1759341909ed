from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("interactions", "0006_interactionsettings_version"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="interaction",
            index=models.Index(
                fields=["customer", "date", "updated_at", "id"], name="interaction_fingerprint"
            ),
        ),
    ]
