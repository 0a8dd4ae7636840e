"""Dossiers whose original is out on an issued loan are on loan (see dossiers/0007)."""

from django.db import migrations


def custody_of_originals_out(apps, schema_editor):
    Dossier = apps.get_model("dossiers", "Dossier")
    Loan = apps.get_model("lending", "Loan")
    issued = Loan.objects.filter(status="issued").values("dossier_id")
    Dossier.objects.filter(custody="in_cabinet", pk__in=issued).update(custody="on_loan")


class Migration(migrations.Migration):
    dependencies = [("lending", "0005_evidence_guards"), ("dossiers", "0007_dossier_custody")]

    operations = [migrations.RunPython(custody_of_originals_out, migrations.RunPython.noop)]
