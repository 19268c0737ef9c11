"""Benchmark the text classifier (shiyu.nlp.classifier) on the TipDM 2020 messages.

    .venv/bin/python bench/classifier.py [--folds 5] [--seed 0]

Figures, all from cross-validation of ../shared/data/tipdm2020/classify_train.csv (the
rows held back by the publisher are never looked for):
  cv            k-fold, near-duplicate texts in one fold: the honest figure
  cv_optimistic the same with duplicates free to fall in different folds
  baseline      TF-IDF of jieba words + LinearSVC on the honest folds
  train_seconds training on the whole file (2 threads), model_mb its file size,
  docs_per_second prediction including segmentation, one core, batches of 256 and
                one suggest() call per message.
The texts are personal data: they stay in memory; the model is written to a temporary
directory and deleted. Prints progress to stderr and ONE JSON object on the last line.
"""
from __future__ import annotations

import os

# One core for prediction: keep BLAS and OpenMP pools from spreading over the machine.
for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

# Run as a plain script from anywhere: make `import shiyu` work.
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: E402
from sklearn.metrics import f1_score  # noqa: E402
from sklearn.model_selection import StratifiedGroupKFold  # noqa: E402
from sklearn.svm import LinearSVC  # noqa: E402

from shiyu.nlp import classifier as nlp  # noqa: E402
from shiyu.nlp.text import normalize, tokens  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "tipdm2020" / "classify_train.csv"


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def baseline(texts, labels, folds: int, seed: int) -> dict:
    """The usual first attempt: TF-IDF over jieba words, linear SVM, default settings."""
    words = [tokens(text) for text in texts]
    y = np.array(labels)
    splitter = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=seed)
    scores = []
    for fit, test in splitter.split(texts, y, nlp.duplicate_groups(texts)):
        vectorizer = TfidfVectorizer(analyzer=lambda doc: doc)
        svm = LinearSVC().fit(vectorizer.fit_transform([words[i] for i in fit]), y[fit])
        predicted = svm.predict(vectorizer.transform([words[i] for i in test]))
        scores.append(f1_score(y[test], predicted, average="macro"))
    return {"model": "TF-IDF(jieba words) + LinearSVC", "macro_f1": round(float(np.mean(scores)), 4),
            "macro_f1_std": round(float(np.std(scores)), 4)}


def prediction_speed(model, texts) -> dict:
    batch = 256
    started, cpu = time.perf_counter(), time.process_time()
    for start in range(0, len(texts), batch):
        model.suggest_many(texts[start:start + batch])
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    single = texts[:1000]
    started = time.perf_counter()
    for text in single:
        model.suggest(text)
    return {"batch_256": round(len(texts) / wall), "batch_256_cpu": round(len(texts) / cpu),
            "one_per_call": round(len(single) / (time.perf_counter() - started))}


def summary(cv: dict) -> dict:
    return {"macro_f1": f"{cv['macro_f1']['mean']:.4f} ± {cv['macro_f1']['std']:.4f}",
            "accuracy": f"{cv['accuracy']['mean']:.4f} ± {cv['accuracy']['std']:.4f}",
            "ece": cv["ece"], "macro_f1_per_fold": cv["macro_f1"]["per_fold"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if not DATA.exists():
        print(json.dumps({"skipped": f"{DATA} is absent"}))
        return
    texts, labels = nlp.read_csv(DATA)
    exact_twins = sum(count for count in _counts(normalize(t) for t in texts).values() if count > 1)

    say("cross-validation, near-duplicates grouped ...")
    honest = nlp.cross_validate(texts, labels, folds=args.folds, seed=args.seed)
    say("cross-validation, duplicates ungrouped ...")
    optimistic = nlp.cross_validate(texts, labels, folds=args.folds, seed=args.seed, group_duplicates=False)
    say("baseline ...")
    reference = baseline(texts, labels, args.folds, args.seed)

    say("training on the whole file ...")
    started = time.perf_counter()
    model = nlp.train(texts, labels)
    train_seconds = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "classifier.shiyu"
        model.save(path)
        model_mb = path.stat().st_size / 1e6
        model = nlp.Classifier.load(path)
    say("prediction speed ...")
    speed = prediction_speed(model, texts)

    print(json.dumps({
        "benchmark": "classifier", "data": "tipdm2020/classify_train.csv", "n": len(texts),
        "labels": len(set(labels)), "folds": args.folds, "seed": args.seed,
        "cv": summary(honest),
        "duplicates": {"rows_with_exact_twin": exact_twins, "rows_with_near_twin": honest["duplicates"]["texts_with_a_twin"],
                       "near_twin_similarity": honest["duplicates"]["similarity"]},
        "cv_optimistic": summary(optimistic),
        "baseline": reference,
        "per_class": honest["per_class"],
        "train_seconds": round(train_seconds, 1), "model_mb": round(model_mb, 2),
        "docs_per_second": speed,
        "command": "cd main && .venv/bin/python bench/classifier.py " + " ".join(sys.argv[1:]),
    }, ensure_ascii=False))


def _counts(items) -> dict:
    counts: dict = {}
    for item in items:
        counts[item] = counts.get(item, 0) + 1
    return counts


if __name__ == "__main__":
    main()
