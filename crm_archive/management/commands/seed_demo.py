from django.core.management.base import BaseCommand

from accounts.demo import DEMO_PASSWORD, PEOPLE, seed_people
from customers.demo import seed_customers
from destruction.demo import seed_destruction
from dossiers.demo import seed_dossiers
from lending.demo import seed_loans


class Command(BaseCommand):
    help = "Create demo departments, one user per role and sample records (idempotent)."

    def handle(self, *args, **options):
        users = seed_people()
        count = seed_customers(users)
        dossiers = seed_dossiers(users)
        loans = seed_loans(users)
        seed_destruction(users)
        self.stdout.write(self.style.SUCCESS("Demo data ready. Sign in with any of these users:"))
        self.stdout.write(f"  {'admin':<10} superuser")
        for username, _last, _first, _department, roles in PEOPLE:
            self.stdout.write(f"  {username:<10} {', '.join(str(role.value) for role in roles)}")
        self.stdout.write(f"Password for all of them: {DEMO_PASSWORD}")
        self.stdout.write(
            f"{count} demo customers across every secrecy tier, {dossiers} dossiers in every state, {loans} loans."
        )
