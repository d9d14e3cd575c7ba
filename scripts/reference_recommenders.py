#!/usr/bin/env python3
"""Reference recommenders on StreamRec's prequential protocol, to read StreamRec's figures against.

Same input as `streamrec evaluate` (the converted event CSV `userId,itemId,categoryId,behavior,timestamp`, already in
time order), same order, same targets (purchase events: MovieLens ratings >= 4), test-then-train: before each target
event each reference ranks the user's top N, the list is scored against the item the user then chose, and only then
is the event learned. Both filter what the user has already acted on (the seen filter).

- item-cf: the plain incremental item-CF — every new item is paired with each of the user's last 20 items (count +1
  both ways); candidates are scored by sum over those items h (age 0 = newest) of 0.8^age * co(h, c) / sqrt(pop(c)),
  pop(c) = events of c so far.
- popular: most-popular over the whole catalogue seen so far, by behaviour-weighted events (StreamRec's weights).

Reported points are those of --report-from / --report-until (a fraction of the events, or an epoch-ms timestamp),
as `streamrec evaluate` selects them; every event is learned. The +/- of a figure is 1.96 bootstrap standard errors
over users (the users are resampled, their points kept together). With --streamrec FILE (the --json of `streamrec
evaluate` over the same points) the table shows StreamRec's strategies beside the references.

With --top-partners K item-cf sums only each seed's K best partners (by co/sqrt(pop)), as StreamRec's stored
neighbours do: what truncation alone costs.

With --references FILE (a --json this script wrote) the references are read back instead of recomputed: `make
evaluate-movielens` computes them beside the Swift run (the machine has two cores) and prints both tables after.

Usage: reference_recommenders.py EVENTS.csv [--report-from 0.5] [--json OUT] [--streamrec streamrec.json]
       [--references OUT]
"""

import argparse
import json
import math
import sys

import numpy as np

BEHAVIOR_WEIGHTS = {"view": 1.0, "click": 2.0, "favorite": 3.0, "cart": 4.0, "purchase": 5.0}
HISTORY = 20
AGE_DECAY = 0.8
BOOTSTRAP_SAMPLES = 500
BOOTSTRAP_SEED = 18


def read_events(path):
    users, items, behaviors, times = [], [], [], []
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            fields = line.rstrip("\n").split(",")
            if len(fields) != 5:
                continue
            users.append(fields[0])
            items.append(fields[1])
            behaviors.append(fields[3])
            times.append(int(fields[4]))
    return users, items, behaviors, times


def split_time(value, times):
    """A fraction in (0, 1) is the time of the event at that share of the input; anything else is epoch ms."""
    if value is None:
        return None
    if 0 < value < 1:
        return times[min(int(value * len(times)), len(times) - 1)]
    return int(value)


class Metrics:
    """Per-user hits and gains of one strategy, for the figures and their bootstrap intervals."""

    def __init__(self, users):
        self.points = np.zeros(users)
        self.hits = np.zeros(users)
        self.gains = np.zeros(users)

    def record(self, user, ranked, target):
        self.points[user] += 1
        where = np.flatnonzero(ranked == target)
        if where.size:
            self.hits[user] += 1
            self.gains[user] += 1 / math.log2(where[0] + 2)

    def summary(self, samples):
        total = max(self.points.sum(), 1)
        hit_rate, ndcg = self.hits.sum() / total, self.gains.sum() / total
        draws = samples @ np.stack([self.points, self.hits, self.gains], axis=1)
        draws[:, 0] = np.maximum(draws[:, 0], 1)
        return {
            "points": int(self.points.sum()),
            "hitRate": hit_rate,
            "hitRateInterval": 1.96 * float(np.std(draws[:, 1] / draws[:, 0])),
            "ndcg": ndcg,
            "ndcgInterval": 1.96 * float(np.std(draws[:, 2] / draws[:, 0])),
        }


def top(scores, n):
    """The n best items by score (ties by item index), only items with a positive score."""
    candidates = np.flatnonzero(scores > 0)
    if candidates.size > n:
        candidates = candidates[np.argpartition(-scores[candidates], n - 1)[:n]]
    return candidates[np.lexsort((candidates, -scores[candidates]))]


def evaluate(events, report_from, report_until, n, top_partners=0):
    users, items, behaviors, times = events
    user_index = {user: index for index, user in enumerate(dict.fromkeys(users))}
    item_index = {item: index for index, item in enumerate(dict.fromkeys(items))}
    item_count, user_count = len(item_index), len(user_index)
    co = np.zeros((item_count, item_count), dtype=np.float32)
    events_of = np.zeros(item_count)
    weighted = np.zeros(item_count)
    history = [[] for _ in range(user_count)]
    seen = np.zeros((user_count, item_count), dtype=bool)
    metrics = {"reference item-cf": Metrics(user_count), "reference popular": Metrics(user_count)}
    for user_id, item_id, behavior, time in zip(users, items, behaviors, times):
        user, item = user_index[user_id], item_index[item_id]
        reported = (report_from is None or time >= report_from) and (report_until is None or time < report_until)
        if behavior == "purchase" and reported:
            recent = history[user][-HISTORY:]
            cf = np.zeros(item_count)
            if recent:
                ages = AGE_DECAY ** np.arange(len(recent) - 1, -1, -1)
                rows = co[recent] / np.sqrt(np.maximum(events_of, 1))
                if top_partners:
                    # Only each seed's `top_partners` best partners, as a table of stored neighbours would have.
                    weakest = np.argpartition(-rows, top_partners, axis=1)[:, top_partners:]
                    np.put_along_axis(rows, weakest, 0, axis=1)
                cf = ages @ rows
            cf[seen[user]] = 0
            chart = np.where(seen[user], 0, weighted)
            metrics["reference item-cf"].record(user, top(cf, n), item)
            metrics["reference popular"].record(user, top(chart, n), item)
        recent = history[user][-HISTORY:]
        co[item, recent] += 1
        co[recent, item] += 1
        events_of[item] += 1
        weighted[item] += BEHAVIOR_WEIGHTS[behavior]
        history[user].append(item)
        seen[user, item] = True
    # One multinomial draw per sample: how often each user is drawn when resampling the users.
    rng = np.random.default_rng(BOOTSTRAP_SEED)
    samples = rng.multinomial(user_count, np.full(user_count, 1 / user_count), size=BOOTSTRAP_SAMPLES)
    return {name: accumulated.summary(samples) for name, accumulated in metrics.items()}


def table(references, streamrec, n):
    rows = [(name, figures) for name, figures in (streamrec or {}).items()] + list(references.items())
    best_cf = references["reference item-cf"]["hitRate"]
    best_popular = references["reference popular"]["hitRate"]
    lines = [f"{'strategy':<20} {'HR@' + str(n):>18} {'NDCG@' + str(n):>18} {'×ref item-cf':>13} {'×ref popular':>13}"]
    for name, figures in rows:
        hit_rate, ndcg = figures["hitRate"], figures["ndcg"]
        hr = f"{hit_rate:.4f} ± {figures.get('hitRateInterval', 0):.4f}"
        nd = f"{ndcg:.4f} ± {figures.get('ndcgInterval', 0):.4f}"
        lines.append(
            f"{name:<20} {hr:>18} {nd:>18} {hit_rate / max(best_cf, 1e-12):>13.2f} {hit_rate / max(best_popular, 1e-12):>13.2f}"
        )
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("events")
    parser.add_argument("--report-from", type=float)
    parser.add_argument("--report-until", type=float)
    parser.add_argument("--n", type=int, default=10)
    parser.add_argument(
        "--top-partners", type=int, default=0, help="item-cf sums only each seed's K best partners (0: all)"
    )
    parser.add_argument("--json")
    parser.add_argument("--streamrec", help="the --json of `streamrec evaluate` over the same points")
    parser.add_argument("--references", help="a --json of this script over the same points: read, not recomputed")
    arguments = parser.parse_args()
    if arguments.references:
        with open(arguments.references, encoding="utf-8") as handle:
            stored = json.load(handle)
        report_from, report_until, references = stored["reportFrom"], stored["reportUntil"], stored["references"]
    else:
        events = read_events(arguments.events)
        times = events[3]
        report_from = split_time(arguments.report_from, times)
        report_until = split_time(arguments.report_until, times)
        references = evaluate(events, report_from, report_until, arguments.n, arguments.top_partners)
    streamrec = None
    if arguments.streamrec:
        with open(arguments.streamrec, encoding="utf-8") as handle:
            streamrec = json.load(handle)["overall"]
        points = {figures["points"] for figures in streamrec.values()}
        if points != {references["reference item-cf"]["points"]}:
            sys.exit(f"StreamRec's report has {points} points, the references {references['reference item-cf']['points']}")
    print(f"{references['reference item-cf']['points']} evaluation points")
    print(table(references, streamrec, arguments.n))
    if arguments.json:
        with open(arguments.json, "w", encoding="utf-8") as handle:
            json.dump({"reportFrom": report_from, "reportUntil": report_until, "references": references}, handle, indent=2)


if __name__ == "__main__":
    main()
