"""Benchmark the hot-issue finder (shiyu.nlp.hotspots) on the TipDM 2020 messages.

    .venv/bin/python bench/hotspots.py [--sweep]

On the 4,326 messages of ../shared/data/tipdm2020/hot_messages.csv, for each clustering
method of shiyu.nlp.hotspots.METHODS at the module's distance threshold:
  seconds        find_hot_issues on all rows (segmentation, features, clustering, ranking),
                 after jieba has loaded; the BLAS and OpenMP pools are limited to 2 threads;
                 cpu_seconds the CPU time of this process (the honest figure on a busy machine)
  rows, clusters messages and hot issues found (multi: issues of two messages or more)
  purity         of the found issues against the hand-labelled sample
                 tests/fixtures/hotspots/labels.csv (ids and labels only), each restricted to
                 the labelled messages: the share of messages whose issue's majority label is theirs
  inverse_purity the same with the roles swapped: how whole each labelled issue stays
  pairs          precision and recall over the pairs of labelled messages put together
Then `threshold_from_pairs`: how the distance threshold follows from the separately labelled
pairs of tests/fixtures/nlp/duplicate_pairs.json (precision and recall of "distance below t"
on those pairs, per t), and with --sweep the labelled-sample figures per method and threshold
(to show how sensitive each method is; the threshold is not chosen from them).

The texts are personal data: they stay in memory, nothing is written. Prints progress to
stderr and ONE JSON object on the last line of stdout (a JSON message if ../shared is absent).
"""
from __future__ import annotations

import os

for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "2")  # the target machine has 2 cores

import argparse  # noqa: E402
import csv  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections import Counter  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from shiyu.nlp import hotspots  # noqa: E402
from shiyu.nlp.text import tokens  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "tipdm2020" / "hot_messages.csv"
LABELS = ROOT / "tests" / "fixtures" / "hotspots" / "labels.csv"
PAIRS = ROOT / "tests" / "fixtures" / "nlp" / "duplicate_pairs.json"
SWEEP = (0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9)


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def read_labels(path: Path = LABELS) -> dict[int, str]:
    with open(path, encoding="utf-8", newline="") as f:
        return {int(row["id"]): row["label"] for row in csv.DictReader(f)}


def agreement(found: dict[int, int], labels: dict[int, str]) -> dict:
    """Purity, inverse purity and pairwise precision / recall of `found` (id -> cluster)
    against `labels` (id -> label), over the labelled ids."""
    ids = [i for i in labels if i in found]
    cells = Counter((found[i], labels[i]) for i in ids)
    by_cluster, by_label = Counter(found[i] for i in ids), Counter(labels[i] for i in ids)
    best_label, best_cluster = Counter(), Counter()
    for (cluster, label), n in cells.items():
        best_label[cluster] = max(best_label[cluster], n)
        best_cluster[label] = max(best_cluster[label], n)
    pairs = lambda counts: sum(n * (n - 1) // 2 for n in counts.values())  # noqa: E731
    together, found_pairs, labelled_pairs = pairs(cells), pairs(by_cluster), pairs(by_label)
    return {"labelled": len(ids), "purity": round(sum(best_label.values()) / len(ids), 4),
            "inverse_purity": round(sum(best_cluster.values()) / len(ids), 4),
            "pair_precision": round(together / found_pairs, 4) if found_pairs else None,
            "pair_recall": round(together / labelled_pairs, 4) if labelled_pairs else None}


def run(messages, labels, method: str, threshold: float) -> dict:
    started, cpu = time.perf_counter(), time.process_time()
    found = hotspots.find_hot_issues(messages, method=method, threshold=threshold)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    cluster_of = {i: issue.rank for issue in found.issues for i in issue.ids}
    return {"method": method, "threshold": threshold, "seconds": round(seconds, 2), "cpu_seconds": round(cpu, 2),
            "rows": found.rows,
            "clusters": len(found.issues), "multi": sum(len(issue.ids) > 1 for issue in found.issues),
            **agreement(cluster_of, labels)}


def threshold_from_pairs(messages) -> dict:
    """Precision and recall of "the pair's distance is below t" on the labelled pairs."""
    prepared = hotspots.prepare(messages)
    distance = hotspots.distances(prepared, hotspots.features(prepared))
    row = {m.id: i for i, m in enumerate(messages)}
    pairs = [p for p in json.loads(PAIRS.read_text()) if p["a"] in row and p["b"] in row]
    d = np.array([distance[row[p["a"]], row[p["b"]]] for p in pairs])
    same = np.array([p["same"] for p in pairs])
    table = {}
    for t in SWEEP:
        below = d < t
        table[str(t)] = {"precision": round(float((below & same).sum() / max(below.sum(), 1)), 3),
                         "recall": round(float((below & same).sum() / same.sum()), 3)}
    return {"pairs": len(pairs), "same": int(same.sum()), "by_threshold": table}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sweep", action="store_true", help="also every method at every threshold of SWEEP")
    args = parser.parse_args()
    if not DATA.exists():
        print(json.dumps({"skipped": f"{DATA} is absent"}))
        return
    messages, warnings = hotspots.read_csv(DATA)
    labels = read_labels()
    tokens("预热")  # load jieba's dictionary before the clock starts, as a running server has
    methods = []
    for method in hotspots.METHODS:
        say(f"{method} ...")
        methods.append(run(messages, labels, method, hotspots.DISTANCE_THRESHOLD))
    say("labelled pairs ...")
    report = {"benchmark": "hotspots", "data": "tipdm2020/hot_messages.csv", "rows": len(messages),
              "warnings": warnings, "labels": {"messages": len(labels), "issues": len(set(labels.values()))},
              "chosen": hotspots.DEFAULT_METHOD, "methods": methods,
              "threshold_from_pairs": threshold_from_pairs(messages)}
    if args.sweep:
        report["sweep"] = [{k: v for k, v in run(messages, labels, method, t).items() if k != "rows"}
                           for method in hotspots.METHODS for t in SWEEP if say(f"{method} {t}") is None]
    report["command"] = "cd main && .venv/bin/python bench/hotspots.py " + " ".join(sys.argv[1:])
    print(json.dumps(report, ensure_ascii=False))


if __name__ == "__main__":
    main()
