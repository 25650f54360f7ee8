from pathlib import Path

from django.core.management.base import BaseCommand

from protocols.models import Protocol
from protocols.services import content_of
from protocols.yaml_format import dump


class Command(BaseCommand):
    help = "Export the current version of every protocol (retired ones too, with --all) as YAML."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--all", action="store_true", help="Include retired protocols.")

    def handle(self, *args, file: Path, all: bool, **options):  # noqa: A002 (the option's name)
        protocols = Protocol.objects.with_current().exclude(current=None)
        if not all:
            protocols = protocols.exclude(status="retired")
        file.write_text(dump([content_of(p) for p in protocols]), encoding="utf-8")
        self.stdout.write(self.style.SUCCESS(f"{protocols.count()} protocols written to {file}"))
