//! [`generate_rgraph`]: the generated population written straight to a `.rgraph` file, its
//! edges streamed through [`crate::rgraph_build`] instead of building the graph in memory.
//!
//! The graph is the one [`generate`] builds for the same configuration (same accounts, edges,
//! ids and attributes, the tier column filled in as `reachgraph generate` writes it); the
//! test below checks the bytes against [`rgraph::write`](crate::rgraph::write) of it.
//!
//! What stays in memory, per person and per account (the edges go through the builder's
//! budget): the person columns (state, two niches, platform mask: 6 B per person), the layout
//! (account → person 4 B, niche lists about 6 B per account), the creator flags (1 B per
//! account), the person codes of the attribute column (4 B per person, written then freed)
//! and the builder's offsets (8 B per account). Creator audiences and ordinary follows are
//! drawn a batch at a time and handed to the builder, so neither is held whole.

use super::*;
use crate::attrs::Tier;
use crate::rgraph::SectionKind;
use crate::rgraph_build::{EdgeSpill, SortedEdges, StreamOptions, TailSection};
use crate::weights::WeightScheme;
use std::path::Path;

/// Creator people whose audiences are drawn per batch.
const AUDIENCE_BATCH: usize = 4096;
/// Follow chunks ([`CHUNK`] accounts each) drawn per batch.
const FOLLOW_BATCH: usize = 64;
/// Accounts per block of an attribute column.
const COLUMN_BLOCK: usize = 1 << 16;

/// What [`generate_rgraph`] wrote.
#[derive(Debug, Clone)]
pub struct StreamedScenario {
    /// Accounts (graph nodes).
    pub accounts: usize,
    /// Distinct follow edges written.
    pub edges: usize,
    /// Real people one graph person stands for.
    pub scale: f64,
    /// What was generated.
    pub stats: ScenarioStats,
}

/// Generates the population of `config` and writes it to `path` as a `.rgraph` file with
/// `scheme` in force, in bounded memory (see the module docs); the tier column holds every
/// account's tier (the one derived from its follower count when the generator sets none).
///
/// # Errors
/// [`ScenarioConfig::validate`]'s errors; [`Error::Cancelled`] when `progress` cancels;
/// [`Error::Io`] naming the file that could not be written; [`Error::InvalidParameter`] for a
/// scheme the streamed writer does not compute (trivalency, tier rates).
pub fn generate_rgraph(
    config: &ScenarioConfig,
    scheme: &WeightScheme,
    path: &Path,
    options: StreamOptions,
    progress: &dyn Progress,
) -> Result<StreamedScenario> {
    if matches!(
        scheme,
        WeightScheme::Trivalency { .. } | WeightScheme::TierRates { .. } | WeightScheme::Given
    ) {
        return Err(Error::invalid_parameter(
            "weights",
            crate::rgraph::scheme_text(scheme),
            "a streamed generate computes constant and wc probabilities only",
        ));
    }
    let track = Tracker::new(progress);
    let p = prepare(config, &track)?;
    let mut spill = EdgeSpill::new(p.n as u32, false, path, options)?;
    let ctx = Ctx {
        config,
        people: &p.people,
        layout: &p.layout,
        is_creator: &p.is_creator,
    };

    // Creator audiences, a batch of creator people at a time, in plan order.
    track.stage("scenario: audiences", p.plan.people() as u64);
    let words = p.n.div_ceil(64);
    let mut audience_len: Vec<usize> = Vec::with_capacity(p.creator_account.len());
    let mut slot0 = 0;
    while slot0 < p.plan.people() {
        let slot1 = (slot0 + AUDIENCE_BATCH).min(p.plan.people());
        let batch: Vec<Vec<Vec<u32>>> = (slot0..slot1)
            .into_par_iter()
            .map_init(
                || vec![0u64; words],
                |seen, slot| {
                    if track.cancelled() {
                        return Vec::new();
                    }
                    let range = p.plan.slot_range(slot);
                    let out = ctx.audiences(
                        slot,
                        &p.creator_account[range.clone()],
                        &p.plan.accounts[range.clone()],
                        &p.sizes[range],
                        p.creator_people[slot],
                        seen,
                    );
                    track.tick(1);
                    out
                },
            )
            .collect();
        track.check()?;
        let first = p.plan.slot_start[slot0];
        for (i, followers) in batch.iter().flatten().enumerate() {
            let u = p.creator_account[first + i];
            for &v in followers {
                spill.push(u, v, None)?;
            }
            audience_len.push(followers.len());
        }
        slot0 = slot1;
    }

    // Followers and prices, in plan order, as `generate` draws them.
    let mut cost_rng = rng::stream(rng::derive(config.seed, PURPOSE_COSTS), 0);
    let creator_info: Vec<(u64, f64)> = audience_len
        .iter()
        .map(|&len| {
            let followers = (len as f64 * p.scale).round() as u64;
            let tier = Tier::from_followers(followers);
            let noise: f64 = cost_rng.sample(StandardNormal);
            let cost =
                (config.rate_card[tier as usize] * (config.cost_sigma * noise).exp()).round();
            (followers, cost)
        })
        .collect();

    // Ordinary follows, a batch of chunks at a time.
    let n_chunks = p.n.div_ceil(CHUNK);
    track.stage("scenario: follows", n_chunks as u64);
    let mut follow_edges = 0;
    let mut c0 = 0;
    while c0 < n_chunks {
        let c1 = (c0 + FOLLOW_BATCH).min(n_chunks);
        let batch: Vec<(Vec<u32>, Vec<u32>)> = (c0..c1)
            .into_par_iter()
            .map(|c| {
                if track.cancelled() {
                    return Default::default();
                }
                let out = ctx.follows(c);
                track.tick(1);
                out
            })
            .collect();
        track.check()?;
        for (s, d) in batch {
            follow_edges += s.len();
            spill.push_slices(&s, &d, None)?;
        }
        c0 = c1;
    }

    track.stage("scenario: graph", 1);
    let sorted = spill.sort(&|i| i.to_string())?;
    track.tick(1);
    track.check()?;

    track.stage("scenario: attributes", 1);
    let mut tail = id_sections(config, &p);
    tail.extend(attribute_sections(config, &p, &creator_info, &sorted));
    sorted.write(path, scheme, tail)?;
    track.tick(1);
    let creator_edges = audience_len.iter().sum();
    Ok(StreamedScenario {
        accounts: p.n,
        edges: sorted.edge_count(),
        scale: p.scale,
        stats: ScenarioStats {
            people: p.n_people,
            accounts: p.n,
            accounts_per_platform: p.pools.clone(),
            creator_people: p.plan.people(),
            creator_accounts: p.creator_account.len(),
            creator_edges,
            follow_edges,
        },
    })
}

/// The label of account `a` (as [`readable_ids`] interns it).
fn label_of(config: &ScenarioConfig, p: &Prepared, a: u32, out: &mut String) {
    let k = p.layout.platform_of(a);
    out.clear();
    person_label(
        out,
        &config.platforms[k].prefix,
        p.layout.person_of[a as usize],
        &p.creator_slot,
    );
}

/// The id sections: none for dense ids; readable ids as text with offsets (two passes over the
/// labels: their length, then their bytes).
fn id_sections<'a>(config: &'a ScenarioConfig, p: &'a Prepared) -> Vec<TailSection<'a>> {
    if config.ids == IdScheme::Dense {
        return Vec::new();
    }
    let n = p.n as u32;
    let mut label = String::new();
    let mut total = 0u64;
    for a in 0..n {
        label_of(config, p, a, &mut label);
        total += label.len() as u64;
    }
    let offsets = TailSection::new(
        SectionKind::IdsTextOffsets,
        8,
        8 * (n as u64 + 1),
        move |sink| {
            let mut label = String::new();
            let mut at = 0u64;
            sink(&at.to_le_bytes())?;
            let mut block = Vec::with_capacity(8 * COLUMN_BLOCK);
            for a in 0..n {
                label_of(config, p, a, &mut label);
                at += label.len() as u64;
                block.extend_from_slice(&at.to_le_bytes());
                if block.len() >= 8 * COLUMN_BLOCK {
                    sink(&block)?;
                    block.clear();
                }
            }
            sink(&block)
        },
    );
    let text = TailSection::new(SectionKind::IdsText, 1, total, move |sink| {
        let mut label = String::new();
        let mut block = Vec::with_capacity(1 << 20);
        for a in 0..n {
            label_of(config, p, a, &mut label);
            block.extend_from_slice(label.as_bytes());
            if block.len() >= 1 << 20 {
                sink(&block)?;
                block.clear();
            }
        }
        sink(&block)
    });
    vec![offsets, text]
}

/// A column of `n` elements of `elem` bytes, written a block of accounts at a time by `value`.
fn column<'a>(
    kind: SectionKind,
    elem: u32,
    n: usize,
    value: impl Fn(u32, &mut Vec<u8>) + 'a,
) -> TailSection<'a> {
    TailSection::new(kind, elem, elem as u64 * n as u64, move |sink| {
        let mut block = Vec::with_capacity(elem as usize * COLUMN_BLOCK);
        for a in 0..n as u32 {
            value(a, &mut block);
            if block.len() >= elem as usize * COLUMN_BLOCK {
                sink(&block)?;
                block.clear();
            }
        }
        sink(&block)
    })
}

/// The attribute columns [`generate`] sets (platform, person, jurisdiction, followers and cost
/// of creators) plus the tier of every account, in the order and under the presence rules of
/// [`rgraph::write`](crate::rgraph::write).
fn attribute_sections<'a>(
    config: &'a ScenarioConfig,
    p: &'a Prepared,
    creator_info: &'a [(u64, f64)],
    sorted: &'a SortedEdges,
) -> Vec<TailSection<'a>> {
    let n = p.n;
    let l = &p.layout;
    let mut out = Vec::new();
    // platform: present whenever there is a platform name
    let names: Vec<String> = config.platforms.iter().map(|q| q.name.clone()).collect();
    if !names.is_empty() || n > 0 {
        out.push(column(SectionKind::AttrPlatform, 4, n, move |a, b| {
            b.extend_from_slice(&(l.platform_of(a) as u32).to_le_bytes())
        }));
        out.push(TailSection::bytes(
            SectionKind::AttrPlatformNames,
            1,
            crate::rgraph::encode_names(&names).into(),
        ));
    }
    // person: a code for each person with two or more accounts
    let mut code_of = vec![NONE; config.people];
    let mut person_names = Vec::new();
    let mut label = String::new();
    let mut codes = 0u32;
    for (q, &m) in p.people.mask.iter().enumerate() {
        if m.count_ones() >= 2 {
            code_of[q] = codes;
            codes += 1;
            label.clear();
            person_label(&mut label, "", q as u32, &p.creator_slot);
            person_names.extend_from_slice(&(label.len() as u32).to_le_bytes());
            person_names.extend_from_slice(label.as_bytes());
        }
    }
    if codes > 0 {
        out.push(column(SectionKind::AttrPerson, 4, n, move |a, b| {
            b.extend_from_slice(&code_of[l.person_of[a as usize] as usize].to_le_bytes())
        }));
        out.push(TailSection::bytes(
            SectionKind::AttrPersonNames,
            1,
            person_names.into(),
        ));
    }
    // jurisdiction: the person's state
    if !p.states.is_empty() || n > 0 {
        out.push(column(SectionKind::AttrJurisdiction, 4, n, move |a, b| {
            let s = p.people.state[l.person_of[a as usize] as usize] as u32;
            b.extend_from_slice(&s.to_le_bytes())
        }));
        out.push(TailSection::bytes(
            SectionKind::AttrJurisdictionNames,
            1,
            crate::rgraph::encode_names(&p.states).into(),
        ));
    }
    // creators' followers and prices, by account
    let mut by_account: Vec<(u32, u64, f64)> = p
        .creator_account
        .iter()
        .zip(creator_info)
        .map(|(&u, &(f, c))| (u, f, c))
        .collect();
    by_account.sort_by_key(|x| x.0);
    let by_account = std::sync::Arc::new(by_account);
    let find = |v: &[(u32, u64, f64)], a: u32| -> Option<(u64, f64)> {
        v.binary_search_by_key(&a, |x| x.0)
            .ok()
            .map(|i| (v[i].1, v[i].2))
    };
    if !by_account.is_empty() {
        let v = by_account.clone();
        out.push(column(SectionKind::AttrFollowers, 8, n, move |a, b| {
            let f = find(&v, a).map_or(u64::MAX, |x| x.0);
            b.extend_from_slice(&f.to_le_bytes())
        }));
    }
    if n > 0 {
        let v = by_account.clone();
        out.push(column(SectionKind::AttrTier, 1, n, move |a, b| {
            let followers = find(&v, a).map_or(sorted.out_degree(a) as u64, |x| x.0);
            b.push(Tier::from_followers(followers) as u8)
        }));
    }
    if by_account.iter().any(|x| !x.2.is_nan()) {
        let v = by_account.clone();
        out.push(column(SectionKind::AttrCost, 8, n, move |a, b| {
            let c = find(&v, a).map_or(f64::NAN, |x| x.1);
            b.extend_from_slice(&c.to_le_bytes())
        }));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::progress::NoProgress;

    /// The file `reachgraph generate --out X.rgraph` wrote before streaming: the generated
    /// graph with every tier filled in and the scheme set.
    fn in_memory(config: &ScenarioConfig, scheme: &WeightScheme) -> Vec<u8> {
        let mut sc = generate(config, &NoProgress).unwrap();
        let mut attrs = sc.graph.attributes().clone();
        for u in 0..sc.graph.node_count() as u32 {
            if attrs.tier.get(u as usize).is_none() {
                let t = attrs.tier(u, &sc.graph);
                attrs.tier.set(u as usize, Some(t));
            }
        }
        sc.graph.set_attributes(attrs).unwrap();
        sc.graph.set_weights(scheme).unwrap();
        crate::rgraph::to_bytes(&sc.graph)
    }

    #[test]
    fn streamed_generate_writes_the_same_file_as_the_in_memory_graph() {
        let dir = std::env::temp_dir().join(format!("rg-gen-stream-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let readable = ScenarioConfig::with_edges(20_000, 3);
        assert_eq!(readable.ids, IdScheme::Readable);
        let mut dense = ScenarioConfig::with_edges(30_000, 4);
        dense.ids = IdScheme::Dense;
        for (config, scheme, memory) in [
            (&readable, WeightScheme::Constant { p: 1.0 }, 1 << 30),
            (&readable, WeightScheme::WeightedCascade, 4096),
            (&dense, WeightScheme::WeightedCascade, 1 << 30),
            (&dense, WeightScheme::Constant { p: 0.1 }, 1000),
        ] {
            let want = in_memory(config, &scheme);
            let path = dir.join("g.rgraph");
            let options = StreamOptions {
                memory,
                ..StreamOptions::default()
            };
            let done = generate_rgraph(config, &scheme, &path, options, &NoProgress).unwrap();
            let got = std::fs::read(&path).unwrap();
            assert!(
                got == want,
                "{:?} {scheme:?} memory {memory}: {} vs {} bytes",
                config.ids,
                got.len(),
                want.len()
            );
            let g = crate::rgraph::from_bytes(&got, "g", &Default::default()).unwrap();
            assert_eq!(
                (done.accounts, done.edges),
                (g.node_count(), g.edge_count())
            );
            assert_eq!(
                done.stats.creator_edges + done.stats.follow_edges,
                g.edge_count()
            );
            std::fs::remove_file(&path).unwrap();
        }
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0);
        std::fs::remove_dir(&dir).unwrap();
    }
}
