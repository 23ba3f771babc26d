"""Create demo organisations, people and improvement work. Safe to run again."""

import os
from importlib import import_module

from django.core.management.base import BaseCommand

from pace_hub.demo import DEMO_PASSWORD, ORGANISATIONS, seed_organisation, seed_shared_member
from pace_hub.roles import Role

# Each domain app may add its own demo data in `<app>/demo.py: seed(demo)`, in dependency order.
APP_DEMOS = ["measures", "aims", "pdsa", "governance"]


class Command(BaseCommand):
    help = "Create (or top up) the demo organisations and print their sign-ins."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--port",
            type=int,
            default=int(os.environ.get("PORT", "8000")),
            help="the port runserver will listen on, for the printed address (default: $PORT or 8000)",
        )

    def handle(self, *args, **options) -> None:
        orgs = [seed_organisation(name, slug, domain) for name, slug, domain in ORGANISATIONS]
        shared = seed_shared_member(orgs)
        for app in APP_DEMOS:
            try:
                module = import_module(f"{app}.demo")
            except ModuleNotFoundError as error:
                if error.name != f"{app}.demo":
                    raise
                continue
            for demo in orgs:
                module.seed(demo)
        self.stdout.write(self.style.SUCCESS(f"Demo data ready. Sign in at http://127.0.0.1:{options['port']}/ with:"))
        for demo in orgs:
            self.stdout.write(f"\n  {demo.organisation.name}")
            for role in Role:
                self.stdout.write(f"    {role.label:<10} {demo.people[role].user.email}")
        self.stdout.write(f"\n  In both organisations (lead): {shared.email}")
        self.stdout.write(f"  Password for every demo account: {DEMO_PASSWORD}\n")
