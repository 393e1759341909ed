"""``kamp createuser EMAIL --role ROLE``: add one of our people from the command line."""

from __future__ import annotations

import getpass
import sys

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.db import transaction

from kamp.core import audit
from kamp.core.choices import Function, Role
from kamp.core.models import User


class Command(BaseCommand):
    help = (
        "Create a user who logs in with EMAIL. Roles: "
        + ", ".join(Role.values)
        + ". Functions: "
        + ", ".join(Function.values)
        + ". The password is asked for (or read from standard input with --password-stdin)."
    )

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--role", required=True, help="One of: " + ", ".join(Role.values))
        parser.add_argument("--name", default="", help="Full name, as colleagues see it.")
        parser.add_argument(
            "--function",
            default=Function.SALES,
            help="One of: " + ", ".join(Function.values) + " (default sales)",
        )
        parser.add_argument("--language", default="", help="es or en (default: the browser's)")
        parser.add_argument(
            "--password-stdin",
            action="store_true",
            help="Read the password from the first line of standard input.",
        )

    def handle(self, *args, email, role, name, function, language, password_stdin, **options):
        email = email.strip().lower()
        try:
            validate_email(email)
        except ValidationError:
            raise CommandError(f"“{email}” is not an e-mail address.")
        role, function = role.strip().lower(), function.strip().lower()
        if role not in Role.values:
            raise CommandError(f"Unknown role “{role}”. Choose one of: {', '.join(Role.values)}.")
        if function not in Function.values:
            raise CommandError(
                f"Unknown function “{function}”. Choose one of: {', '.join(Function.values)}."
            )
        if language and language not in ("es", "en"):
            raise CommandError("Language must be es or en.")
        if User.objects.filter(email__iexact=email).exists():
            raise CommandError(f"A user with the e-mail {email} already exists.")
        password = self.read_password(password_stdin)
        user = User(email=email, name=name, role=role, function=function, language=language)
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise CommandError("Password refused: " + " ".join(exc.messages))
        with transaction.atomic():
            user.set_password(password)
            if role == Role.ADMIN:
                user.is_staff = user.is_superuser = True
            user.save()
            audit.record(None, "create", user, summary=f"createuser: {email} ({role})")
        self.stdout.write(self.style.SUCCESS(f"Created {email} ({user.get_role_display()})."))

    def read_password(self, from_stdin: bool) -> str:
        if from_stdin:
            password = sys.stdin.readline().rstrip("\r\n")
            if not password:
                raise CommandError("No password on standard input.")
            return password
        if not sys.stdin.isatty():
            raise CommandError("No terminal to ask for the password: use --password-stdin.")
        first = getpass.getpass("Password: ")
        second = getpass.getpass("Password (again): ")
        if first != second:
            raise CommandError("The two passwords differ.")
        if not first:
            raise CommandError("An empty password is not allowed.")
        return first
