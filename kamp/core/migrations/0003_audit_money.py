from django.db import migrations, models

# The trail written before the flag existed: the kinds of record that hold amounts (the same
# list ``kamp.core.audit.MONEY_TYPES`` infers from), so old entries are hidden like new ones.
MONEY_TYPES = [
    "economics.investment",
    "economics.investmentallocation",
    "economics.categoryspend",
    "economics.activityrecord",
    "economics.salesline",
    "economics.salesmonth",
    "economics.exchangerate",
    "plans.whitespacecell",
]


def mark_money(apps, schema_editor):
    AuditEvent = apps.get_model("core", "AuditEvent")
    AuditEvent.objects.filter(object_type__in=MONEY_TYPES).update(money=True)
    # An objective is money only when financial; the old trail does not say which, so any
    # entry that touched a target or current value is treated as money (never show too much).
    for event in AuditEvent.objects.filter(object_type="plans.objective").only("id", "changes"):
        fields = {c.get("field") for c in event.changes or [] if isinstance(c, dict)}
        if fields & {"target", "current", "is_financial"}:
            AuditEvent.objects.filter(pk=event.pk).update(money=True)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_importbatch_invalid_count_importbatch_message_and_more"),
    ]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="money",
            field=models.BooleanField(default=False, verbose_name="holds money"),
        ),
        migrations.RunPython(mark_money, migrations.RunPython.noop),
    ]
