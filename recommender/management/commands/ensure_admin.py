"""Creates the first staff account for a fresh install, so the admin is reachable at once."""

import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Create a superuser 'admin' with a random password when no superuser exists yet."

    def handle(self, *args: object, **options: object) -> None:
        user_model = get_user_model()
        if user_model.objects.filter(is_superuser=True).exists():
            self.stdout.write("An admin account exists already.")
            return
        password = secrets.token_urlsafe(12)
        user_model.objects.create_superuser(username="admin", email="", password=password)
        credentials = Path(settings.VAR_DIR) / "admin-credentials.txt"
        credentials.write_text(f"username: admin\npassword: {password}\n")
        # The password is a secret: readable by the owner of the install only.
        credentials.chmod(0o600)
        self.stdout.write(f"Created the admin account 'admin'; its password is in {credentials}")
