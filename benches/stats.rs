//! Statistics at scale: Kaplan–Meier on 10 million rows, the log-rank test on
//! 10 million rows in 3 groups, Cox with 5 covariates on 1 million rows.
//!
//! The data are seeded draws: exponential times whose rate depends on the
//! group (or on five covariates), rounded to 0.01 so that times tie as they do
//! in HR data measured in days, with about 30% censored. `MOMMYTRACK_BENCH_ROWS`
//! and `MOMMYTRACK_BENCH_COX_ROWS` set other sizes. With
//! `MOMMYTRACK_BENCH_DUMP=DIR` the two data sets are also written as CSV, so
//! that `tests/reference/time_lifelines.py` can time lifelines on the very
//! same rows (the ratio in the README's figures comes from that pair).

use criterion::{criterion_group, criterion_main, Criterion};
use mommytrack::stats::{logrank, CoxModel, KaplanMeier};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Exp, StandardNormal};
use std::hint::black_box;
use std::io::Write;

fn size(var: &str, default: usize) -> usize {
    std::env::var(var)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

/// Time and event from a hazard multiplier: exponential event time against an
/// exponential censoring time, rounded to 0.01.
fn draw(rng: &mut ChaCha8Rng, hazard: f64) -> (f64, bool) {
    let t: f64 = Exp::new(0.1 * hazard).unwrap().sample(rng);
    let c: f64 = Exp::new(0.04).unwrap().sample(rng);
    let d = (t.min(c) * 100.0).ceil() / 100.0;
    (d, t <= c)
}

struct Grouped {
    durations: Vec<f64>,
    events: Vec<bool>,
    groups: Vec<&'static str>,
}

fn grouped(n: usize) -> Grouped {
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    let names = ["a", "b", "c"];
    let hazards = [1.0, 1.15, 0.85];
    let mut out = Grouped {
        durations: Vec::with_capacity(n),
        events: Vec::with_capacity(n),
        groups: Vec::with_capacity(n),
    };
    for _ in 0..n {
        let g = rng.random_range(0..3);
        let (d, e) = draw(&mut rng, hazards[g]);
        out.durations.push(d);
        out.events.push(e);
        out.groups.push(names[g]);
    }
    out
}

struct Design {
    durations: Vec<f64>,
    events: Vec<bool>,
    x: [Vec<f64>; 5],
}

fn design(n: usize) -> Design {
    let mut rng = ChaCha8Rng::seed_from_u64(12);
    let beta = [0.5, -0.3, 0.2, 0.1, -0.4];
    let mut out = Design {
        durations: Vec::with_capacity(n),
        events: Vec::with_capacity(n),
        x: Default::default(),
    };
    for _ in 0..n {
        let row = [
            f64::from(u8::from(rng.random_bool(0.4))),
            StandardNormal.sample(&mut rng),
            rng.random_range(20..60) as f64,
            StandardNormal.sample(&mut rng),
            f64::from(rng.random_range(0u8..5)),
        ];
        let lp: f64 = row[0] * beta[0]
            + row[1] * beta[1]
            + (row[2] - 40.0) / 10.0 * beta[2]
            + row[3] * beta[3]
            + (row[4] - 2.0) * beta[4] / 2.0;
        let (d, e) = draw(&mut rng, lp.exp());
        out.durations.push(d);
        out.events.push(e);
        for (j, v) in row.iter().enumerate() {
            out.x[j].push(*v);
        }
    }
    out
}

fn dump(dir: &str, g: &Grouped, d: &Design) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let mut w = std::io::BufWriter::new(std::fs::File::create(format!("{dir}/grouped.csv"))?);
    writeln!(w, "duration,event,group")?;
    for i in 0..g.durations.len() {
        writeln!(
            w,
            "{},{},{}",
            g.durations[i],
            u8::from(g.events[i]),
            g.groups[i]
        )?;
    }
    let mut w = std::io::BufWriter::new(std::fs::File::create(format!("{dir}/cox.csv"))?);
    writeln!(w, "duration,event,x1,x2,x3,x4,x5")?;
    for i in 0..d.durations.len() {
        writeln!(
            w,
            "{},{},{},{},{},{},{}",
            d.durations[i],
            u8::from(d.events[i]),
            d.x[0][i],
            d.x[1][i],
            d.x[2][i],
            d.x[3][i],
            d.x[4][i]
        )?;
    }
    Ok(())
}

fn bench_stats(c: &mut Criterion) {
    let n = size("MOMMYTRACK_BENCH_ROWS", 10_000_000);
    let n_cox = size("MOMMYTRACK_BENCH_COX_ROWS", 1_000_000);
    let g = grouped(n);
    let d = design(n_cox);
    if let Ok(dir) = std::env::var("MOMMYTRACK_BENCH_DUMP") {
        dump(&dir, &g, &d).expect("writing the bench data");
        eprintln!("bench data written to {dir}");
    }
    let km = KaplanMeier::fit(&g.durations, &g.events, None, 0.95).unwrap();
    let lr = logrank(&g.durations, &g.events, &g.groups).unwrap();
    let cols: Vec<&[f64]> = d.x.iter().map(|c| c.as_slice()).collect();
    let names = ["x1", "x2", "x3", "x4", "x5"];
    let cox = CoxModel::default()
        .fit(&d.durations, &d.events, &cols, &names, None)
        .unwrap();
    eprintln!(
        "{n} rows: {} distinct times, median {:?}; log-rank {:.4} (df {}); Cox on {n_cox} rows: {} iterations, coefficients {:?}",
        km.points.len(),
        km.median(),
        lr.statistic,
        lr.df,
        cox.iterations,
        cox.coefficients.iter().map(|c| (c.coef * 1e4).round() / 1e4).collect::<Vec<_>>()
    );

    let mut group = c.benchmark_group("stats");
    group.sample_size(10);
    group.bench_function(format!("kaplan_meier/{n}"), |b| {
        b.iter(|| KaplanMeier::fit(black_box(&g.durations), &g.events, None, 0.95).unwrap())
    });
    group.bench_function(format!("logrank_3_groups/{n}"), |b| {
        b.iter(|| logrank(black_box(&g.durations), &g.events, &g.groups).unwrap())
    });
    group.bench_function(format!("cox_efron_5_covariates/{n_cox}"), |b| {
        b.iter(|| {
            CoxModel::default()
                .fit(black_box(&d.durations), &d.events, &cols, &names, None)
                .unwrap()
        })
    });
    group.finish();
}

criterion_group!(benches, bench_stats);
criterion_main!(benches);
