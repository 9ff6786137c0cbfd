//! SVG charts of a margin response, drawn with `plotters` (SVG backend only, no system fonts:
//! text is written as SVG `<text>` elements that the viewer renders).
//!
//! - [`ev_distribution`]: side A's electoral votes over the draws, without and with the
//!   campaign, with the majority line;
//! - [`margin_shift`]: the change in margin (points, mean and 95% range) in the closest
//!   jurisdictions;
//! - [`reach_ladder`]: distinct people reached as seeds are added, and what each adds;
//! - [`cost_curve`]: cost per net vote at assumed effect rates, with its Monte Carlo interval.

use plotters::prelude::*;
use reachgraph_api::margin::MarginResponse;
use std::path::Path;

/// Why a chart could not be drawn or written. Charts are the command line's business, so this
/// is not a [`reachgraph_api::ApiError`].
#[derive(Debug, thiserror::Error)]
pub enum PlotError {
    /// The drawing backend failed.
    #[error("cannot draw the chart: {0}")]
    Draw(String),
    /// The chart directory or a chart file could not be written.
    #[error("cannot {what}: {source}")]
    Io {
        /// What was being done, naming the path.
        what: String,
        /// The underlying I/O error.
        source: std::io::Error,
    },
}

type Result<T> = std::result::Result<T, PlotError>;

const W: u32 = 800;
const H: u32 = 480;
const GREY: RGBColor = RGBColor(150, 150, 150);
const LIGHT: RGBColor = RGBColor(190, 190, 190);
const BLUE: RGBColor = RGBColor(31, 119, 180);
const ORANGE: RGBColor = RGBColor(214, 99, 20);

fn err<E: std::fmt::Display>(e: E) -> PlotError {
    PlotError::Draw(e.to_string())
}

/// Electoral-vote distribution with and without the campaign (bins of 4 votes).
///
/// # Errors
/// [`PlotError::Draw`] when drawing fails.
pub fn ev_distribution(r: &MarginResponse) -> Result<String> {
    let n = &r.result.national;
    let bin = 4usize;
    let shares = |counts: &[u64]| -> Vec<(f64, f64)> {
        let total: u64 = counts.iter().sum::<u64>().max(1);
        counts
            .chunks(bin)
            .enumerate()
            .map(|(i, c)| {
                (
                    (i * bin) as f64 + (bin as f64 - 1.0) / 2.0,
                    c.iter().sum::<u64>() as f64 / total as f64,
                )
            })
            .collect()
    };
    let without = shares(&n.ev_a.without.counts);
    let with = shares(&n.ev_a.with.counts);
    let ymax = without
        .iter()
        .chain(&with)
        .map(|p| p.1)
        .fold(0.0f64, f64::max)
        .max(0.01)
        * 1.15;
    let mut s = String::new();
    {
        let root = SVGBackend::with_string(&mut s, (W, H)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(
                format!(
                    "Electoral votes of {} ({} draws)",
                    r.result.candidate_a, r.result.draws
                ),
                ("sans-serif", 20),
            )
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(60)
            .build_cartesian_2d(0f64..n.total_electoral_votes as f64, 0f64..ymax)
            .map_err(err)?;
        chart
            .configure_mesh()
            .x_desc("electoral votes")
            .x_label_formatter(&|v| format!("{v:.0}"))
            .y_desc(format!("share of draws (bins of {bin})"))
            .y_label_formatter(&|v| format!("{:.0}%", v * 100.0))
            .draw()
            .map_err(err)?;
        chart
            .draw_series(LineSeries::new(without, LIGHT.stroke_width(5)))
            .map_err(err)?
            .label(format!(
                "without: P(majority) {:.1}%",
                100.0 * n.p_majority.without
            ))
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], LIGHT.stroke_width(5)));
        chart
            .draw_series(LineSeries::new(with, BLUE.stroke_width(2)))
            .map_err(err)?
            .label(format!(
                "with: P(majority) {:.1}%",
                100.0 * n.p_majority.with
            ))
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], BLUE.stroke_width(2)));
        let m = n.majority as f64;
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(m, 0.0), (m, ymax)],
                RED.stroke_width(1),
            )))
            .map_err(err)?
            .label(format!("majority: {}", n.majority))
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], RED.stroke_width(1)));
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK)
            .position(SeriesLabelPosition::UpperLeft)
            .draw()
            .map_err(err)?;
        root.present().map_err(err)?;
    }
    Ok(s)
}

/// Change in margin (points; mean with the 95% range over draws) in the `rows` jurisdictions
/// closest to a tie.
///
/// # Errors
/// [`PlotError::Draw`] when drawing fails.
pub fn margin_shift(r: &MarginResponse, rows: usize) -> Result<String> {
    let mut js: Vec<_> = r.result.jurisdictions.iter().collect();
    js.sort_by(|a, b| {
        a.margin_points_without
            .abs()
            .total_cmp(&b.margin_points_without.abs())
            .then(a.id.cmp(&b.id))
    });
    js.truncate(rows.max(1));
    let lo = js.iter().map(|j| j.delta_points.lo).fold(0.0f64, f64::min);
    let hi = js.iter().map(|j| j.delta_points.hi).fold(0.0f64, f64::max);
    let pad = ((hi - lo) * 0.1).max(1e-4);
    let labels: Vec<String> = js
        .iter()
        .map(|j| format!("{} ({:+.1})", j.id, j.margin_points_without))
        .collect();
    let n = js.len();
    let mut s = String::new();
    {
        let root =
            SVGBackend::with_string(&mut s, (W, 40 + 26 * n as u32 + 80)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(
                format!(
                    "Margin shift toward {} in the {n} closest jurisdictions",
                    r.result.candidate_a
                ),
                ("sans-serif", 20),
            )
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(110)
            .build_cartesian_2d((lo - pad)..(hi + pad), -0.5f64..(n as f64 - 0.5))
            .map_err(err)?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(n)
            .y_label_formatter(&|v| {
                let i = v.round();
                if (v - i).abs() < 1e-6 && i >= 0.0 && (i as usize) < n {
                    labels[n - 1 - i as usize].clone()
                } else {
                    String::new()
                }
            })
            .x_desc("change in margin, points (mean and 95% range); baseline margin in brackets")
            .draw()
            .map_err(err)?;
        for (k, j) in js.iter().enumerate() {
            let y = (n - 1 - k) as f64;
            let d = j.delta_points;
            let color = if d.mean >= 0.0 { BLUE } else { ORANGE };
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(0.0, y - 0.3), (d.mean, y + 0.3)],
                    color.filled(),
                )))
                .map_err(err)?;
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![(d.lo, y), (d.hi, y)],
                    BLACK.stroke_width(1),
                )))
                .map_err(err)?;
        }
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(0.0, -0.5), (0.0, n as f64 - 0.5)],
                BLACK.stroke_width(1),
            )))
            .map_err(err)?;
        root.present().map_err(err)?;
    }
    Ok(s)
}

/// The reach ladder of the seeds: distinct people reached as seeds are added in greedy order,
/// and the people each one adds.
///
/// # Errors
/// [`PlotError::Draw`] when drawing fails or the ladder is empty.
pub fn reach_ladder(r: &MarginResponse) -> Result<String> {
    if r.ladder.is_empty() {
        return Err(err("the reach ladder is empty"));
    }
    let mut distinct = vec![(0.0, 0.0)];
    for (i, s) in r.ladder.iter().enumerate() {
        distinct.push(((i + 1) as f64, s.cumulative_people as f64));
    }
    let ymax = distinct.last().map_or(1.0, |p| p.1).max(1.0) * 1.1;
    let xmax = r.ladder.len() as f64;
    let mut s = String::new();
    {
        let root = SVGBackend::with_string(&mut s, (W, H)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(
                "Reach ladder of the campaign's creators",
                ("sans-serif", 20),
            )
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(80)
            .build_cartesian_2d(0f64..xmax + 0.5, 0f64..ymax)
            .map_err(err)?;
        chart
            .configure_mesh()
            .x_desc("creators, in greedy order")
            .x_label_formatter(&|v| format!("{v:.0}"))
            .y_desc("graph people")
            .y_label_formatter(&|v| crate::render::thousands(v.max(0.0) as u64))
            .draw()
            .map_err(err)?;
        chart
            .draw_series(r.ladder.iter().enumerate().map(|(i, s)| {
                let x = (i + 1) as f64;
                Rectangle::new(
                    [(x - 0.35, 0.0), (x + 0.35, s.marginal_people as f64)],
                    GREY.filled(),
                )
            }))
            .map_err(err)?
            .label("people each creator adds")
            .legend(|(x, y)| Rectangle::new([(x, y - 5), (x + 20, y + 5)], GREY.filled()));
        chart
            .draw_series(LineSeries::new(distinct, BLUE.stroke_width(2)))
            .map_err(err)?
            .label("distinct people reached")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], BLUE.stroke_width(2)));
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK)
            .position(SeriesLabelPosition::UpperLeft)
            .draw()
            .map_err(err)?;
        root.present().map_err(err)?;
    }
    Ok(s)
}

/// A point of the cost-curve chart: rate, value, low and high end of its interval.
type CurvePoint = (f64, f64, f64, f64);

/// The cost curve: at each assumed effect rate (one effect at a time, the others 0), the cost
/// per net vote with its interval over ±2 Monte Carlo standard errors of the net votes, on
/// log-log axes (the price falls as one over the rate). Rates whose gain is not positive beyond
/// its error have no price and no point; without a cost the chart shows the net votes instead.
///
/// # Errors
/// [`PlotError::Draw`] when drawing fails.
pub fn cost_curve(r: &MarginResponse) -> Result<String> {
    let n = &r.result.national;
    let cost = n.cost;
    // (effect, colour, points)
    let mut series: Vec<(&str, RGBColor, Vec<CurvePoint>)> = Vec::new();
    for (effect, color) in [("persuasion", BLUE), ("mobilization", ORANGE)] {
        let pts: Vec<CurvePoint> = n
            .cost_curve
            .iter()
            .filter(|c| c.effect == effect)
            .filter_map(|c| {
                let (lo, hi) = (
                    c.net_votes - 2.0 * c.net_votes_mc_stderr,
                    c.net_votes + 2.0 * c.net_votes_mc_stderr,
                );
                if lo <= 0.0 {
                    return None;
                }
                Some(match cost {
                    Some(k) => (c.rate, k / c.net_votes, k / hi, k / lo),
                    None => (c.rate, c.net_votes, lo, hi),
                })
            })
            .collect();
        series.push((effect, color, pts));
    }
    let all: Vec<f64> = series
        .iter()
        .flat_map(|s| s.2.iter().flat_map(|p| [p.2, p.3]))
        .filter(|v| v.is_finite() && *v > 0.0)
        .collect();
    let (ymin, ymax) = if all.is_empty() {
        (1.0, 10.0)
    } else {
        let lo = all.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = all.iter().copied().fold(0.0f64, f64::max);
        (lo / 1.5, (hi * 1.5).max(lo * 2.0))
    };
    let rates = reachgraph_core::margin::COST_CURVE_RATES;
    let (xmin, xmax) = (rates[0] / 1.5, rates[rates.len() - 1] * 1.5);
    let what = if cost.is_some() {
        "cost per net vote, $ (log scale; bars: ±2 Monte Carlo s.e.)"
    } else {
        "net real votes (log scale; no cost given; bars: ±2 Monte Carlo s.e.)"
    };
    let mut s = String::new();
    {
        let root = SVGBackend::with_string(&mut s, (W, H)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(
                format!(
                    "Cost curve for {} at assumed effect rates (modelled)",
                    r.result.candidate_a
                ),
                ("sans-serif", 20),
            )
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(80)
            .build_cartesian_2d((xmin..xmax).log_scale(), (ymin..ymax).log_scale())
            .map_err(err)?;
        chart
            .configure_mesh()
            .x_desc("assumed rate per reached voter (persuasion) or non-voter (mobilization)")
            .x_label_formatter(&|v| format!("{:.2}%", 100.0 * v))
            .y_desc(what)
            .y_label_formatter(&|v| {
                if cost.is_some() {
                    format!("${}", crate::render::thousands(v.round().max(0.0) as u64))
                } else {
                    crate::render::thousands(v.round().max(0.0) as u64)
                }
            })
            .draw()
            .map_err(err)?;
        for (effect, color, pts) in &series {
            let label = if pts.is_empty() {
                format!("{effect}: no rate gains beyond its error")
            } else {
                effect.to_string()
            };
            let c = *color;
            chart
                .draw_series(LineSeries::new(
                    pts.iter().map(|p| (p.0, p.1)),
                    c.stroke_width(2),
                ))
                .map_err(err)?
                .label(label)
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 20, y)], c.stroke_width(2))
                });
            chart
                .draw_series(pts.iter().map(|p| Circle::new((p.0, p.1), 3, c.filled())))
                .map_err(err)?;
            chart
                .draw_series(
                    pts.iter().map(|p| {
                        PathElement::new(vec![(p.0, p.2), (p.0, p.3)], BLACK.stroke_width(1))
                    }),
                )
                .map_err(err)?;
        }
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK)
            .position(SeriesLabelPosition::UpperRight)
            .draw()
            .map_err(err)?;
        root.present().map_err(err)?;
    }
    Ok(s)
}

/// Checks that `dir` can hold the charts before any work is spent: an empty path would put
/// them in the working directory.
///
/// # Errors
/// [`PlotError::Io`] (kind `InvalidInput`) for an empty path or one naming an existing
/// non-directory.
pub fn check_dir(dir: &Path) -> Result<()> {
    let bad = |why: String| PlotError::Io {
        what: format!("write charts into {:?}", dir.display().to_string()),
        source: std::io::Error::new(std::io::ErrorKind::InvalidInput, why),
    };
    if dir.as_os_str().is_empty() {
        return Err(bad("the --plot directory is empty".into()));
    }
    if dir.exists() && !dir.is_dir() {
        return Err(bad(format!("{} is not a directory", dir.display())));
    }
    Ok(())
}

/// Writes the charts into `dir` (created if missing) and returns their paths:
/// `ev_distribution.svg`, `margin_shift.svg`, `reach_ladder.svg` and, with a campaign,
/// `cost_curve.svg`. Each file is written whole or not at all.
///
/// # Errors
/// [`PlotError::Io`] when the directory or a file cannot be written, [`PlotError::Draw`] when
/// drawing fails.
pub fn write_charts(r: &MarginResponse, dir: &Path) -> Result<Vec<String>> {
    check_dir(dir)?;
    std::fs::create_dir_all(dir).map_err(|source| PlotError::Io {
        what: format!("create {}", dir.display()),
        source,
    })?;
    let mut out = Vec::new();
    let mut charts = vec![
        ("ev_distribution.svg", ev_distribution(r)?),
        ("margin_shift.svg", margin_shift(r, 20)?),
        ("reach_ladder.svg", reach_ladder(r)?),
    ];
    if !r.result.national.cost_curve.is_empty() {
        charts.push(("cost_curve.svg", cost_curve(r)?));
    }
    for (name, svg) in charts {
        let p = dir.join(name);
        reachgraph_core::output::write_bytes_atomic(&p, svg.as_bytes()).map_err(|source| {
            PlotError::Io {
                what: format!("write {}", p.display()),
                source,
            }
        })?;
        out.push(p.display().to_string());
    }
    Ok(out)
}
