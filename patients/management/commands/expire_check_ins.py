from django.core.management.base import BaseCommand

from patients.services import expire_pending_check_ins


class Command(BaseCommand):
    help = (
        "Decide on sessions whose morning check-in never came (they count as amber after "
        "36 hours). Run it from a scheduler, e.g. every 15 minutes."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--queue", action="store_true", help="Queue the work for `db_worker` instead."
        )

    def handle(self, *args, queue=False, **options):
        if queue:
            from patients.tasks import expire_check_ins

            expire_check_ins.enqueue()
            self.stdout.write("Queued.")
            return
        count = expire_pending_check_ins()
        self.stdout.write(f"Re-decided {count} item(s) with an expired check-in.")
