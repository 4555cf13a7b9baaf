//! The report's charts, drawn with plotters' SVG backend: lines with
//! confidence bands (Kaplan–Meier with numbers at risk below the axis, the
//! event study), bars by year, and funnel plots.
//!
//! Tick labels never overlap: the number of ticks asked of plotters comes
//! from the plot's width and the widest label the axis can print, and an
//! axis of whole numbers (years, event times) never gets a tick between
//! two of them. Every chart carries a legend.

use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// The palette: returners / women first, peers / men second.
pub(crate) const COLORS: [RGBColor; 4] = [
    RGBColor(0xb2, 0x18, 0x2b),
    RGBColor(0x21, 0x66, 0xac),
    RGBColor(0x1b, 0x78, 0x37),
    RGBColor(0x76, 0x2a, 0x83),
];
const GREY: RGBColor = RGBColor(0x66, 0x66, 0x66);
const FONT: &str = "sans-serif";
const W: u32 = 780;
const H: u32 = 340;

/// How an axis prints its values.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Scale {
    /// Whole numbers only (years, months, event times).
    Whole,
    /// A share 0–1 printed as a percentage.
    Percent,
}

impl Scale {
    fn format(self, v: f64, span: f64) -> String {
        // No "−0%" for a tick a rounding error below zero.
        let v = if v.abs() < span * 1e-9 { 0.0 } else { v };
        match self {
            Scale::Whole => format!("{:.0}", v),
            Scale::Percent if span * 100.0 < 8.0 => format!("{:.1}%", v * 100.0),
            Scale::Percent => format!("{:.0}%", v * 100.0),
        }
    }
    /// The widest label the axis prints over `[lo, hi]`, in characters.
    fn widest(self, lo: f64, hi: f64) -> usize {
        let span = hi - lo;
        [lo, hi, (lo + hi) / 2.0]
            .iter()
            .map(|v| self.format(*v, span).chars().count())
            .max()
            .unwrap_or(4)
    }
}

/// At most this many ticks fit on an axis `px` long whose labels are
/// `chars` characters wide (about 7.5 px each at 13 px, plus a gap); a
/// whole-number axis gets none between two whole numbers.
fn ticks(px: f64, chars: usize, scale: Scale, span: f64) -> usize {
    let fit = (px / (chars as f64 * 7.5 + 24.0)).floor().max(2.0) as usize;
    if scale == Scale::Whole {
        fit.min(span.floor().max(1.0) as usize + 1)
    } else {
        fit
    }
}

/// A drawn chart: its SVG, and the texts a reader must find in it (axis
/// titles and legend entries), which the page carries in `data-labels`
/// for the browser tests.
#[derive(Debug, Clone)]
pub(crate) struct Chart {
    pub svg: String,
    pub labels: Vec<String>,
}

fn chart(svg: String, axes: &Axes<'_>, legend: &[(String, Swatch)]) -> Chart {
    let mut labels = vec![axes.x.to_string(), axes.y.to_string()];
    labels.extend(legend.iter().map(|l| l.0.clone()));
    Chart { svg, labels }
}

/// A line of a chart, with an optional confidence band.
pub(crate) struct Line {
    pub name: String,
    pub points: Vec<(f64, f64)>,
    /// `(x, lower, upper)`.
    pub band: Vec<(f64, f64, f64)>,
    /// A step function (Kaplan–Meier) rather than points joined by lines.
    pub step: bool,
    /// Dots at the points.
    pub dots: bool,
}

/// Rows of numbers printed under the x axis at given x values (numbers
/// at risk).
pub(crate) struct BelowAxis {
    pub heading: String,
    /// `(row label, [(x, text)])`.
    pub rows: Vec<(String, Vec<(f64, String)>)>,
}

/// Axis titles and scales of a chart.
pub(crate) struct Axes<'a> {
    /// The legend's name for a confidence band ("95% confidence band").
    pub band: &'a str,
    pub x: &'a str,
    pub y: &'a str,
    pub x_scale: Scale,
    pub y_scale: Scale,
    /// The y range, when it is fixed (0–1 for survival).
    pub y_range: Option<(f64, f64)>,
    /// A horizontal reference line (0 for the event study).
    pub y_zero: bool,
}

/// Width kept right of every plot for its legend, so that the legend
/// never covers the data.
const LEGEND_W: u32 = 240;

/// About how wide `s` is at 15 px (plotters' 15, 12 px on screen): a CJK
/// character is a full em, anything else about two thirds of one.
fn text_px(s: &str) -> i32 {
    s.chars()
        .map(|c| if (c as u32) >= 0x2e80 { 13 } else { 8 })
        .sum()
}

/// What a legend entry shows beside its name.
#[derive(Clone, Copy)]
enum Swatch {
    Line(RGBColor, u32),
    Band(RGBColor),
    Solid(RGBColor),
    Dot(RGBColor),
}

/// A legend right of the plot, one entry per row.
fn legend<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    items: &[(String, Swatch)],
    top: i32,
) -> Result<(), String> {
    let x = (W - LEGEND_W) as i32 + 12;
    let style = TextStyle::from((FONT, 15).into_font()).pos(Pos::new(HPos::Left, VPos::Center));
    for (i, (name, swatch)) in items.iter().enumerate() {
        let y = top + 10 + 20 * i as i32;
        match *swatch {
            Swatch::Line(c, w) => root.draw(&PathElement::new(
                vec![(x, y), (x + 20, y)],
                c.stroke_width(w),
            )),
            Swatch::Band(c) => root.draw(&Rectangle::new(
                [(x, y - 6), (x + 20, y + 6)],
                c.mix(0.16).filled(),
            )),
            Swatch::Solid(c) => root.draw(&Rectangle::new(
                [(x + 3, y - 6), (x + 17, y + 6)],
                c.filled(),
            )),
            Swatch::Dot(c) => root.draw(&Circle::new((x + 10, y), 4, c.filled())),
        }
        .map_err(to_s)?;
        root.draw(&Text::new(name.clone(), (x + 28, y), style.clone()))
            .map_err(to_s)?;
    }
    Ok(())
}

fn to_s<E: std::fmt::Display>(e: E) -> String {
    e.to_string()
}

fn bounds(points: impl Iterator<Item = (f64, f64)>) -> Option<(f64, f64, f64, f64)> {
    points.fold(None, |acc, (x, y)| {
        if !(x.is_finite() && y.is_finite()) {
            return acc;
        }
        Some(match acc {
            None => (x, x, y, y),
            Some((a, b, c, d)) => (a.min(x), b.max(x), c.min(y), d.max(y)),
        })
    })
}

fn padded(lo: f64, hi: f64, by: f64) -> (f64, f64) {
    if hi > lo {
        let pad = (hi - lo) * by;
        (lo - pad, hi + pad)
    } else {
        (lo - 1.0, hi + 1.0)
    }
}

/// A line chart with bands, a legend and, optionally, rows under the axis.
/// The plot area of a chart: its coordinates, its left margin (room for
/// the y labels) and how many x ticks to ask for.
struct Frame {
    x: (f64, f64),
    y: (f64, f64),
    left: u32,
    x_ticks: usize,
    x_mesh: bool,
}

type Plot<'a, 'b> = ChartContext<'a, SVGBackend<'b>, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// The width in pixels of a plot with `left` pixels of y labels.
fn plot_width(left: u32) -> f64 {
    f64::from(W - left - LEGEND_W - 12)
}

/// The left margin for y labels of at most `chars` characters.
fn left_margin(chars: usize) -> u32 {
    (chars as u32 * 8 + 40).max(56)
}

/// Builds the plot on `area`, right of the y labels and left of the
/// legend, and draws its axes, tick labels, titles and grid.
fn frame<'a, 'b>(
    area: &'a DrawingArea<SVGBackend<'b>, Shift>,
    axes: &Axes<'_>,
    f: &Frame,
) -> Result<Plot<'a, 'b>, String> {
    let ((x0, x1), (y0, y1)) = (f.x, f.y);
    let mut chart = ChartBuilder::on(area)
        .margin(12)
        .margin_right(LEGEND_W)
        .x_label_area_size(44)
        .y_label_area_size(f.left)
        .build_cartesian_2d(x0..x1, y0..y1)
        .map_err(to_s)?;
    let plot_h = f64::from(H - 44 - 24);
    let (xs, ys) = (axes.x_scale, axes.y_scale);
    let (xspan, yspan) = (x1 - x0, y1 - y0);
    let x_format = |v: &f64| xs.format(*v, xspan);
    let y_format = |v: &f64| ys.format(*v, yspan);
    let mut mesh = chart.configure_mesh();
    mesh.x_desc(axes.x)
        .y_desc(axes.y)
        .x_labels(f.x_ticks)
        .y_labels(ticks(plot_h * 2.0, 1, ys, yspan).min(8))
        .x_label_formatter(&x_format)
        .y_label_formatter(&y_format)
        .label_style((FONT, 15))
        .axis_desc_style((FONT, 16))
        .light_line_style(WHITE)
        .bold_line_style(RGBColor(0xe4, 0xe4, 0xe4));
    if !f.x_mesh {
        mesh.disable_x_mesh();
    }
    mesh.draw().map_err(to_s)?;
    Ok(chart)
}

pub(crate) fn lines(
    axes: &Axes<'_>,
    lines: &[Line],
    below: Option<&BelowAxis>,
) -> Result<Chart, String> {
    let all = lines.iter().flat_map(|l| {
        l.points
            .iter()
            .copied()
            .chain(l.band.iter().flat_map(|b| [(b.0, b.1), (b.0, b.2)]))
    });
    let (x0, x1, y0, y1) = bounds(all).ok_or("nothing to draw")?;
    let (x0, x1) = if axes.x_scale == Scale::Whole {
        (x0.floor(), x1.ceil().max(x0.floor() + 1.0))
    } else {
        (x0.min(0.0), if x1 > x0.min(0.0) { x1 } else { x0 + 1.0 })
    };
    let (y0, y1) = axes.y_range.unwrap_or_else(|| {
        let (a, b) = if axes.y_zero {
            (y0.min(0.0), y1.max(0.0))
        } else {
            (y0, y1)
        };
        padded(a, b, 0.08)
    });
    let extra = below.map_or(0, |b| 28 + 20 * b.rows.len() as u32);
    let mut shown: Vec<(String, Swatch)>;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (W, H + extra)).into_drawing_area();
        root.fill(&WHITE).map_err(to_s)?;
        let (top, _) = root.split_vertically(H);
        let y_chars = axes.y_scale.widest(y0, y1);
        let row_labels = below.map_or(0, |b| {
            b.rows.iter().map(|r| text_px(&r.0)).max().unwrap_or(0) as u32
        });
        let left = left_margin(y_chars).max(row_labels + 16);
        let xs = axes.x_scale;
        let frame_spec = Frame {
            x: (x0, x1),
            y: (y0, y1),
            left,
            x_ticks: ticks(plot_width(left), xs.widest(x0, x1), xs, x1 - x0),
            x_mesh: true,
        };
        let mut chart = frame(&top, axes, &frame_spec)?;
        if axes.y_zero && y0 < 0.0 && y1 > 0.0 {
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![(x0, 0.0), (x1, 0.0)],
                    GREY.stroke_width(1),
                )))
                .map_err(to_s)?;
        }
        for (k, l) in lines.iter().enumerate().filter(|(_, l)| !l.band.is_empty()) {
            let color = COLORS[k % COLORS.len()];
            let mut upper: Vec<(f64, f64)> = Vec::new();
            let mut lower: Vec<(f64, f64)> = Vec::new();
            for (i, &(x, lo, hi)) in l.band.iter().enumerate() {
                if l.step && i > 0 {
                    let (_, plo, phi) = l.band[i - 1];
                    upper.push((x, phi));
                    lower.push((x, plo));
                }
                upper.push((x, hi));
                lower.push((x, lo));
            }
            lower.reverse();
            upper.extend(lower);
            chart
                .draw_series(std::iter::once(Polygon::new(
                    upper,
                    color.mix(0.16).filled(),
                )))
                .map_err(to_s)?;
        }
        // The first line last, on top.
        for (k, l) in lines.iter().enumerate().rev() {
            let color = COLORS[k % COLORS.len()];
            let mut path: Vec<(f64, f64)> = Vec::new();
            for &(x, y) in &l.points {
                if l.step {
                    if let Some(&(_, py)) = path.last() {
                        path.push((x, py));
                    }
                }
                path.push((x, y));
            }
            chart
                .draw_series(LineSeries::new(path, color.stroke_width(2)))
                .map_err(to_s)?;
            if l.dots {
                chart
                    .draw_series(l.points.iter().map(|&p| Circle::new(p, 3, color.filled())))
                    .map_err(to_s)?;
            }
        }
        let mut items: Vec<(String, Swatch)> = lines
            .iter()
            .enumerate()
            .map(|(k, l)| (l.name.clone(), Swatch::Line(COLORS[k % COLORS.len()], 2)))
            .collect();
        if lines.iter().any(|l| !l.band.is_empty()) {
            items.push((axes.band.to_string(), Swatch::Band(GREY)));
        }
        legend(&root, &items, 12)?;
        shown = items;
        if let Some(b) = below {
            below_axis(&root, &chart, b, (x0, y0))?;
            shown.push((b.heading.clone(), Swatch::Dot(WHITE)));
            shown.extend(b.rows.iter().map(|r| (r.0.clone(), Swatch::Dot(WHITE))));
        }
        root.present().map_err(to_s)?;
    }
    Ok(chart(svg, axes, &shown))
}

/// Numbers under the x axis, in columns at the x values of the first
/// row, thinned so that neighbouring columns keep apart.
fn below_axis<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    chart: &ChartContext<
        '_,
        DB,
        Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
    >,
    b: &BelowAxis,
    (_, y0): (f64, f64),
) -> Result<(), String> {
    let widest = b
        .rows
        .iter()
        .flat_map(|r| r.1.iter().map(|c| c.1.chars().count()))
        .max()
        .unwrap_or(1) as i32;
    let half = widest * 5 + 2;
    let gap = 2 * half + 12;
    let label_w = b.rows.iter().map(|r| text_px(&r.0)).max().unwrap_or(0) + 8;
    let style = TextStyle::from((FONT, 15).into_font()).pos(Pos::new(HPos::Center, VPos::Top));
    let left = TextStyle::from((FONT, 15).into_font()).pos(Pos::new(HPos::Left, VPos::Top));
    // The columns: x values whose labels fit between the row labels and
    // the legend, at least `gap` apart.
    let mut columns: Vec<(f64, i32)> = Vec::new();
    for (x, _) in b.rows.first().map_or(&[][..], |r| &r.1[..]) {
        let (px, _) = chart.backend_coord(&(*x, y0));
        let fits = px - half >= label_w + 8 && px + half <= (W - LEGEND_W) as i32 + 8;
        if fits && columns.last().is_none_or(|&(_, last)| px - last >= gap) {
            columns.push((*x, px));
        }
    }
    let mut y = H as i32 + 4;
    root.draw(&Text::new(b.heading.clone(), (8, y), left.clone()))
        .map_err(to_s)?;
    for (label, cells) in &b.rows {
        y += 20;
        root.draw(&Text::new(label.clone(), (8, y), left.clone()))
            .map_err(to_s)?;
        for &(x, px) in &columns {
            if let Some((_, text)) = cells.iter().find(|c| c.0 == x) {
                root.draw(&Text::new(text.clone(), (px, y), style.clone()))
                    .map_err(to_s)?;
            }
        }
    }
    Ok(())
}

/// Bars by whole-number x (years). A withheld value (`None`) keeps its
/// place on the axis, marked by a grey dash at the base; each bar carries
/// its value above it when the bars are wide enough for one.
pub(crate) fn bars(
    axes: &Axes<'_>,
    names: (&str, &str),
    bars: &[(i32, Option<f64>)],
) -> Result<Chart, String> {
    let shown = bars.iter().filter_map(|&(x, y)| Some((f64::from(x), y?)));
    let (_, _, _, y1) = bounds(shown).ok_or("nothing to draw")?;
    let x0 = bars.iter().map(|b| b.0).min().map_or(0.0, f64::from) - 0.6;
    let x1 = bars.iter().map(|b| b.0).max().map_or(0.0, f64::from) + 0.6;
    let y1 = y1.max(0.01) * 1.15;
    let shown: Vec<(String, Swatch)>;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (W, H)).into_drawing_area();
        root.fill(&WHITE).map_err(to_s)?;
        let left = left_margin(axes.y_scale.widest(0.0, y1));
        let plot_w = plot_width(left);
        let ys = axes.y_scale;
        let frame_spec = Frame {
            x: (x0, x1),
            y: (0.0, y1),
            left,
            x_ticks: ticks(plot_w, 4, Scale::Whole, x1 - x0 - 1.2),
            x_mesh: false,
        };
        let mut chart = frame(&root, axes, &frame_spec)?;
        let color = COLORS[0];
        chart
            .draw_series(bars.iter().filter_map(|&(x, v)| {
                let x = f64::from(x);
                Some(Rectangle::new(
                    [(x - 0.35, 0.0), (x + 0.35, v?)],
                    color.filled(),
                ))
            }))
            .map_err(to_s)?;
        chart
            .draw_series(bars.iter().filter(|b| b.1.is_none()).map(|&(x, _)| {
                let x = f64::from(x);
                PathElement::new(
                    vec![(x - 0.3, y1 * 0.01), (x + 0.3, y1 * 0.01)],
                    GREY.stroke_width(3),
                )
            }))
            .map_err(to_s)?;
        let per_bar = plot_w / (x1 - x0);
        let labels: Vec<(f64, f64, String)> = bars
            .iter()
            .filter_map(|&(x, v)| Some((f64::from(x), v?, ys.format(v?, y1))))
            .collect();
        let widest = labels
            .iter()
            .map(|l| l.2.chars().count())
            .max()
            .unwrap_or(0) as f64
            * 8.0
            + 4.0;
        if per_bar >= widest {
            let style =
                TextStyle::from((FONT, 14).into_font()).pos(Pos::new(HPos::Center, VPos::Bottom));
            for (x, v, text) in labels {
                let (px, py) = chart.backend_coord(&(x, v));
                root.draw(&Text::new(text, (px, py - 3), style.clone()))
                    .map_err(to_s)?;
            }
        }
        let mut items = vec![(names.0.to_string(), Swatch::Solid(color))];
        if bars.iter().any(|b| b.1.is_none()) {
            items.push((names.1.to_string(), Swatch::Line(GREY, 3)));
        }
        legend(&root, &items, 12)?;
        shown = items;
        root.present().map_err(to_s)?;
    }
    Ok(chart(svg, axes, &shown))
}

/// One unit (a manager, a department) of a funnel plot.
pub(crate) struct Unit {
    pub label: String,
    pub returns: u64,
    pub flagged: u64,
    /// Significant in the concentration analysis.
    pub significant: bool,
}

/// The control limits of a funnel plot at `n` returns around the overall
/// rate `p0`, at two-sided coverage `level`: Spiegelhalter's (2005,
/// appendix A.1.1) interpolated binomial quantiles, `(r − α) / n` where `r`
/// is the quantile of Binomial(n, p0) and `α` interpolates the step
/// (checked by hand in this module's tests and independently in
/// `tests/findings.rs`).
pub(crate) fn funnel_limits(n: u64, p0: f64, level: f64) -> Option<(f64, f64)> {
    use statrs::distribution::{Binomial, Discrete, DiscreteCDF};
    let b = Binomial::new(p0, n).ok()?;
    let q = |p: f64| {
        let r = binomial_quantile(&b, n, p0, p);
        let (f_r, f_r1) = (b.cdf(r), if r == 0 { 0.0 } else { b.cdf(r - 1) });
        let pmf = b.pmf(r);
        let alpha = if pmf > 0.0 {
            (f_r - p) / (f_r - f_r1)
        } else {
            0.0
        };
        ((r as f64 - alpha) / n as f64).clamp(0.0, 1.0)
    };
    let tail = (1.0 - level) / 2.0;
    Some((q(tail), q(1.0 - tail)))
}

/// The smallest `r` with `P(X ≤ r) ≥ p` for `b` = Binomial(n, p0), as
/// statrs' `inverse_cdf` defines it (and `n` for `p ≥ 1`), found by
/// stepping from the normal approximation's guess: two or three evaluations
/// of the CDF where the generic bisection makes about a hundred, and no
/// panic where rounding makes the CDF step back.
fn binomial_quantile(b: &statrs::distribution::Binomial, n: u64, p0: f64, p: f64) -> u64 {
    use statrs::distribution::{ContinuousCDF, DiscreteCDF, Normal};
    if p <= b.cdf(0) {
        return 0;
    }
    if p >= 1.0 {
        return n;
    }
    let mean = n as f64 * p0;
    let sd = (mean * (1.0 - p0)).sqrt();
    let z = Normal::standard().inverse_cdf(p);
    let guess = (mean + z * sd).round();
    let mut r = if guess.is_finite() {
        guess.clamp(0.0, n as f64) as u64
    } else {
        0
    };
    if b.cdf(r) >= p {
        while r > 0 && b.cdf(r - 1) >= p {
            r -= 1;
        }
    } else {
        while r < n && b.cdf(r) < p {
            r += 1;
        }
    }
    r
}

/// A funnel plot of flag rate against returns, with the overall rate and
/// its control limits at each level; units above the highest upper limit,
/// and significant ones, are labelled where a label fits.
pub(crate) fn funnel(
    axes: &Axes<'_>,
    units: &[Unit],
    p0: f64,
    levels: &[f64],
    names: (&str, &str, &str, &str),
) -> Result<Chart, String> {
    let max_n = units
        .iter()
        .map(|u| u.returns)
        .max()
        .ok_or("nothing to draw")?;
    let min_n = units.iter().map(|u| u.returns).min().unwrap_or(1).max(1);
    let x1 = (max_n as f64 * 1.08).ceil();
    let x0 = (f64::from(u32::try_from(min_n).unwrap_or(1)) * 0.8)
        .floor()
        .max(0.0);
    let grid: Vec<u64> = {
        let lo = x0.max(1.0) as u64;
        let hi = x1 as u64;
        let step = ((hi - lo) / 200).max(1);
        (lo..=hi).step_by(step as usize).collect()
    };
    let limits: Vec<Vec<(f64, f64, f64)>> = levels
        .iter()
        .map(|&l| {
            grid.iter()
                .filter_map(|&n| funnel_limits(n, p0, l).map(|(a, b)| (n as f64, a, b)))
                .collect()
        })
        .collect();
    let rates: Vec<f64> = units
        .iter()
        .map(|u| u.flagged as f64 / u.returns as f64)
        .collect();
    let y1 = rates
        .iter()
        .copied()
        .chain(
            limits
                .iter()
                .flatten()
                .filter(|l| l.0 >= min_n as f64)
                .map(|l| l.2),
        )
        .fold(p0, f64::max)
        .min(1.0)
        * 1.08;
    let widest = levels.iter().cloned().fold(0.0, f64::max);
    let shown: Vec<(String, Swatch)>;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (W, H + 40)).into_drawing_area();
        root.fill(&WHITE).map_err(to_s)?;
        let left = left_margin(axes.y_scale.widest(0.0, y1));
        let xs = axes.x_scale;
        let frame_spec = Frame {
            x: (x0, x1),
            y: (0.0, y1),
            left,
            x_ticks: ticks(plot_width(left), xs.widest(x0, x1), xs, x1 - x0),
            x_mesh: true,
        };
        let mut chart = frame(&root, axes, &frame_spec)?;
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(x0, p0), (x1, p0)],
                BLACK.stroke_width(1),
            )))
            .map_err(to_s)?;
        let mut items = vec![(names.0.to_string(), Swatch::Line(RGBColor(0, 0, 0), 1))];
        for (k, (lim, level)) in limits.iter().zip(levels).enumerate() {
            let color = if k == 0 { COLORS[1] } else { COLORS[3] };
            let width = if k == 0 { 1 } else { 2 };
            let style = color.stroke_width(width);
            chart
                .draw_series(LineSeries::new(lim.iter().map(|l| (l.0, l.2)), style))
                .map_err(to_s)?;
            items.push((
                format!("{} {}%", names.1, super::confidence_percent(1.0 - level)),
                Swatch::Line(color, width),
            ));
            chart
                .draw_series(LineSeries::new(lim.iter().map(|l| (l.0, l.1)), style))
                .map_err(to_s)?;
        }
        let outside =
            |u: &Unit, r: f64| funnel_limits(u.returns, p0, widest).is_some_and(|(_, hi)| r > hi);
        chart
            .draw_series(units.iter().zip(&rates).map(|(u, &r)| {
                let c = if u.significant || outside(u, r) {
                    COLORS[0]
                } else {
                    GREY
                };
                Circle::new((u.returns as f64, r), 4, c.filled())
            }))
            .map_err(to_s)?;
        items.push((names.2.to_string(), Swatch::Dot(GREY)));
        items.push((names.3.to_string(), Swatch::Dot(COLORS[0])));
        // Labels: significant or outside the widest limits, right of the
        // point, skipped where one would overlap another or leave the plot.
        let mut placed: Vec<(i32, i32, i32, i32)> = Vec::new();
        let style = TextStyle::from((FONT, 14).into_font()).pos(Pos::new(HPos::Left, VPos::Center));
        let mut order: Vec<usize> = (0..units.len()).collect();
        order.sort_by(|&a, &b| rates[b].total_cmp(&rates[a]));
        for i in order {
            let (u, r) = (&units[i], rates[i]);
            if !(u.significant || outside(u, r)) {
                continue;
            }
            let (px, py) = chart.backend_coord(&(u.returns as f64, r));
            let w = text_px(&u.label);
            let bx = (px + 7, py - 8, px + 7 + w, py + 8);
            if bx.2 > (W - LEGEND_W) as i32
                || placed
                    .iter()
                    .any(|p| bx.0 < p.2 && p.0 < bx.2 && bx.1 < p.3 && p.1 < bx.3)
            {
                continue;
            }
            placed.push(bx);
            root.draw(&Text::new(u.label.clone(), (px + 7, py), style.clone()))
                .map_err(to_s)?;
        }
        legend(&root, &items, 12)?;
        shown = items;
        root.present().map_err(to_s)?;
    }
    Ok(chart(svg, axes, &shown))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn funnel_limits_match_the_binomial_by_hand() {
        // n = 1: Binomial(1, 0.2); the 97.5% quantile is r = 1 with
        // F(1) = 1, F(0) = 0.8: α = (1 − 0.975) / 0.2 = 0.125, limit 0.875.
        let (lo, hi) = funnel_limits(1, 0.2, 0.95).unwrap();
        assert!((hi - 0.875).abs() < 1e-12, "{hi}");
        // The 2.5% quantile is r = 0 with F(0) = 0.8: α = (0.8 − 0.025) /
        // 0.8, limit (0 − α) clamped to 0.
        assert_eq!(lo, 0.0);
        // Limits narrow as n grows, around p0.
        let (l100, h100) = funnel_limits(100, 0.2, 0.95).unwrap();
        let (l1000, h1000) = funnel_limits(1000, 0.2, 0.95).unwrap();
        assert!(l100 < l1000 && l1000 < 0.2 && 0.2 < h1000 && h1000 < h100);
        // Close to the normal approximation at n = 1000: 0.2 ± 1.96 √(0.16/1000).
        assert!((h1000 - (0.2 + 1.959964 * (0.16f64 / 1000.0).sqrt())).abs() < 0.002);
    }

    #[test]
    fn binomial_quantile_is_the_smallest_r_whose_cdf_reaches_p() {
        use statrs::distribution::{Binomial, DiscreteCDF};
        // The definition, and statrs' generic bisection, over small and
        // large n, rates near 0, 1/2 and 1, and the funnel's tails.
        for n in [1u64, 2, 3, 7, 20, 63, 150, 999, 5_000, 48_611] {
            for p0 in [0.001, 0.03, 0.2, 0.5, 0.77, 0.999] {
                let b = Binomial::new(p0, n).unwrap();
                for p in [1e-6, 0.001, 0.025, 0.1, 0.5, 0.9, 0.975, 0.999, 1.0 - 1e-9] {
                    let r = binomial_quantile(&b, n, p0, p);
                    assert!(b.cdf(r) >= p, "n {n} p0 {p0} p {p}: F({r}) < p");
                    assert!(
                        r == 0 || b.cdf(r - 1) < p,
                        "n {n} p0 {p0} p {p}: F({r} - 1) >= p"
                    );
                    assert_eq!(r, b.inverse_cdf(p), "n {n} p0 {p0} p {p}");
                }
                assert_eq!(binomial_quantile(&b, n, p0, 1.0), n);
            }
        }
    }

    #[test]
    fn whole_number_axes_get_no_tick_between_whole_numbers() {
        assert_eq!(ticks(600.0, 4, Scale::Whole, 8.0), 9);
        assert!(ticks(600.0, 4, Scale::Percent, 8.0) > 9);
        // Wide labels on a short axis: fewer ticks, never fewer than 2.
        assert_eq!(ticks(60.0, 12, Scale::Percent, 100.0), 2);
    }
}
