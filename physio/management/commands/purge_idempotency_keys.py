from django.core.management.base import BaseCommand

from physio import idempotency


class Command(BaseCommand):
    help = (
        "Delete stored Idempotency-Key answers older than 24 hours. Run it daily; until "
        "then an older key still replays its first answer."
    )

    def handle(self, *args, **options):
        deleted = idempotency.purge_expired()
        self.stdout.write(f"{deleted} expired Idempotency-Key records deleted.")
