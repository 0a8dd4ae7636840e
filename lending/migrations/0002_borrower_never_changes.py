"""A loan cannot be handed on to another person: PostgreSQL refuses any change of a loan's
borrower. (The application offers no way to change it; this holds even for raw SQL.)"""

from django.db import migrations

# "%%" because the schema editor formats the statement with (empty) parameters.
CREATE = """
CREATE OR REPLACE FUNCTION lending_loan_borrower_is_fixed() RETURNS trigger AS $$
BEGIN
    IF NEW.borrower_id IS DISTINCT FROM OLD.borrower_id THEN
        RAISE EXCEPTION 'a loan cannot be handed on to another borrower (loan %%)', OLD.id
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS lending_loan_borrower_is_fixed ON lending_loan;
CREATE TRIGGER lending_loan_borrower_is_fixed BEFORE UPDATE OF borrower_id ON lending_loan
    FOR EACH ROW EXECUTE FUNCTION lending_loan_borrower_is_fixed();
"""

DROP = """
DROP TRIGGER IF EXISTS lending_loan_borrower_is_fixed ON lending_loan;
DROP FUNCTION IF EXISTS lending_loan_borrower_is_fixed();
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("lending", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
