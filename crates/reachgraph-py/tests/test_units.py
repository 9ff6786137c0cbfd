"""Results say the unit of each number: in ``repr``, the notebook table and ``units``."""

import reachgraph as rg


def test_reach_repr_and_units_label_people_accounts_and_follows(campaign):
    # ig_star and tt_star (one person): 6 follows in the graph, 4 distinct people.
    r = campaign.reach(["ig_star", "tt_star"])
    assert r.unique_people == 4 and r.summed_followers == 6
    text = repr(r)
    assert "unique_people=4 [graph people]" in text, text
    assert "summed_followers=6 [follows (graph)]" in text, text
    assert "seeds=2 [accounts]" in text, text
    assert r.units["unique_people"] == "graph people"
    assert "4 graph people" in r._repr_html_()


def test_budget_pick_and_selection_units(campaign):
    p = campaign.budget_pick(11000)
    assert "[usd]" in repr(p) and "[graph people]" in repr(p), repr(p)
    assert p.units["total_cost"] == "usd"
    s = campaign.set_weights("const:1").select(k=1, seed=1)
    # Without target weights the estimate counts people (or accounts): the unit follows the objective.
    assert s.units["mean"] in ("graph people", "accounts"), s.units
    assert f"[{s.units['mean']}]" in repr(s)
