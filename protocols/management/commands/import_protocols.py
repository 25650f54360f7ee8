from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from protocols import services
from protocols.workflow import Status
from protocols.yaml_format import InvalidFile, parse


class Command(BaseCommand):
    help = "Import protocols from a YAML file, whole or not at all; a changed protocol gets a new version."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--create-departments", action="store_true", help="Create departments the file names but we lack."
        )
        parser.add_argument(
            "--status",
            choices=[s.value for s in Status],
            default=Status.PUBLISHED,
            help="Status of protocols that are new (default: published).",
        )

    def handle(self, *args, file: Path, create_departments: bool, status: str, **options):
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"{file}: {error}") from error
        try:
            items = parse(text)
        except InvalidFile as error:
            raise CommandError(f"{file} is not imported:\n" + "\n".join(error.errors)) from error
        errors = [
            f"line {line}: {problem}"
            for line, content in items
            for problem in services.problems(content, create_departments=create_departments)
        ]
        if errors:
            raise CommandError(f"{file} is not imported:\n" + "\n".join(errors))
        result = services.import_protocols(
            [content for _line, content in items], create_departments=create_departments, status=status
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"{len(result.created)} new, {len(result.changed)} changed (new version), "
                f"{len(result.unchanged)} unchanged"
            )
        )
