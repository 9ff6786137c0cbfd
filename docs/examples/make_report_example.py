"""Writes the invented report example (docs/margin.md, "Reading back a campaign").

INVENTED DATA: a one-month pilot with four nano-creators (five accounts) and 900 follower
accounts in four states; no real person, account or result. Deterministic (seed 16).
Run from the repository root: python3 docs/examples/make_report_example.py
"""
import random

rng = random.Random(16)
states = ["PA", "MI", "WI", "AZ", None]
state_w = [0.3, 0.2, 0.15, 0.15, 0.2]
creators = [  # account, creator, platform, home state, followers drawn, cost attribute
    ("ana_tt", "ana", "tiktok", "PA", 320, None),
    ("ana_ig", "ana", "instagram", "PA", 210, None),
    ("ben_yt", "ben", "youtube", "MI", 260, 900),
    ("cara_ig", "cara", "instagram", "WI", 180, 600),
    ("dev_x", "dev", "x", "AZ", 150, None),
]
people = [f"f{i:03d}" for i in range(900)]
home = {p: rng.choices(states, state_w)[0] for p in people}
edges = []
ana_fans = None
for acc, cr, plat, st, n, _ in creators:
    # followers lean to the creator's home state; ana's two accounts share most fans
    pool = [p for p in people if home[p] == st] * 3 + people
    if acc == "ana_ig":
        keep = rng.sample(sorted(ana_fans), 150)
        extra = set(keep)
        while len(extra) < n:
            extra.add(rng.choice(pool))
        chosen = extra
    else:
        chosen = set()
        while len(chosen) < n:
            chosen.add(rng.choice(pool))
    if acc == "ana_tt":
        ana_fans = chosen
    edges += [(acc, p) for p in sorted(chosen)]

with open("docs/examples/report-graph.txt", "w") as f:
    f.write("# INVENTED example follower graph (docs/margin.md, Reading back a campaign)\n")
    f.write("# `u v`: v follows u\n")
    for u, v in edges:
        f.write(f"{u} {v}\n")
with open("docs/examples/report-attributes.csv", "w") as f:
    f.write("id,platform,person,jurisdiction,cost\n")
    for acc, cr, plat, st, _, cost in creators:
        f.write(f"{acc},{plat},{cr},{st},{'' if cost is None else cost}\n")
    followed = {v for _, v in edges}
    for p in people:
        if p not in followed:
            continue
        f.write(f"{p},,,{home[p] or ''},\n")
