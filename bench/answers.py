"""Check suggested answers (TextIndex over resolved tickets) on TipDM replies.csv.

    .venv/bin/python bench/answers.py

Leave-one-out: every message asks the index of all other messages for its 5 most similar
(score >= ANSWER_MIN_SCORE), as an operator would for an enquiry on the phone.  Reports
- hit@5 on the hand-judged sample (tests/fixtures/nlp/answer_sample.json): the share of
  sampled enquiries whose top 5 hold a reply on the same matter ("same": that reply answers
  the enquiry), and on the same or a related matter ("related": the same kind of problem or
  policy, so the reply names the rule or the office, not the answer);
- an automatic proxy over all messages: how close the best of the 5 suggested replies comes to
  the reply the message really got (score of the two replies), against 5 random replies.

Prints ONE JSON object on the last line of stdout (a JSON message if ../shared is absent).
"""
from __future__ import annotations

import json
import random
import sys
import time
from pathlib import Path

# Run as a plain script from anywhere: make `import shiyu` and `import bench` work.
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from bench.similar import DATA, message_text, read_tipdm  # noqa: E402
from shiyu.nlp.similar import ANSWER_MIN_SCORE, TextIndex  # noqa: E402

SAMPLE = ROOT / "tests" / "fixtures" / "nlp" / "answer_sample.json"
SUGGESTIONS = 5


def message_index(messages: list[dict]) -> TextIndex:
    index = TextIndex()
    index.add([m["id"] for m in messages], [message_text(m) for m in messages])
    return index


def suggestions(index: TextIndex, message: dict) -> list[int]:
    """Ids of the resolved tickets suggested for `message` (itself excluded)."""
    matches = index.query(message_text(message), k=SUGGESTIONS, min_score=ANSWER_MIN_SCORE, exclude_ids=[message["id"]])
    return [m.id for m in matches]


def judged_hits(sample: list[dict], messages: list[dict]) -> dict:
    """hit@5 on the hand-judged sample, recomputing the top 5 with the current code.

    A suggestion that was not judged (the ranking changed since) counts as no hit, and the
    count of those is reported: when it grows, the sample needs judging again."""
    by_id = {m["id"]: m for m in messages}
    index = message_index(messages)
    same = related = unjudged = 0
    for item in sample:
        judgement = dict(zip(item["top5"], item["judgement"]))
        found = [judgement.get(i) for i in suggestions(index, by_id[item["query"]])]
        unjudged += found.count(None)
        same += "same" in found
        related += "same" in found or "related" in found
    n = len(sample)
    return {"queries": n, "hit_at_5_same": round(same / n, 3), "hit_at_5_same_or_related": round(related / n, 3),
            "unjudged_suggestions": unjudged}


def reply_proxy(messages: list[dict], seed: int = 7) -> dict:
    """Best score between the true reply and the 5 suggested replies, vs 5 random replies."""
    index = message_index(messages)
    replies = TextIndex()  # for the idf of reply texts
    replies.add([m["id"] for m in messages], [m["reply"] for m in messages])
    by_id = {m["id"]: m for m in messages}
    rng = random.Random(seed)
    suggested, random_best, with_any, timings = [], [], 0, []
    for message in messages:
        t0 = time.perf_counter()
        ids = suggestions(index, message)
        timings.append(time.perf_counter() - t0)
        with_any += bool(ids)
        others = rng.sample(messages, SUGGESTIONS + 1)
        randoms = [m["id"] for m in others if m["id"] != message["id"]][:SUGGESTIONS]
        suggested.append(max((replies.similarity(message["reply"], by_id[i]["reply"]) for i in ids), default=0.0))
        random_best.append(max(replies.similarity(message["reply"], by_id[i]["reply"]) for i in randoms))
    suggested, random_best = np.array(suggested), np.array(random_best)
    return {
        "queries": len(messages),
        "with_a_suggestion": round(with_any / len(messages), 3),
        "best_reply_score_mean": {"suggested": round(float(suggested.mean()), 3),
                                  "random": round(float(random_best.mean()), 3)},
        "best_reply_score_at_least_0.3": {"suggested": round(float((suggested >= 0.3).mean()), 3),
                                          "random": round(float((random_best >= 0.3).mean()), 3)},
        "query_ms_p95": round(float(np.percentile(timings, 95) * 1000), 2),
    }


def main() -> None:
    if not DATA.is_dir():
        print(json.dumps({"skipped": f"{DATA} not found"}))
        return
    messages = read_tipdm("replies")
    report = {
        "messages": len(messages),
        "min_score": ANSWER_MIN_SCORE,
        "hand_judged": judged_hits(json.loads(SAMPLE.read_text()), messages),
        "proxy": reply_proxy(messages),
    }
    print(json.dumps(report, ensure_ascii=False))


if __name__ == "__main__":
    main()
