"""The `shiyu` console command."""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shiyu.settings")
    import django

    django.setup()


def cmd_demo(args) -> int:
    _django()
    from django.core.management import call_command
    from tqdm import tqdm

    from shiyu.demo import build
    from shiyu.demo.alerts import seed_alert_handling
    from shiyu.demo.patrol import seed_patrol_reports
    from shiyu.demo.tickets import generate_tickets

    call_command("migrate", verbosity=0)
    if args.force and build.demo_exists():
        call_command("flush", interactive=False, verbosity=0)
    if not build.demo_exists():
        started = time.monotonic()
        with tqdm(total=3, desc="demo city", unit="step") as bar:
            def step(label):
                bar.set_postfix_str(label)
                bar.update(0 if label == "city plan" else 1)
            build.build_city(args.seed, progress=step)
            bar.update(1)
        generate_tickets(count=args.tickets, seed=args.seed, progress=True)
        _train_demo_model()
        seed_patrol_reports(args.seed)
        seed_alert_handling()
        print(f"demo city ready in {time.monotonic() - started:.0f} s")
    access = build.demo_access()
    build.grant_demo_access(access)
    _print_access(access, args.port)
    return serve(args.port, args.workers) if args.serve else 0


def _train_demo_model() -> None:
    """The demo ships a category model learnt from its own closed tickets, as a city's
    would be (`shiyu classifier train --from-db`)."""
    from shiyu.intake.training import train_from_db

    bars = _ProgressBars()
    model = train_from_db(progress=bars)
    bars.close()
    metrics = model.metadata["metrics"]
    print(f"category model: {len(model.labels)} categories from {metrics['n']} closed tickets "
          f"in {metrics['train_seconds']:.0f} s")


def _print_access(access, port: int) -> None:
    base = f"http://127.0.0.1:{port}"
    print(f"""
  Shiyu 市域 demo city
  web        {base}/            (login: {base}/accounts/login/)
  residents  {base}/portal/     (我要说话, no login)   command dashboard: {base}/dashboard/
  admin      {base}/admin/
  staff API  {base}/api/tickets/   docs: {base}/api/docs/
  Open311    {base}/open311/v2/discovery.json

  logins     citizen operator dispatcher handler gridworker supervisor leader admin
  password   {access.password}{'   (generated; set SHIYU_DEMO_PASSWORD to choose)' if access.password_generated else ''}
  api_key    {access.api_key}{'   (generated; set SHIYU_DEMO_API_KEY to choose)' if access.api_key_generated else ''}
""", flush=True)


def serve(port: int, workers: int = 2) -> int:
    """gunicorn in front of Django; whitenoise serves the static files."""
    command = [sys.executable, "-m", "gunicorn", "shiyu.wsgi:application", "--bind", f"127.0.0.1:{port}",
               "--workers", str(workers), "--access-logfile", "-", "--timeout", "120",
               # gunicorn's control socket sits in the home folder: a second server would clash with it
               "--no-control-socket"]
    try:
        return subprocess.call(command)
    except KeyboardInterrupt:
        return 0


def cmd_serve(args) -> int:
    return serve(args.port, args.workers)


def cmd_tick(args) -> int:
    """One deadline sweep now: what each web process's thread or Celery beat does
    every SHIYU_SWEEP_SECONDS. Prints what it changed as JSON."""
    _django()
    import json
    from dataclasses import asdict

    from shiyu.deadlines.services import sweep

    print(json.dumps(asdict(sweep())))
    return 0


def cmd_bench_ranking(args) -> int:
    """Time the monthly ranking on N generated tickets (shiyu.metrics.benchmark)."""
    _django()
    from django.conf import settings
    from django.utils import timezone

    from shiyu.metrics import benchmark, core

    counts = [int(n.replace("_", "")) for n in args.tickets.split(",")]
    month = (core.parse_month(args.month) if args.month
             else core.month_of_datetime(timezone.now(), settings.TIME_ZONE) - 1)
    root = settings.VAR_DIR / "bench" / "ranking"
    return benchmark.main(counts, root=root, seed=args.seed, month=month, repeat=args.repeat, keep=args.keep,
                          as_json=args.json)


# ---------------------------------------------------------------- classifier

class _ProgressBars:
    """progress(stage, done, total) callbacks as one tqdm bar per stage, on stderr."""

    def __init__(self):
        self.stage, self.bar = None, None

    def __call__(self, stage: str, done: int, total: int) -> None:
        from tqdm import tqdm

        if stage != self.stage:
            self.close()
            self.stage, self.bar = stage, tqdm(total=total, desc=stage, unit="it", disable=None, leave=False)
        self.bar.update(done - self.bar.n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
        self.stage, self.bar = None, None


def _classifier_errors(command):
    """Data and model errors end the command with their message and exit code 2, no traceback."""
    def run(args) -> int:
        from shiyu.nlp.classifier import DataError, ModelError

        try:
            return command(args)
        except (DataError, ModelError) as error:
            print(f"shiyu classifier: {error}", file=sys.stderr)
            return 2
    return run


def _print_json(figures: dict) -> None:
    import json

    print(json.dumps(figures, ensure_ascii=False))


@_classifier_errors
def cmd_classifier_train(args) -> int:
    if bool(args.data) == args.from_db:
        print("shiyu classifier train: give either --data FILE.csv or --from-db", file=sys.stderr)
        return 2
    if args.data and not args.out:
        print("shiyu classifier train: --out is required with --data", file=sys.stderr)
        return 2
    bars = _ProgressBars()
    model, out = _train_from_db(args, bars) if args.from_db else _train_from_csv(args, bars)
    bars.close()
    metrics = model.metadata["metrics"]
    print(f"trained on {metrics['n']} texts, {len(model.labels)} labels in {metrics['train_seconds']} s; saved {out}")
    if args.json:
        _print_json({"model": str(out), "labels": model.labels, **metrics})
    return 0


def _train_from_csv(args, progress):
    from shiyu.nlp.classifier import read_csv, train

    texts, labels = read_csv(args.data, text_col=args.text_col, label_col=args.label_col)
    model = train(texts, labels, progress=progress)
    model.save(args.out)
    return model, args.out


def _train_from_db(args, progress):
    """The platform's own closed and re-categorised tickets; by default the model
    written is the one intake reads (SHIYU_CLASSIFIER_MODEL)."""
    _django()
    from django.conf import settings

    from shiyu.intake.training import train_from_db

    model = train_from_db(args.out, limit=args.limit, progress=progress)
    return model, args.out or settings.SHIYU_CLASSIFIER_MODEL


@_classifier_errors
def cmd_classifier_evaluate(args) -> int:
    from shiyu.nlp.classifier import Classifier, evaluate, read_csv

    model = Classifier.load(args.model)
    texts, labels = read_csv(args.data, text_col=args.text_col, label_col=args.label_col)
    figures = evaluate(model, texts, labels)
    print(f"macro-F1 {figures['macro_f1']:.4f}  accuracy {figures['accuracy']:.4f}  "
          f"on {figures['n']} texts, {figures['docs_per_second']:.0f} texts/s")
    if args.json:
        _print_json(figures)
    return 0


@_classifier_errors
def cmd_classifier_cv(args) -> int:
    from shiyu.nlp.classifier import cross_validate, read_csv

    texts, labels = read_csv(args.data, text_col=args.text_col, label_col=args.label_col)
    bars = _ProgressBars()
    figures = cross_validate(texts, labels, folds=args.folds, seed=args.seed, progress=bars,
                             group_duplicates=not args.keep_duplicates_apart)
    bars.close()
    print(f"macro-F1 {figures['macro_f1']['mean']:.4f} ± {figures['macro_f1']['std']:.4f}  "
          f"accuracy {figures['accuracy']['mean']:.4f}  ECE {figures['ece']:.4f}  ({args.folds} folds)")
    if args.json:
        _print_json(figures)
    return 0


def _add_classifier_parser(commands) -> None:
    classifier = commands.add_parser("classifier", help="train and check the category classifier (CSV: text,label)")
    actions = classifier.add_subparsers(dest="action", required=True)

    def data_arguments(parser, required=True):
        parser.add_argument("--data", required=required, help="UTF-8 CSV with a header row")
        parser.add_argument("--text-col", default="text")
        parser.add_argument("--label-col", default="label")
        parser.add_argument("--json", action="store_true", help="print the figures as JSON on the last line")

    train = actions.add_parser("train", help="train a model and save it")
    data_arguments(train, required=False)
    train.add_argument("--from-db", action="store_true",
                       help="learn from the platform's closed tickets and operators' corrections")
    train.add_argument("--limit", type=int, default=None, help="with --from-db: the newest N closed tickets "
                                                               "(default SHIYU_TRAINING_MAX)")
    train.add_argument("--out", help="model file to write (with --from-db: default SHIYU_CLASSIFIER_MODEL, "
                                     "which intake reads)")
    train.set_defaults(func=cmd_classifier_train)

    evaluate = actions.add_parser("evaluate", help="macro-F1, accuracy and speed of a model on labelled data")
    data_arguments(evaluate)
    evaluate.add_argument("--model", required=True)
    evaluate.set_defaults(func=cmd_classifier_evaluate)

    cv = actions.add_parser("cv", help="stratified k-fold cross-validation; near-duplicates share a fold")
    data_arguments(cv)
    cv.add_argument("--folds", type=int, default=5)
    cv.add_argument("--seed", type=int, default=0)
    cv.add_argument("--keep-duplicates-apart", action="store_true",
                    help="let near-duplicate texts fall in different folds (optimistic figures)")
    cv.set_defaults(func=cmd_classifier_cv)


# ---------------------------------------------------------------- hot spots

def cmd_hotspots(args) -> int:
    """The hottest issues of a CSV of messages (shiyu.nlp.hotspots): one JSON object with
    --json, else a table. A file that cannot be read ends with its reason and exit code 2."""
    from shiyu.nlp.hotspots import DataError, find_hot_issues, read_csv

    try:
        messages, warnings = read_csv(args.data)
    except DataError as error:
        print(f"shiyu hotspots: {error}", file=sys.stderr)
        return 2
    if not messages:
        warnings.append("no messages in the file")
    found = find_hot_issues(messages, top=args.top)
    warnings += found.warnings
    if args.json:
        _print_json({"hotspots": [issue.as_dict() for issue in found.issues], "rows": found.rows,
                     "warnings": warnings})
    else:
        _print_hotspot_table(found.issues, warnings)
    return 0


def _print_hotspot_table(issues, warnings) -> None:
    import unicodedata

    def cell(text: str, width: int) -> str:  # a Chinese character takes two columns
        wide = sum(unicodedata.east_asian_width(c) in "WF" for c in text)
        return text + " " * max(width - len(text) - wide, 0)

    def day(moment) -> str:
        return moment.strftime("%Y-%m-%d") if moment else "—"

    widths = (5, 8, 26, 6, 6, 26)
    print("".join(map(cell, ("排名", "热度", "时间段", "留言", "人数", "地点"), widths)) + "标题")
    for issue in issues:
        row = (str(issue.rank), f"{issue.heat:.2f}", f"{day(issue.start)} 至 {day(issue.end)}", str(len(issue.ids)),
               str(issue.reporters), issue.place or "—")
        print("".join(map(cell, row, widths)) + issue.title)
    if not issues:
        print("（没有热点问题）")
    for warning in warnings:
        print(f"注意：{warning}", file=sys.stderr)


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return number


def cmd_manage(args) -> int:
    _django()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["shiyu manage", *args.rest])
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="shiyu", description="Shiyu (市域) municipal governance platform")
    commands = parser.add_subparsers(dest="command", required=True)
    port = int(os.environ.get("PORT", "8000"))

    demo = commands.add_parser("demo", help="generate the demo city (once) and print how to log in")
    demo.add_argument("--tickets", type=int, default=50_000, help="tickets over 12 months (default 50,000)")
    demo.add_argument("--seed", type=int, default=2026)
    demo.add_argument("--force", action="store_true", help="delete everything and generate again")
    demo.add_argument("--serve", action="store_true", help="then serve it")
    demo.add_argument("--port", type=int, default=port)
    demo.add_argument("--workers", type=int, default=2)
    demo.set_defaults(func=cmd_demo)

    serve_parser = commands.add_parser("serve", help="serve the web app with gunicorn")
    serve_parser.add_argument("--port", type=int, default=port)
    serve_parser.add_argument("--workers", type=int, default=2)
    serve_parser.set_defaults(func=cmd_serve)

    tick = commands.add_parser("tick", help="run the deadline sweep once (colours, escalations, notifications)")
    tick.set_defaults(func=cmd_tick)

    bench = commands.add_parser("bench", help="benchmarks that print JSON figures")
    bench_commands = bench.add_subparsers(dest="benchmark", required=True)
    ranking = bench_commands.add_parser("ranking", help="the monthly ranking of all units on N tickets over 12 "
                                                       "months (DuckDB over Parquet)")
    ranking.add_argument("--tickets", default="1000000", help="how many, or a list: 1000000,5000000,25000000")
    ranking.add_argument("--json", action="store_true", help="one JSON object per run; the last line sums up")
    ranking.add_argument("--repeat", type=int, default=3, help="timed runs (median and best are printed)")
    ranking.add_argument("--seed", type=int, default=2026)
    ranking.add_argument("--month", default="", help="YYYY-MM ranked, the year's last (default: last month)")
    ranking.add_argument("--keep", action="store_true", help="keep the Parquet files under var/bench/ranking/")
    ranking.set_defaults(func=cmd_bench_ranking)

    _add_classifier_parser(commands)

    hotspots = commands.add_parser("hotspots", help="hot issues in a CSV of messages "
                                                    "(id,user,title,created,body,likes,dislikes)")
    hotspots.add_argument("--data", required=True, help="UTF-8 CSV with a header row")
    hotspots.add_argument("--top", type=_positive, default=10, help="how many issues (default 10)")
    hotspots.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    hotspots.set_defaults(func=cmd_hotspots)

    manage = commands.add_parser("manage", help="a Django management command (migrate, createsuperuser ...)")
    manage.add_argument("rest", nargs=argparse.REMAINDER)
    manage.set_defaults(func=cmd_manage)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
