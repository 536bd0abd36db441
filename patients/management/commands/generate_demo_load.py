from datetime import datetime

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from patients.demo_load import LOAD_PASSWORD, DemoLoad, Progress, clinician_username


def positive(value: str) -> int:
    number = int(value)
    if number < 0:
        raise ValueError(value)
    return number


class Command(BaseCommand):
    help = (
        "Generate a seeded clinic chain for load tests: clinics, clinicians, programmes, "
        "patients with assignments, sessions with check-ins, decisions and alerts."
    )

    def add_arguments(self, parser):
        parser.add_argument("--clinics", type=positive, default=20)
        parser.add_argument("--patients", type=positive, default=5000)
        parser.add_argument("--sessions", type=positive, default=1_000_000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--until",
            help="End of the generated history (ISO date-time; default now). With the same "
            "seed and end the data is identical.",
        )
        parser.add_argument("--batch-size", type=positive, default=5000)
        parser.add_argument(
            "--force",
            action="store_true",
            help="Replace the generated clinics if they already exist.",
        )

    def handle(self, *args, **options):
        if options["clinics"] < 1 or options["patients"] < options["clinics"]:
            raise CommandError("Give at least one clinic and at least one patient per clinic.")
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1.")
        until = self.parse_until(options["until"])
        progress = Progress(options["sessions"], stream=self.stderr._out)
        load = DemoLoad(
            clinics=options["clinics"],
            patients=options["patients"],
            sessions=options["sessions"],
            seed=options["seed"],
            until=until,
            batch_size=options["batch_size"],
            progress=progress.show,
        )
        existing = load.existing_clinics()
        if existing.exists():
            if not options["force"]:
                raise CommandError(
                    f"{existing.count()} of these clinics already exist in "
                    f"{connection.settings_dict['NAME']}; rerun with --force to replace them."
                )
            self.stderr.write("Removing the clinics generated before …")
            DemoLoad.delete_clinics(existing)
        summary = load.run()
        self.stdout.write(
            self.style.SUCCESS(
                f"Generated in {summary.seconds:.1f} s on {connection.vendor} "
                f"(seed {options['seed']}, until {until.isoformat(timespec='seconds')}):"
            )
        )
        for name, count in summary.counts.items():
            self.stdout.write(f"  {name:<16} {count:>10,}")
        self.stdout.write(
            f"Sign in as {clinician_username(0, 1)} (or any patient's username) "
            f"with password {LOAD_PASSWORD}"
        )

    @staticmethod
    def parse_until(text) -> datetime:
        if not text:
            return timezone.now()
        moment = parse_datetime(text)
        if moment is None:
            raise CommandError(f"--until {text!r} is not an ISO date-time.")
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        return moment
