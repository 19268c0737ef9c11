from django.core.management.base import BaseCommand

from shiyu.metrics import analytics


class Command(BaseCommand):
    help = ("Bring the analytics copy (Parquet under SHIYU_ANALYTICS_DIR) in step with the database: the months "
            "changed since the last sync, or all of them with --full. Run it every few minutes.")

    def add_arguments(self, parser):
        parser.add_argument("--full", action="store_true", help="rewrite every month and drop months now empty")

    def handle(self, *args, full: bool = False, **options):
        report = analytics.sync(full=full)
        months = ", ".join(report.months) or "none"
        self.stdout.write(f"{report.tickets} tickets in {len(report.months)} months ({months}) "
                          f"in {report.seconds:.1f} s; as of {report.synced_at.isoformat()}")
