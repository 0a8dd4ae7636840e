"""Custody on the dossier: where its original is (being filed, in its cabinet, on loan, held apart
for destruction, destroyed), set by the services that move it, so lending reads it here instead of
asking destruction.

Existing dossiers get what their status says (this app's part); lending/0006 marks those whose
original is out, destruction/0004 those held apart. Past history rows keep an empty custody: it
was not recorded then (history is evidence, never rewritten). Adding the column makes SQLite
rebuild the tables, which drops their guard triggers: they are installed again last."""

from django.db import migrations, models

from crm_archive.db_guards import guard_tables

CUSTODY_CHOICES = [
    ("filing", "临时档案"),
    ("in_cabinet", "正式档案"),
    ("on_loan", "原件已借出"),
    ("held_apart", "已批准，单独存放中"),
    ("destroyed", "已销毁"),
]


def custody_field(default):
    return models.CharField(
        choices=CUSTODY_CHOICES, db_index=True, default=default, max_length=16, verbose_name="存放地点"
    )


def custody_from_status(apps, schema_editor):
    """Temporary dossiers and those awaiting promotion are being filed; formal ones are in their
    cabinet; destroyed ones are destroyed."""
    Dossier = apps.get_model("dossiers", "Dossier")
    Dossier.objects.filter(status="destroyed").update(custody="destroyed")
    Dossier.objects.filter(status="formal").update(custody="in_cabinet")
    Dossier.objects.filter(status__in=["temporary", "completion_received"]).update(custody="filing")


class Migration(migrations.Migration):
    dependencies = [("dossiers", "0006_evidence_guards")]

    operations = [
        migrations.AddField("dossier", "custody", custody_field(""), preserve_default=False),
        migrations.AddField("historicaldossier", "custody", custody_field(""), preserve_default=False),
        migrations.AlterField("dossier", "custody", custody_field("filing")),
        migrations.AlterField("historicaldossier", "custody", custody_field("filing")),
        migrations.RunPython(custody_from_status, migrations.RunPython.noop),
        guard_tables(
            "dossiers",
            never_deleted=["dossiers_dossier", "dossiers_document"],
            append_only=["dossiers_backupkeyuse", "dossiers_historicaldossier", "dossiers_historicaldocument"],
        ),
    ]
