"""Webhook addresses kept encrypted (kamp.connect.crypto, as the signing secrets are) and shown
masked (``url``: scheme, host, port, first path segment; receivers put their secret in the rest
of the path or the query). The addresses an earlier kamp stored in clear are encrypted and
masked in place, and so are the addresses its audit trail kept for the webhooks' creations,
changes and deletions. Going back decrypts the addresses (the audit trail stays masked)."""

from django.db import migrations, models


def encrypt_addresses(apps, schema_editor):
    from kamp.connect import crypto
    from kamp.connect.models import masked_address

    Endpoint = apps.get_model("connect", "WebhookEndpoint")
    for endpoint in Endpoint.objects.only("pk", "url", "address").iterator():
        if endpoint.address:
            continue
        Endpoint.objects.filter(pk=endpoint.pk).update(
            address=crypto.encrypt({"url": endpoint.url}), url=masked_address(endpoint.url)
        )
    AuditEvent = apps.get_model("core", "AuditEvent")
    events = AuditEvent.objects.filter(object_type="connect.webhookendpoint")
    for event in events.only("pk", "changes").iterator():
        changes = event.changes if isinstance(event.changes, list) else []
        masked = [
            {
                **c,
                **{
                    k: masked_address(c[k])
                    for k in ("old", "new", "before", "after")
                    if isinstance(c.get(k), str) and c[k]
                },
            }
            if isinstance(c, dict) and c.get("field") == "url"
            else c
            for c in changes
        ]
        if masked != changes:
            AuditEvent.objects.filter(pk=event.pk).update(changes=masked)


def decrypt_addresses(apps, schema_editor):
    from kamp.connect import crypto

    Endpoint = apps.get_model("connect", "WebhookEndpoint")
    for endpoint in Endpoint.objects.only("pk", "address").iterator():
        try:
            clear = crypto.decrypt(endpoint.address)["url"]
        except (crypto.Unreadable, KeyError, TypeError):
            continue
        Endpoint.objects.filter(pk=endpoint.pk).update(url=clear[:500], address="")


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0006_audit_object_labels"),
        ("connect", "0003_webhook_secret_encrypted"),
    ]

    operations = [
        migrations.AddField(
            model_name="webhookendpoint",
            name="address",
            field=models.TextField(default="", editable=False),
        ),
        migrations.AlterField(
            model_name="webhookendpoint",
            name="url",
            field=models.CharField(max_length=500, verbose_name="URL"),
        ),
        migrations.RunPython(encrypt_addresses, decrypt_addresses, elidable=False),
    ]
