//! Graph people as voters: jurisdiction, voters per person, lean and turnout.

use super::config::{Mapping, MarginConfig, VoterScale, VoterStates};
use super::electorate::Electorate;
use crate::attrs::NONE;
use crate::error::{echo, Error, Result};
use crate::graph::Graph;
use crate::rng;
use rand_distr::{Beta, Distribution};
use rayon::prelude::*;

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

/// People per random stream when drawing voter states.
const PEOPLE_CHUNK: usize = 4096;

const PURPOSE_STATE: u64 = 0x0057_4741_5445;
const PURPOSE_DISTRICT: u64 = 0x0D15_71C7;
const PURPOSE_VOTERS: u64 = 0x0F07_E125;

/// The voters behind the graph's people.
#[derive(Debug, Clone)]
pub(crate) struct Population {
    /// State unit of each person, or NONE.
    pub state: Vec<u32>,
    /// District unit of each person, or NONE.
    pub district: Vec<u32>,
    /// Per person: the coefficients of one full exposure (see [`K`]).
    pub base: Vec<[f64; K]>,
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

/// A uniform in [0, 1) for person `p` and a purpose, independent of thread and order.
fn person_uniform(seed: u64, purpose: u64, p: usize) -> f64 {
    let x = rng::splitmix64(rng::derive(seed, purpose) ^ rng::splitmix64(p as u64));
    (x >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// Index in `cum` (cumulative weights, last = total) where `u · total` falls.
fn pick(cum: &[f64], u: f64) -> usize {
    let total = cum.last().copied().unwrap_or(0.0);
    let x = u * total;
    cum.partition_point(|&c| c <= x).min(cum.len() - 1)
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
        let seed = c.sampling.seed;
        // districts of each state, weighted by their votes
        let mut districts_of: Vec<Vec<usize>> = vec![Vec::new(); e.units.len()];
        for (i, u) in e.units.iter().enumerate() {
            if u.is_district {
                districts_of[u.state_index].push(i);
            }
        }
        let district_for = |state: usize, p: usize| -> u32 {
            let ds = &districts_of[state];
            if ds.is_empty() {
                return NONE;
            }
            let mut cum = Vec::with_capacity(ds.len());
            let mut acc = 0.0;
            for &d in ds {
                acc += e.units[d].total_votes.max(0.0);
                cum.push(acc);
            }
            if acc <= 0.0 {
                return NONE;
            }
            ds[pick(&cum, person_uniform(seed, PURPOSE_DISTRICT, p))] as u32
        };
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
                    } else {
                        state[p] = ui as u32;
                        district[p] = district_for(ui, p);
                    }
                }
            }
            Mapping::Drawn => {
                let states = e.state_indices();
                let mut cum = Vec::with_capacity(states.len());
                let mut acc = 0.0;
                for &s in &states {
                    let u = &e.units[s];
                    acc += u
                        .voting_eligible_population
                        .unwrap_or(u.total_votes / u.turnout());
                    cum.push(acc);
                }
                if acc <= 0.0 {
                    return Err(Error::invalid_parameter(
                        "electorate",
                        &e.name,
                        "no state has voters to draw people in proportion to",
                    ));
                }
                for p in 0..n {
                    let s = states[pick(&cum, person_uniform(seed, PURPOSE_STATE, p))];
                    state[p] = s as u32;
                    district[p] = district_for(s, p);
                }
            }
        }
        let mapped = state.iter().filter(|&&s| s != NONE).count() as u64;

        // voters per person, by state
        let mut in_state = vec![0u64; e.units.len()];
        for &s in &state {
            if s != NONE {
                in_state[s as usize] += 1;
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
                    if u.is_district || in_state[i] == 0 {
                        0.0
                    } else {
                        u.voting_eligible_population
                            .unwrap_or(u.total_votes / u.turnout())
                            / in_state[i] as f64
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
            &attrs.lean,
            prob,
            a_prob,
        )?;
        let (turnout_given, has_turnout) = person_column(
            graph,
            "turnout",
            c.people.turnout.as_ref(),
            &attrs.turnout,
            prob,
            a_prob,
        )?;
        let (eligible, has_eligible) = person_column(
            graph,
            "eligible",
            c.people.eligible.as_ref(),
            &attrs.eligible,
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
                attrs.effect_multiplier.clone(),
                attrs.effect_multiplier.iter().any(|x| !x.is_nan()),
            ),
        };
        let multiplier: Vec<f64> = multiplier
            .into_iter()
            .map(|x| if x.is_nan() { 1.0 } else { x })
            .collect();

        // lean and turnout per person
        let unit_lean_turnout = |p: usize| -> (f64, f64) {
            let s = &e.units[state[p] as usize];
            let lean_unit = if district[p] != NONE {
                &e.units[district[p] as usize]
            } else {
                s
            };
            (lean_unit.two_party_share_a(), s.turnout())
        };
        let states_of: Vec<(f64, f64)> = match &c.voters {
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
                lean.iter().copied().zip(turnout.iter().copied()).collect()
            }
            VoterStates::Drawn {
                lean_concentration: kl,
                turnout_concentration: kt,
            } => {
                let (kl, kt) = (*kl, *kt);
                let vseed = rng::derive(seed, PURPOSE_VOTERS);
                (0..n.div_ceil(PEOPLE_CHUNK))
                    .into_par_iter()
                    .flat_map_iter(|chunk| {
                        let mut r = rng::stream(vseed, chunk as u64);
                        let lo = chunk * PEOPLE_CHUNK;
                        let hi = (lo + PEOPLE_CHUNK).min(n);
                        (lo..hi)
                            .map(|p| {
                                if state[p] == NONE {
                                    return (0.5, 0.0);
                                }
                                let (a, t) = unit_lean_turnout(p);
                                (beta(&mut r, a, kl), beta(&mut r, t, kt))
                            })
                            .collect::<Vec<_>>()
                    })
                    .collect()
            }
        };
        let base = (0..n)
            .map(|p| {
                if state[p] == NONE {
                    return [0.0; K];
                }
                let e = if eligible[p].is_nan() {
                    1.0
                } else {
                    eligible[p]
                };
                let s = scale_of_state[state[p] as usize] * e;
                let (mut l, mut t) = states_of[p];
                if !lean_given[p].is_nan() {
                    l = lean_given[p];
                }
                if !turnout_given[p].is_nan() {
                    t = turnout_given[p];
                }
                let pi = persuadable(l);
                let mut b = [0.0; K];
                b[C_PA] = s * t * (1.0 - l) * pi;
                b[C_PB] = s * t * l * pi;
                b[C_MPLUS] = s * (1.0 - t) * (2.0 * l - 1.0);
                b[C_MMINUS] = s * t * (2.0 * l - 1.0);
                b[C_VOTERS] = s;
                b[C_PEOPLE] = 1.0;
                b
            })
            .collect();
        Ok(Population {
            state,
            district,
            base,
            mapped,
            mapping,
            scale_of_state,
            multiplier,
            given: [has_lean, has_turnout, has_eligible, has_multiplier],
        })
    }
}

/// A Beta draw with mean `m` and concentration `k`; degenerate means give the mean.
fn beta(r: &mut rng::Rng, m: f64, k: f64) -> f64 {
    if m <= 0.0 || m >= 1.0 {
        return m.clamp(0.0, 1.0);
    }
    match Beta::new(m * k, (1.0 - m) * k) {
        Ok(b) => b.sample(r).clamp(0.0, 1.0),
        Err(_) => m,
    }
}
