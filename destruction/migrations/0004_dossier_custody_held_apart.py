"""Dossiers with an item still proposed on a list approved and held apart (or verified) are held
apart (see dossiers/0007). Runs after lending/0006: an original found out on loan stays on loan."""

from django.db import migrations


def custody_of_dossiers_held_apart(apps, schema_editor):
    Dossier = apps.get_model("dossiers", "Dossier")
    DestructionItem = apps.get_model("destruction", "DestructionItem")
    held = DestructionItem.objects.filter(
        status="proposed", destruction_list__status__in=["held", "verified"]
    ).values("dossier_id")
    Dossier.objects.filter(custody="in_cabinet", pk__in=held).update(custody="held_apart")


class Migration(migrations.Migration):
    dependencies = [("destruction", "0003_evidence_guards"), ("lending", "0006_dossier_custody_on_loan")]

    operations = [migrations.RunPython(custody_of_dossiers_held_apart, migrations.RunPython.noop)]
