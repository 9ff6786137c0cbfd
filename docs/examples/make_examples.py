#!/usr/bin/env python3
"""Writes the INVENTED example creator table of docs/plan.md (creators.csv, audience.csv,
overlaps.csv). Deterministic: the same script gives the same files. Run from the repository
root: python3 docs/examples/make_examples.py

Nothing here is measured: names, counts, prices, geography and overlaps are drawn from simple
distributions chosen to look like a planner's spreadsheet (see docs/examples/README.md).
"""
import csv
import math
import os
import random

OUT = os.path.dirname(os.path.abspath(__file__))
rng = random.Random(20261203)

# State weights: voting-eligible population of the 2024 certified file, rounded (millions),
# with the seven closest states of 2024 weighted up twice so that some creators live
# in swing states.
VEP = {
    "CA": 26.0, "TX": 19.7, "FL": 16.4, "NY": 13.6, "PA": 9.9, "IL": 9.0, "OH": 8.9,
    "GA": 7.8, "NC": 8.0, "MI": 7.6, "NJ": 6.3, "VA": 6.3, "WA": 5.6, "AZ": 5.4, "TN": 5.3,
    "MA": 5.1, "IN": 5.1, "MO": 4.7, "MD": 4.4, "WI": 4.5, "CO": 4.4, "MN": 4.2, "SC": 4.0,
    "AL": 3.9, "LA": 3.4, "KY": 3.4, "OR": 3.2, "OK": 2.9, "CT": 2.6, "UT": 2.3, "NV": 2.2,
    "IA": 2.4, "AR": 2.2, "MS": 2.2, "KS": 2.1, "NM": 1.5, "NE": 1.4, "ID": 1.4,
}
SWING = {"PA", "MI", "WI", "GA", "NC", "AZ", "NV"}
STATE_W = {s: v * (2.0 if s in SWING else 1.0) for s, v in VEP.items()}
# Lean of side A (the 2024 two-party Democratic share, rounded) to tilt audiences by state.
LEAN = {"CA": .60, "NY": .56, "IL": .55, "MA": .62, "MD": .63, "WA": .59, "NJ": .53,
        "VA": .53, "CO": .56, "MN": .52, "OR": .57, "CT": .57, "NM": .53, "PA": .49,
        "MI": .49, "WI": .49, "GA": .49, "NC": .48, "AZ": .47, "NV": .48}

PLATFORMS = ["tiktok", "instagram", "youtube"]
NICHES = ["beauty", "fitness", "gaming", "cooking", "comedy", "finance", "parenting", "music",
          "travel", "news", "sports", "tech", "faith", "outdoors", "fashion", "diy"]


def pick(weights):
    total = sum(weights.values())
    x = rng.random() * total
    for k, w in weights.items():
        x -= w
        if x <= 0:
            return k
    return k


def pareto_followers():
    # Power law: P(F > f) = (f / 8,000)^-0.95, capped at 25 million.
    u = 1.0 - rng.random()
    return int(min(8_000 * u ** (-1 / 0.95), 25_000_000))


def main():
    creators = []
    used = set()
    for i in range(320):
        while True:
            name = f"{rng.choice(NICHES)}_{rng.choice(['ana','ben','cam','dee','eli','fay','gus','hal','ivy','jo','kai','lu','mo','nia','oz','pia','quin','ray','sol','tess','uma','vic','wes','xan','yas','zed'])}{rng.randint(1, 99)}"
            if name not in used:
                used.add(name)
                break
        state = pick(STATE_W)
        base = pareto_followers()
        main_platform = rng.choice(PLATFORMS)
        n_acc = rng.choices([1, 2, 3], weights=[0.55, 0.3, 0.15])[0]
        others = [p for p in PLATFORMS if p != main_platform]
        rng.shuffle(others)
        plats = [main_platform] + others[: n_acc - 1]
        accounts = []
        for k, p in enumerate(plats):
            f = base if k == 0 else max(500, int(base * rng.uniform(0.05, 0.6)))
            accounts.append((p, f))
        total = sum(f for _, f in accounts)
        # Price per creator-month ~ 0.25 x followers^0.8, with +-30% noise, to the $50.
        price = max(50, round(0.25 * total ** 0.8 * math.exp(rng.gauss(0, 0.3)) / 50) * 50)
        lean = min(0.95, max(0.05, rng.gauss(LEAN.get(state, 0.42), 0.12)))
        eligible = round(rng.uniform(0.55, 0.85), 2)
        posts = rng.choice([4, 8, 12, 20, 30])
        reach_rate = round(rng.uniform(0.05, 0.3), 3)
        creators.append((name, state, price, lean, eligible, posts, reach_rate, accounts))

    with open(os.path.join(OUT, "creators.csv"), "w", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["creator", "platform", "account", "followers", "price", "state", "lean_a",
                    "eligible", "posts", "reach_rate"])
        for name, state, price, lean, elig, posts, rr, accounts in creators:
            for p, f in accounts:
                w.writerow([name, p, f"{name}@{p}", f, price, state, f"{lean:.2f}", elig, posts,
                            rr])

    # Audience geography for about 40% of the accounts: home state 15-40%, a few large
    # states, the rest outside the electorate (the remainder unassigned is also outside).
    big = ["CA", "TX", "FL", "NY", "PA", "GA", "MI", "NC", "AZ", "WI", "NV", "OH", "IL"]
    with open(os.path.join(OUT, "audience.csv"), "w", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["account", "jurisdiction", "share"])
        for name, state, *_rest, accounts in creators:
            for p, _f in accounts:
                if rng.random() > 0.4:
                    continue
                home = rng.uniform(0.15, 0.4)
                shares = {state: home}
                left = rng.uniform(0.6, 0.8) - home
                others = rng.sample([s for s in big if s != state], 4)
                cuts = sorted(rng.random() for _ in range(3))
                parts = [cuts[0], cuts[1] - cuts[0], cuts[2] - cuts[1], 1 - cuts[2]]
                for s, x in zip(others, parts):
                    shares[s] = shares.get(s, 0) + left * x
                for s, x in shares.items():
                    w.writerow([f"{name}@{p}", s, f"{x:.3f}"])

    # 24 measured overlaps as an audience tool reports them: 8 between one creator's own
    # accounts (30-60% shared), 16 between creators of one niche (1-8%).
    accs = [(c[0], p, f) for c in creators for p, f in c[7]]
    multi = [c for c in creators if len(c[7]) > 1]
    rows = []
    for c in rng.sample(multi, 8):
        (p1, f1), (p2, f2) = c[7][0], c[7][1]
        # The smaller audience's share in the larger one.
        a, fa, b, fb = (p2, f2, p1, f1)
        rows.append((f"{c[0]}@{a}", f"{c[0]}@{b}", rng.uniform(0.3, 0.6)))
    big_accs = [x for x in accs if x[2] > 50_000]
    while len(rows) < 24:
        x, y = rng.sample(big_accs, 2)
        if x[0] == y[0]:
            continue
        frac = rng.uniform(0.01, 0.08)
        if frac * x[2] > y[2]:
            continue
        rows.append((f"{x[0]}@{x[1]}", f"{y[0]}@{y[1]}", frac))
    with open(os.path.join(OUT, "overlaps.csv"), "w", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["a", "b", "shared"])
        for a, b, s in rows:
            w.writerow([a, b, f"{s:.3f}"])


if __name__ == "__main__":
    main()
