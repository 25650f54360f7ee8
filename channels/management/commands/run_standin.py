"""Serve the platform stand-in for the demo: Twilio, Meta Graph and X on one local port."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from channels.standin import StandIn, make_standin_server


class Command(BaseCommand):
    help = "Serve the stand-in for the Twilio, Meta Graph and X APIs that the demo talks to."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8001)

    def handle(self, *args, port: int, **options):
        if not settings.DEMO_ENABLED:
            raise CommandError("The platform stand-in is for the demo only (DEMO_ENABLED=false).")
        standin = StandIn(
            callback_base_url=settings.PUBLIC_BASE_URL,
            twilio_auth_token=settings.TWILIO_AUTH_TOKEN,
            meta_app_secret=settings.META_APP_SECRET,
            instagram_ids=(settings.META_INSTAGRAM_ID,),
            send_callbacks=True,
        )
        httpd = make_standin_server(standin, port)
        self.stdout.write(
            f"Platform stand-in listening on http://127.0.0.1:{httpd.server_port}, "
            f"sending callbacks to {settings.PUBLIC_BASE_URL}"
        )
        try:
            httpd.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            httpd.server_close()
