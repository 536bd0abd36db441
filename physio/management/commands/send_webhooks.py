from django.core.management.base import BaseCommand

from physio import webhooks


class Command(BaseCommand):
    help = (
        "Send every webhook delivery that is due, first tries and retries alike. "
        "Run it every minute from a scheduler; the task worker also retries on its own."
    )

    def handle(self, *args, **options):
        sent = webhooks.send_due()
        self.stdout.write(f"{sent} webhook deliveries tried.")
