//! Graph people as voters: jurisdiction, voters per person, lean and turnout.

use super::config::{Mapping, MarginConfig, VoterScale, VoterStates};
use super::electorate::Electorate;
use crate::attrs::NONE;
use crate::error::{echo, Error, Result};
use crate::graph::Graph;

/// Coefficients per person or unit: persuadable B voters, persuadable A voters (each weighted
/// by [`persuadable`]), non-voters' net lean, voters' net lean, eligible voters represented,
/// people.
pub(crate) const K: usize = 6;
pub(crate) const C_PA: usize = 0;
pub(crate) const C_PB: usize = 1;
pub(crate) const C_MPLUS: usize = 2;
pub(crate) const C_MMINUS: usize = 3;
pub(crate) const C_VOTERS: usize = 4;
pub(crate) const C_PEOPLE: usize = 5;

/// The voters behind the graph's people.
#[derive(Debug, Clone)]
pub(crate) struct Population {
    /// State unit of each person, or NONE.
    pub state: Vec<u32>,
    /// District unit of each person, or NONE.
    pub district: Vec<u32>,
    /// Per person: the coefficients of one full exposure (see [`K`]); for a spread person
    /// (see `place`) their mean over the person's places.
    pub base: Vec<[f64; K]>,
    /// Per person (empty when every person's place is known): where the person whose
    /// jurisdiction is drawn, not known, is counted. `state` and `district` are NONE for them.
    pub place: Vec<Place>,
    /// The place sets of spread people.
    pub spreads: Vec<Spread>,
    /// Per-place coefficients of spread people with their own lean or turnout.
    pub own_base: Vec<[f64; K]>,
    /// People with a jurisdiction.
    pub mapped: u64,
    /// How they were mapped.
    pub mapping: Mapping,
    /// Voters per person in each state unit (0 where no person lives).
    pub scale_of_state: Vec<f64>,
    /// Effect multiplier of each account's posts (1 unless given).
    pub multiplier: Vec<f64>,
    /// Which per-person columns were given (lean, turnout, eligible, multiplier), by the
    /// request or by the graph's attributes, for the assumptions.
    pub given: [bool; 4],
}

/// The places a person may be in, with their probabilities, when the model does not know the
/// person's jurisdiction (the drawn mapping: states in proportion to their eligible
/// population; a person of a state with district rows: its districts in proportion to their
/// votes). Such a person is counted in every place with its probability: the expected votes
/// then do not depend on a per-run draw of where people live.
#[derive(Debug, Clone)]
pub(crate) struct Spread {
    /// (state unit, district unit or NONE, probability), probabilities summing to 1.
    pub places: Vec<(u32, u32, f64)>,
    /// Per place: the coefficients of one full exposure of a voter with eligible share 1 and
    /// lean and turnout of the place's laws.
    pub unit: Vec<[f64; K]>,
}

/// Where one person is counted.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Place {
    /// In `state` and `district`.
    Fixed,
    /// Spread over `spreads[set]`: with the eligible share `eligible` and the place's laws
    /// (`own` NONE), or with coefficients of its own per place (`own` the offset of the first
    /// in `own_base`, when the person's lean or turnout is given).
    Spread { set: u32, eligible: f64, own: u32 },
}

/// Persuadable share of a voter with lean `l`: `1 − |2l − 1|`, 1 for a voter with no
/// preference (lean 0.5) falling to 0 for a voter certain of their side (lean 0 or 1). After
/// Hillygus & Shields, *The Persuadable Voter* (Princeton UP, 2008): persuasion works on the
/// cross-pressured and undecided, not on committed partisans.
pub(crate) fn persuadable(l: f64) -> f64 {
    1.0 - (2.0 * l - 1.0).abs()
}

/// A per-person column: the given one (length and range checked), else the graph's
/// per-account attribute lifted to people (accounts of one person must agree), else all NaN.
/// NaN entries mean "not given". Returns the column and whether any value was given.
pub(crate) fn person_column(
    graph: &Graph,
    name: &str,
    given: Option<&Vec<f64>>,
    attr: &[f64],
    ok: impl Fn(f64) -> bool,
    want: &str,
) -> Result<(Vec<f64>, bool)> {
    let people = graph.people();
    let n = people.count;
    if let Some(col) = given {
        if col.len() != n {
            return Err(Error::LengthMismatch {
                column: name.into(),
                got: col.len(),
                expected: n,
            });
        }
        if let Some(p) = col.iter().position(|&x| !x.is_nan() && !ok(x)) {
            return Err(Error::InvalidAttribute {
                column: name.into(),
                node: people.name(p as u32, graph),
                reason: format!("{} is not {want}", col[p]),
            });
        }
        return Ok((col.clone(), col.iter().any(|x| !x.is_nan())));
    }
    let mut out = vec![f64::NAN; n];
    let mut any = false;
    for (a, &x) in attr.iter().enumerate() {
        if x.is_nan() {
            continue;
        }
        let p = people.of_account[a] as usize;
        if !out[p].is_nan() && out[p] != x {
            return Err(Error::InvalidAttribute {
                column: name.into(),
                node: people.name(p as u32, graph),
                reason: format!(
                    "the person's accounts give two values, {} and {x}; a person has one",
                    out[p]
                ),
            });
        }
        out[p] = x;
        any = true;
    }
    Ok((out, any))
}

impl Population {
    pub(crate) fn new(graph: &Graph, e: &Electorate, c: &MarginConfig) -> Result<Self> {
        let people = graph.people();
        let n = people.count;
        let jur = &graph.attributes().jurisdiction;
        let mapping = match c.mapping {
            Mapping::Auto if jur.is_empty() => Mapping::Drawn,
            Mapping::Auto => Mapping::Attribute,
            m => m,
        };
        // districts of each state, weighted by their votes
        let mut districts_of: Vec<Vec<usize>> = vec![Vec::new(); e.units.len()];
        for (i, u) in e.units.iter().enumerate() {
            if u.is_district {
                districts_of[u.state_index].push(i);
            }
        }
        // the places of a person of state `st` whose district is not known, with probability
        // `prob` of being in that state
        let places_in = |st: usize, prob: f64, out: &mut Vec<(u32, u32, f64)>| {
            let ds = &districts_of[st];
            let votes: f64 = ds.iter().map(|&d| e.units[d].total_votes.max(0.0)).sum();
            if ds.is_empty() || votes <= 0.0 {
                out.push((st as u32, NONE, prob));
                return;
            }
            for &d in ds {
                let w = e.units[d].total_votes.max(0.0) / votes;
                if w > 0.0 {
                    out.push((st as u32, d as u32, prob * w));
                }
            }
        };
        // place sets: (places) and, for each state, the set of its people without a district
        let mut sets: Vec<Vec<(u32, u32, f64)>> = Vec::new();
        let mut set_of_state: Vec<u32> = vec![NONE; e.units.len()];
        let mut spread_set: Vec<u32> = Vec::new();
        let mut state = vec![NONE; n];
        let mut district = vec![NONE; n];
        match mapping {
            Mapping::Attribute | Mapping::Auto => {
                if jur.is_empty() {
                    return Err(Error::MissingAttribute {
                        column: "jurisdiction".into(),
                        reason: "mapping people by attribute needs a jurisdiction column; \
                                 use the drawn mapping instead"
                            .into(),
                    });
                }
                let unit_of_code: Vec<Option<usize>> =
                    jur.names.iter().map(|name| e.find(name)).collect();
                for p in 0..n {
                    let code = people.jurisdiction[p];
                    if code == NONE {
                        continue;
                    }
                    let Some(ui) = unit_of_code[code as usize] else {
                        return Err(Error::InvalidAttribute {
                            column: "jurisdiction".into(),
                            node: people.name(p as u32, graph),
                            reason: format!(
                                "jurisdiction {:?} {}",
                                echo(&jur.names[code as usize]),
                                e.not_found()
                            ),
                        });
                    };
                    let u = &e.units[ui];
                    if u.is_district {
                        state[p] = u.state_index as u32;
                        district[p] = ui as u32;
                    } else if districts_of[ui].is_empty() {
                        state[p] = ui as u32;
                    } else {
                        if set_of_state[ui] == NONE {
                            let mut v = Vec::new();
                            places_in(ui, 1.0, &mut v);
                            set_of_state[ui] = sets.len() as u32;
                            sets.push(v);
                        }
                        if spread_set.is_empty() {
                            spread_set = vec![NONE; n];
                        }
                        spread_set[p] = set_of_state[ui];
                    }
                }
            }
            Mapping::Drawn => {
                let states = e.state_indices();
                let weights: Vec<f64> = states
                    .iter()
                    .map(|&s| {
                        let u = &e.units[s];
                        u.voting_eligible_population
                            .unwrap_or(u.total_votes / u.turnout())
                            .max(0.0)
                    })
                    .collect();
                let acc: f64 = weights.iter().sum();
                if acc <= 0.0 {
                    return Err(Error::invalid_parameter(
                        "electorate",
                        &e.name,
                        "no state has voters to draw people in proportion to",
                    ));
                }
                let mut v = Vec::new();
                for (&st, w) in states.iter().zip(weights) {
                    if w > 0.0 {
                        places_in(st, w / acc, &mut v);
                    }
                }
                sets.push(v);
                spread_set = vec![0; n];
            }
        }
        let is_spread = |p: usize| !spread_set.is_empty() && spread_set[p] != NONE;
        let mapped = (0..n).filter(|&p| state[p] != NONE || is_spread(p)).count() as u64;

        // graph people per state (expected, for spread people)
        let mut in_state = vec![0.0f64; e.units.len()];
        for p in 0..n {
            if state[p] != NONE {
                in_state[state[p] as usize] += 1.0;
            } else if is_spread(p) {
                for &(st, _, prob) in &sets[spread_set[p] as usize] {
                    in_state[st as usize] += prob;
                }
            }
        }
        let scale_of_state: Vec<f64> = match &c.scale {
            VoterScale::Global(s) => vec![*s; e.units.len()],
            VoterScale::PerJurisdiction { scales, default } => {
                let mut v = vec![*default; e.units.len()];
                for (id, s) in scales {
                    let ui = e.find(id).ok_or_else(|| {
                        Error::invalid_parameter(
                            "voters per person",
                            id,
                            format!("jurisdiction {id} is not in the electorate {}", e.name),
                        )
                    })?;
                    if e.units[ui].is_district {
                        return Err(Error::invalid_parameter(
                            "voters per person",
                            id,
                            "give the scale of the district's state: districts share it",
                        ));
                    }
                    v[ui] = *s;
                }
                v
            }
            VoterScale::Population => e
                .units
                .iter()
                .enumerate()
                .map(|(i, u)| {
                    if u.is_district || in_state[i] <= 0.0 {
                        0.0
                    } else {
                        u.voting_eligible_population
                            .unwrap_or(u.total_votes / u.turnout())
                            / in_state[i]
                    }
                })
                .collect(),
        };

        // per-person columns given by the request or the graph's attributes
        let attrs = graph.attributes();
        let prob = |x: f64| (0.0..=1.0).contains(&x);
        let a_prob = "a probability in [0, 1]";
        let (lean_given, has_lean) = person_column(
            graph,
            "lean",
            c.people.lean.as_ref(),
            &attrs.lean.as_slice(),
            prob,
            a_prob,
        )?;
        let (turnout_given, has_turnout) = person_column(
            graph,
            "turnout",
            c.people.turnout.as_ref(),
            &attrs.turnout.as_slice(),
            prob,
            a_prob,
        )?;
        let (eligible, has_eligible) = person_column(
            graph,
            "eligible",
            c.people.eligible.as_ref(),
            &attrs.eligible.as_slice(),
            prob,
            "a share in [0, 1]",
        )?;
        let accounts = graph.node_count();
        let (multiplier, has_multiplier) = match &c.people.effect_multiplier {
            Some(m) => {
                if m.len() != accounts {
                    return Err(Error::LengthMismatch {
                        column: "effect_multiplier".into(),
                        got: m.len(),
                        expected: accounts,
                    });
                }
                if let Some(a) = m
                    .iter()
                    .position(|x| !(x.is_nan() || (x.is_finite() && *x >= 0.0)))
                {
                    return Err(Error::InvalidAttribute {
                        column: "effect_multiplier".into(),
                        node: graph.label(a as u32),
                        reason: format!("{} is not a finite number >= 0", m[a]),
                    });
                }
                (m.clone(), m.iter().any(|x| !x.is_nan()))
            }
            None => (
                attrs.effect_multiplier.as_slice().into_owned(),
                attrs.effect_multiplier.iter().any(|x| !x.is_nan()),
            ),
        };
        let multiplier: Vec<f64> = multiplier
            .into_iter()
            .map(|x| if x.is_nan() { 1.0 } else { x })
            .collect();

        // Lean and turnout per person: given (the request's `voters`, or the per-person
        // columns), else integrated out over the jurisdiction's Beta laws. The coefficients
        // are linear in turnout, and lean and turnout are independent, so the expected
        // coefficients take E[T] = the turnout mean, E[2L - 1] = 2a - 1 and the lean moments of
        // [`lean_moments`]: no per-run draw of voter states moves the expected votes.
        let given_states: Option<(&Vec<f64>, &Vec<f64>)> = match &c.voters {
            VoterStates::Given { lean, turnout } => {
                for (name, col) in [("lean", lean), ("turnout", turnout)] {
                    if col.len() != n {
                        return Err(Error::LengthMismatch {
                            column: name.into(),
                            got: col.len(),
                            expected: n,
                        });
                    }
                    if let Some(p) = col
                        .iter()
                        .position(|x| !(x.is_finite() && (0.0..=1.0).contains(x)))
                    {
                        return Err(Error::InvalidAttribute {
                            column: name.into(),
                            node: people.name(p as u32, graph),
                            reason: format!("{} is not a probability in [0, 1]", col[p]),
                        });
                    }
                }
                Some((lean, turnout))
            }
            VoterStates::Drawn { .. } => None,
        };
        // per unit, as the lean unit of a person: [E[(1 - L) pi(L)], E[L pi(L)]]
        // (with given voter states every person has their own: the default law is unused)
        let kl = match &c.voters {
            VoterStates::Drawn {
                lean_concentration, ..
            } => *lean_concentration,
            VoterStates::Given { .. } => super::config::DEFAULT_LEAN_CONCENTRATION,
        };
        let moments: Vec<[f64; 2]> = e
            .units
            .iter()
            .map(|u| lean_moments(u.two_party_share_a(), kl))
            .collect();
        // the coefficients of a voter in state `st` (district `di` or NONE) with eligible
        // share `elig` and the given lean and turnout (NaN: the place's law)
        let coef_at = |st: usize, di: u32, elig: f64, lean: f64, turnout: f64| -> [f64; K] {
            let s = scale_of_state[st] * elig;
            let lean_unit = if di != NONE { di as usize } else { st };
            // (E[(1 - L) pi(L)], E[L pi(L)], E[2L - 1])
            let (lp_a, lp_b, net) = if !lean.is_nan() {
                let pi = persuadable(lean);
                ((1.0 - lean) * pi, lean * pi, 2.0 * lean - 1.0)
            } else {
                let [x, y] = moments[lean_unit];
                (x, y, 2.0 * e.units[lean_unit].two_party_share_a() - 1.0)
            };
            let t = if turnout.is_nan() {
                e.units[st].turnout()
            } else {
                turnout
            };
            let mut b = [0.0; K];
            b[C_PA] = s * t * lp_a;
            b[C_PB] = s * t * lp_b;
            b[C_MPLUS] = s * (1.0 - t) * net;
            b[C_MMINUS] = s * t * net;
            b[C_VOTERS] = s;
            b[C_PEOPLE] = 1.0;
            b
        };
        // the person's own lean and turnout (NaN: integrated over the place's law)
        let own = |p: usize| -> (f64, f64) {
            let pick_own = |col: &[f64], all: Option<&Vec<f64>>| {
                if !col[p].is_nan() {
                    col[p]
                } else {
                    all.map_or(f64::NAN, |v| v[p])
                }
            };
            (
                pick_own(&lean_given, given_states.map(|(l, _)| l)),
                pick_own(&turnout_given, given_states.map(|(_, t)| t)),
            )
        };
        let elig_of = |p: usize| {
            if eligible[p].is_nan() {
                1.0
            } else {
                eligible[p]
            }
        };
        let spreads: Vec<Spread> = sets
            .into_iter()
            .map(|places| {
                let unit = places
                    .iter()
                    .map(|&(st, di, _)| coef_at(st as usize, di, 1.0, f64::NAN, f64::NAN))
                    .collect();
                Spread { places, unit }
            })
            .collect();
        let mut own_base: Vec<[f64; K]> = Vec::new();
        let mut place: Vec<Place> = Vec::new();
        if !spread_set.is_empty() {
            place = vec![Place::Fixed; n];
        }
        let base = (0..n)
            .map(|p| {
                let (lean, turnout) = own(p);
                if state[p] != NONE {
                    return coef_at(state[p] as usize, district[p], elig_of(p), lean, turnout);
                }
                if !is_spread(p) {
                    return [0.0; K];
                }
                let set = spread_set[p];
                let sp = &spreads[set as usize];
                let elig = elig_of(p);
                let mut mean = [0.0; K];
                let own_at = if lean.is_nan() && turnout.is_nan() {
                    for (&(_, _, prob), u) in sp.places.iter().zip(&sp.unit) {
                        for c in 0..K {
                            mean[c] += prob * if c == C_PEOPLE { u[c] } else { elig * u[c] };
                        }
                    }
                    NONE
                } else {
                    let at = own_base.len() as u32;
                    for &(st, di, prob) in &sp.places {
                        let b = coef_at(st as usize, di, elig, lean, turnout);
                        for c in 0..K {
                            mean[c] += prob * b[c];
                        }
                        own_base.push(b);
                    }
                    at
                };
                place[p] = Place::Spread {
                    set,
                    eligible: elig,
                    own: own_at,
                };
                mean
            })
            .collect();
        Ok(Population {
            state,
            district,
            base,
            place,
            spreads,
            own_base,
            mapped,
            mapping,
            scale_of_state,
            multiplier,
            given: [has_lean, has_turnout, has_eligible, has_multiplier],
        })
    }
}

/// Concentrations above this treat the lean as its mean (its sd is then below 5e-5).
const POINT_MASS_CONCENTRATION: f64 = 1e8;

/// `[E[(1 - L) pi(L)], E[L pi(L)]]` for a lean `L ~ Beta(mean a, concentration k)`, with `pi`
/// the [`persuadable`] share: the persuadable B and A voters of one voter of that law. With
/// `pi(l) = 2 min(l, 1 - l)` and the Beta moments on each side of 1/2,
///
/// ```text
/// E[(1 - L) pi(L)] = 2 (E[L (1 - L); L < 1/2] + E[(1 - L)^2; L > 1/2])
/// E[L pi(L)]       = 2 (E[L^2; L < 1/2]      + E[L (1 - L); L > 1/2])
/// E[L^p (1 - L)^q; L < x] = B(α + p, β + q) / B(α, β) · I_x(α + p, β + q)
/// ```
///
/// with `α = a k`, `β = (1 - a) k` and `I` the regularized incomplete beta function.
/// Degenerate means (0 or 1) are exact: nobody is persuadable.
pub(crate) fn lean_moments(a: f64, k: f64) -> [f64; 2] {
    if a <= 0.0 || a >= 1.0 || !a.is_finite() || !(k.is_finite() && k > 0.0) {
        let l = if a.is_finite() {
            a.clamp(0.0, 1.0)
        } else {
            0.5
        };
        let pi = persuadable(l);
        return [(1.0 - l) * pi, l * pi];
    }
    if k > POINT_MASS_CONCENTRATION {
        let pi = persuadable(a);
        return [(1.0 - a) * pi, a * pi];
    }
    let (al, be) = (a * k, (1.0 - a) * k);
    let nn = k * (k + 1.0);
    let lower_mixed = al * be / nn * inc_beta(0.5, al + 1.0, be + 1.0);
    let upper_mixed = al * be / nn - lower_mixed;
    let upper_b2 = be * (be + 1.0) / nn * (1.0 - inc_beta(0.5, al, be + 2.0));
    let lower_a2 = al * (al + 1.0) / nn * inc_beta(0.5, al + 2.0, be);
    [
        2.0 * (lower_mixed + upper_b2),
        2.0 * (lower_a2 + upper_mixed),
    ]
}

/// ln B(a, b).
fn ln_beta(a: f64, b: f64) -> f64 {
    use crate::plan::params::ln_gamma;
    ln_gamma(a) + ln_gamma(b) - ln_gamma(a + b)
}

/// The regularized incomplete beta function `I_x(a, b)` for `a, b > 0`, `x` in [0, 1]: the
/// continued fraction of DLMF 8.17.22 (evaluated by the modified Lentz method) on the side
/// where it converges fast, `I_x(a, b) = 1 - I_{1-x}(b, a)` on the other.
pub(crate) fn inc_beta(x: f64, a: f64, b: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    if x > (a + 1.0) / (a + b + 2.0) {
        return 1.0 - inc_beta(1.0 - x, b, a);
    }
    let front = (a * x.ln() + b * (1.0 - x).ln() - ln_beta(a, b)).exp() / a;
    front * beta_fraction(x, a, b)
}

/// `1 / (1 + d1 / (1 + d2 / (1 + ...)))` with the coefficients of DLMF 8.17.22.
fn beta_fraction(x: f64, a: f64, b: f64) -> f64 {
    const TINY: f64 = 1e-300;
    let guard = |v: f64| if v.abs() < TINY { TINY } else { v };
    // f = b0 + a1/(b1 + a2/(b2 + ...)) with b0 = 0, a1 = 1, b_j = 1, a_{j+1} = d_j
    let mut c = TINY;
    let mut d = 0.0;
    let mut f = TINY;
    // a bound well above the O(sqrt(max(a, b))) terms the fraction needs at x near its mean
    let terms = 1000 + 10 * (a.max(b).sqrt() as usize);
    for j in 0..=(2 * terms) {
        let aj = if j == 0 {
            1.0
        } else {
            let m = (j / 2) as f64;
            if j % 2 == 1 {
                -(a + m) * (a + b + m) * x / ((a + 2.0 * m) * (a + 2.0 * m + 1.0))
            } else {
                m * (b - m) * x / ((a + 2.0 * m - 1.0) * (a + 2.0 * m))
            }
        };
        d = 1.0 / guard(1.0 + aj * d);
        c = guard(1.0 + aj / c);
        let delta = c * d;
        f *= delta;
        if j > 0 && (delta - 1.0).abs() < 1e-16 {
            break;
        }
    }
    f
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_distr::{Beta, Distribution};

    /// Composite Simpson rule with `n` (even) intervals.
    fn simpson(f: impl Fn(f64) -> f64, lo: f64, hi: f64, n: usize) -> f64 {
        let h = (hi - lo) / n as f64;
        let mut acc = f(lo) + f(hi);
        for i in 1..n {
            acc += f(lo + i as f64 * h) * if i % 2 == 1 { 4.0 } else { 2.0 };
        }
        acc * h / 3.0
    }

    /// E[g(L)] for L ~ Beta(alpha, beta) by a high-resolution numeric integral, independent of
    /// the incomplete beta function: on each half of [0, 1] whose end has a singular density
    /// (exponent below 1) the variable is changed so that it becomes smooth (l = u^(1/alpha)
    /// below 1/2, 1 - l = v^(1/beta) above); the result is normalized by the same integral
    /// of 1.
    fn numeric_mean(g: impl Fn(f64) -> f64, al: f64, be: f64) -> f64 {
        let n = 400_000;
        let lower = |g: &dyn Fn(f64) -> f64| {
            if al < 1.0 {
                simpson(
                    |u| {
                        let l = u.powf(1.0 / al);
                        g(l) * (1.0 - l).powf(be - 1.0)
                    },
                    0.0,
                    0.5f64.powf(al),
                    n,
                ) / al
            } else {
                simpson(
                    |l| g(l) * l.powf(al - 1.0) * (1.0 - l).powf(be - 1.0),
                    0.0,
                    0.5,
                    n,
                )
            }
        };
        let upper = |g: &dyn Fn(f64) -> f64| {
            if be < 1.0 {
                simpson(
                    |v| {
                        let m = v.powf(1.0 / be);
                        g(1.0 - m) * (1.0 - m).powf(al - 1.0)
                    },
                    0.0,
                    0.5f64.powf(be),
                    n,
                ) / be
            } else {
                simpson(
                    |l| g(l) * l.powf(al - 1.0) * (1.0 - l).powf(be - 1.0),
                    0.5,
                    1.0,
                    n,
                )
            }
        };
        let one = |_: f64| 1.0;
        (lower(&g) + upper(&g)) / (lower(&one) + upper(&one))
    }

    #[test]
    fn lean_moments_match_a_numeric_integral() {
        for &(a, k) in &[
            (0.5, 1.0),
            (0.47, 1.0),
            (0.62, 1.0),
            (0.03, 1.0),
            (0.98, 1.0),
            (0.4, 0.3),
            (0.55, 4.0),
            (0.3, 50.0),
            (0.51, 400.0),
        ] {
            let (al, be) = (a * k, (1.0 - a) * k);
            let want_a = numeric_mean(|l| (1.0 - l) * persuadable(l), al, be);
            let want_b = numeric_mean(|l| l * persuadable(l), al, be);
            let [got_a, got_b] = lean_moments(a, k);
            assert!(
                (got_a - want_a).abs() < 1e-9 && (got_b - want_b).abs() < 1e-9,
                "a {a} k {k}: closed form {got_a} {got_b}, numeric {want_a} {want_b}"
            );
        }
    }

    #[test]
    fn incomplete_beta_by_hand() {
        // I_x(1, 1) = x; I_x(2, 1) = x^2; I_x(1, 2) = 1 - (1 - x)^2; symmetric laws at 1/2
        for x in [0.1, 0.5, 0.83] {
            assert!((inc_beta(x, 1.0, 1.0) - x).abs() < 1e-14);
            assert!((inc_beta(x, 2.0, 1.0) - x * x).abs() < 1e-14);
            assert!((inc_beta(x, 1.0, 2.0) - (1.0 - (1.0 - x).powi(2))).abs() < 1e-14);
        }
        for ab in [0.3, 1.0, 7.5, 1e4] {
            assert!((inc_beta(0.5, ab, ab) - 0.5).abs() < 1e-10, "{ab}");
        }
    }

    #[test]
    fn degenerate_and_concentrated_leans_are_exact() {
        // certain voters are not persuadable
        assert_eq!(lean_moments(0.0, 1.0), [0.0, 0.0]);
        assert_eq!(lean_moments(1.0, 1.0), [0.0, 0.0]);
        // a very concentrated law is its mean; just below the point-mass bound it is close
        let pi = persuadable(0.4);
        assert_eq!(lean_moments(0.4, 1e9), [0.6 * pi, 0.4 * pi]);
        let [x, y] = lean_moments(0.4, 1e7);
        assert!(
            (x - 0.6 * pi).abs() < 1e-6 && (y - 0.4 * pi).abs() < 1e-6,
            "{x} {y}"
        );
    }

    /// The integrated coefficients of one person equal the mean of the coefficients of many
    /// drawn voter states (the old per-run draw), within 4 standard errors of that mean.
    #[test]
    fn integrated_base_is_the_mean_of_drawn_bases() {
        let mut r = crate::rng::stream(16, 0);
        for &(a, kl, t0, kt) in &[(0.47, 1.0, 0.66, 2.0), (0.6, 5.0, 0.4, 0.5)] {
            let lean = Beta::new(a * kl, (1.0 - a) * kl).unwrap();
            let turnout = Beta::new(t0 * kt, (1.0 - t0) * kt).unwrap();
            let draws = 400_000;
            let (mut sum, mut sq) = ([0.0; 4], [0.0; 4]);
            for _ in 0..draws {
                let (l, t): (f64, f64) = (lean.sample(&mut r), turnout.sample(&mut r));
                let pi = persuadable(l);
                let b = [
                    t * (1.0 - l) * pi,
                    t * l * pi,
                    (1.0 - t) * (2.0 * l - 1.0),
                    t * (2.0 * l - 1.0),
                ];
                for c in 0..4 {
                    sum[c] += b[c];
                    sq[c] += b[c] * b[c];
                }
            }
            let [ma, mb] = lean_moments(a, kl);
            let want = [
                t0 * ma,
                t0 * mb,
                (1.0 - t0) * (2.0 * a - 1.0),
                t0 * (2.0 * a - 1.0),
            ];
            for c in 0..4 {
                let mean = sum[c] / draws as f64;
                let se = ((sq[c] / draws as f64 - mean * mean) / draws as f64).sqrt();
                assert!(
                    (mean - want[c]).abs() < 4.0 * se,
                    "coefficient {c} at a {a}: drawn mean {mean} (se {se}), integrated {}",
                    want[c]
                );
            }
        }
    }
}
