from django.core.management.base import BaseCommand, CommandError

from accounts import two_factor
from accounts.services import ProvisioningError, api_token_for, provision_user
from webcare.roles import Role


class Command(BaseCommand):
    help = "Create or update a member of staff with a role; --token prints an API token."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--team", help="team slug (agents and leads)")
        parser.add_argument("--department", help="department slug (department members)")
        parser.add_argument("--password")
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument("--initials", default="")
        parser.add_argument("--token", action="store_true", help="print an API token")

    def handle(self, *args, **options):
        try:
            user = provision_user(
                username=options["username"],
                role=options["role"],
                team_slug=options["team"],
                department_slug=options["department"],
                password=options["password"],
                first_name=options["first_name"],
                last_name=options["last_name"],
                initials=options["initials"],
            )
        except ProvisioningError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"{user.username}: {user.get_role_display()}")
        if options["token"]:
            # A token skips the log-in: a role that must use two-factor gets one only after setting it up.
            if two_factor.is_required_for(user) and not two_factor.has_two_factor(user):
                raise CommandError(
                    f"{user.username} must set up two-factor log-in (account page) before getting a token."
                )
            self.stdout.write(api_token_for(user))
