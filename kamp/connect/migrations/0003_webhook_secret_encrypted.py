"""Webhook signing secrets kept encrypted (kamp.connect.crypto, as calendar credentials are):
the ones stored in clear by an earlier kamp are encrypted in place; going back decrypts them."""

from django.db import migrations, models


def encrypt_secrets(apps, schema_editor):
    from kamp.connect import crypto

    Endpoint = apps.get_model("connect", "WebhookEndpoint")
    for endpoint in Endpoint.objects.only("pk", "secret").iterator():
        try:
            crypto.decrypt(endpoint.secret)
            continue  # already encrypted
        except crypto.Unreadable:
            pass
        Endpoint.objects.filter(pk=endpoint.pk).update(
            secret=crypto.encrypt({"secret": endpoint.secret})
        )


def decrypt_secrets(apps, schema_editor):
    from kamp.connect import crypto

    Endpoint = apps.get_model("connect", "WebhookEndpoint")
    for endpoint in Endpoint.objects.only("pk", "secret").iterator():
        try:
            clear = crypto.decrypt(endpoint.secret)["secret"]
        except (crypto.Unreadable, KeyError, TypeError):
            continue
        Endpoint.objects.filter(pk=endpoint.pk).update(secret=clear)


class Migration(migrations.Migration):
    dependencies = [
        ("connect", "0002_calendar_connections"),
    ]

    operations = [
        migrations.AlterField(
            model_name="webhookendpoint",
            name="secret",
            field=models.TextField(editable=False),
        ),
        migrations.RunPython(encrypt_secrets, decrypt_secrets, elidable=False),
    ]
