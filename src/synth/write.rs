//! Writing generated data: CSV files, streamed or from memory.

#[allow(unused_imports)]
use super::*;

/// Writes the tables as CSV (`employees.csv`, `events.csv`, `truth.csv`) into `dir`.
pub fn write_csv(data: &Synthetic, dir: &std::path::Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let write =
        |name: &str, rows: &mut dyn FnMut(&mut csv::Writer<std::fs::File>) -> csv::Result<()>| {
            let mut w = csv::Writer::from_path(dir.join(name))?;
            rows(&mut w)?;
            w.flush()?;
            Ok::<(), csv::Error>(())
        };
    let io = |e: csv::Error| std::io::Error::other(e.to_string());
    write("employees.csv", &mut |w| {
        data.employees.iter().try_for_each(|r| w.serialize(r))
    })
    .map_err(io)?;
    write("events.csv", &mut |w| {
        data.events.iter().try_for_each(|r| w.serialize(r))
    })
    .map_err(io)?;
    write("truth.csv", &mut |w| {
        data.truth.iter().try_for_each(|r| w.serialize(r))
    })
    .map_err(io)?;
    Ok(())
}

/// Rows written by [`generate_to_dir`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Written {
    /// Employee rows.
    pub employees: usize,
    /// Event rows.
    pub events: usize,
    /// Planted returns (rows of `truth.csv`).
    pub returns: usize,
}

/// [`generate`] then [`write_csv`], byte for byte, without holding the whole
/// data set: rows go to the files as each few thousand employees are made,
/// so memory stays flat however many employees (a million employees with
/// long careers take some 11 GB in memory as [`Synthetic`]).
///
/// ```
/// use mommytrack::synth::{generate_to_dir, SynthConfig};
/// let dir = std::env::temp_dir().join("mommytrack-doc-generate-to-dir");
/// let n = generate_to_dir(&SynthConfig { employees: 20, ..SynthConfig::default() }, &dir).unwrap();
/// assert_eq!(n.employees, 20);
/// assert!(dir.join("events.csv").exists());
/// ```
pub fn generate_to_dir(config: &SynthConfig, dir: &std::path::Path) -> std::io::Result<Written> {
    stream_to_dir(config, dir, 4096)
}

pub(super) fn stream_to_dir(
    config: &SynthConfig,
    dir: &std::path::Path,
    chunk: usize,
) -> std::io::Result<Written> {
    std::fs::create_dir_all(dir)?;
    let io = |e: csv::Error| std::io::Error::other(e.to_string());
    let open = |name: &str| csv::Writer::from_path(dir.join(name)).map_err(io);
    let (mut we, mut wv, mut wt) = (
        open("employees.csv")?,
        open("events.csv")?,
        open("truth.csv")?,
    );
    let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
    let mut buffer = Synthetic {
        employees: Vec::new(),
        events: Vec::new(),
        truth: Vec::new(),
    };
    let mut written = Written {
        employees: 0,
        events: 0,
        returns: 0,
    };
    let mut flush = |buffer: &mut Synthetic| -> std::io::Result<()> {
        written.employees += buffer.employees.len();
        written.events += buffer.events.len();
        written.returns += buffer.truth.len();
        buffer
            .employees
            .drain(..)
            .try_for_each(|r| we.serialize(r))
            .map_err(io)?;
        buffer
            .events
            .drain(..)
            .try_for_each(|r| wv.serialize(r))
            .map_err(io)?;
        buffer
            .truth
            .drain(..)
            .try_for_each(|r| wt.serialize(r))
            .map_err(io)
    };
    for i in 0..config.employees {
        generate_employee(config, &mut rng, i, &mut buffer);
        if (i + 1) % chunk.max(1) == 0 {
            flush(&mut buffer)?;
        }
    }
    flush(&mut buffer)?;
    for w in [&mut we, &mut wv, &mut wt] {
        w.flush()?;
    }
    Ok(written)
}

/// Writes the planted parameters as `synth.json` into `dir`.
pub fn write_parameters(config: &SynthConfig, dir: &std::path::Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let text = serde_json::to_string_pretty(config).map_err(std::io::Error::other)?;
    std::fs::write(dir.join("synth.json"), text + "\n")
}
