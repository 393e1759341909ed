"""Indexes that another index starts with dropped: the account-and-date index and the
customer, people-link and contact-link foreign keys' own ones (the fingerprint index and the
unique (interaction, …) constraints lead with the same columns) — fewer indexes written for
each interaction logged, the same queries served."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0009_customer_updated_at_index"),
        ("interactions", "0007_interaction_fingerprint_index"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="interaction",
            name="interaction_custome_fa5a9b_idx",
        ),
        migrations.AlterField(
            model_name="interaction",
            name="customer",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="interactions",
                to="customers.customer",
                verbose_name="customer",
            ),
        ),
        migrations.AlterField(
            model_name="interactioncontact",
            name="interaction",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="contact_links",
                to="interactions.interaction",
            ),
        ),
        migrations.AlterField(
            model_name="interactionperson",
            name="interaction",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="people_links",
                to="interactions.interaction",
            ),
        ),
    ]
