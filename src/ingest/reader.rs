//! CSV input: records read on the calling thread, checked in batches on
//! rayon's pool, applied in file order.

#[allow(unused_imports)]
use super::*;

pub(super) fn feed_csv<R: Read>(builder: &mut Builder, table: Table, reader: R) -> Result<()> {
    let mut csv = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        // `\n` alone ends a record so that line numbers stay right in CRLF
        // files (a trailing `\r` is trimmed off like other white space).
        .terminator(csv::Terminator::Any(b'\n'))
        .from_reader(Tail::new(reader));
    let mut record = csv::ByteRecord::new();
    let before = csv.position().line();
    if !csv
        .read_byte_record(&mut record)
        .map_err(|source| Error::Csv {
            table,
            line: 1,
            source,
        })?
    {
        return Err(Error::EmptyFile { table });
    }
    let header_line = start_line(&csv, &record, before);
    let names: Vec<String> = record
        .iter()
        .map(|f| String::from_utf8_lossy(f).into_owned())
        .collect();
    let columns = builder.header(table, &names)?;
    let none = Known::default();
    let (checker, acc, known) = builder.parts(table, &columns, &names, &none);
    match known {
        Some(known) => read_parallel(
            &mut csv,
            table,
            header_line,
            &|r, spare| checker.record(r, spare, Checker::employee_row),
            &mut |p| acc.apply_employee(known, p),
        ),
        None => read_parallel(
            &mut csv,
            table,
            header_line,
            &|r, spare| checker.record(r, spare, Checker::event_row),
            &mut |p| acc.apply_event(p),
        ),
    }
}

/// Checks one CSV record, with a [`Scratch`] kept between calls.
pub(super) type CheckRecord<'a, T> =
    dyn Fn(&csv::ByteRecord, &mut Scratch) -> Parsed<T> + Sync + 'a;

/// Records per batch handed to a checking thread.
pub(super) const BATCH: usize = 4096;

/// Reads records on this thread, checks them in batches on one thread per
/// core and applies the results in file order on another: the output is
/// exactly that of checking the rows one by one.
///
/// When `apply` fails (a rejection in strict mode) the reading stops; a CSV
/// error is returned after every row before it has been applied.
pub(super) fn read_parallel<R: Read, T: Send>(
    csv: &mut csv::Reader<Tail<R>>,
    table: Table,
    header_line: u64,
    check: &CheckRecord<'_, T>,
    apply: &mut (dyn FnMut(Parsed<T>) -> Result<()> + Send),
) -> Result<()> {
    type Checked<T> = (usize, Vec<Parsed<T>>, Vec<csv::ByteRecord>);
    let mut last_line = header_line;
    // The first batch on this thread: a file that ends within it is
    // checked and applied here, in order, without starting a thread (a
    // thread costs more than checking a few thousand rows).
    let mut first = Vec::new();
    let (more, mut read_error) = fill_batch(csv, table, &mut first, &mut last_line);
    if !more {
        let mut spare = Scratch::default();
        for r in &first {
            apply(check(r, &mut spare))?;
        }
        return read_error.map_or(Ok(()), Err);
    }
    // As many as rayon's pool has threads (so `ThreadPool::install` bounds it too).
    let workers = rayon::current_num_threads().clamp(1, 8);
    std::thread::scope(|scope| {
        // A batch travels with a vector for its checked rows; both come
        // back from the merger to be reused (made new each time, the
        // vectors of checked rows were about 117 MB of fresh memory on
        // 200,000 employees' 2.4 million events).
        type Job<T> = (usize, Vec<csv::ByteRecord>, Vec<Parsed<T>>);
        let (work_tx, work_rx) = mpsc::sync_channel::<Job<T>>(2 * workers);
        // Shared by the checkers; dropped with the last of them, so that the
        // reader stops when nobody is left to check.
        let work_rx = Arc::new(Mutex::new(work_rx));
        let (done_tx, done_rx) = mpsc::sync_channel::<Checked<T>>(2 * workers);
        type Back<T> = (Vec<csv::ByteRecord>, Vec<Parsed<T>>);
        let (back_tx, back_rx) = mpsc::channel::<Back<T>>();
        for _ in 0..workers {
            let (work_rx, done_tx) = (Arc::clone(&work_rx), done_tx.clone());
            scope.spawn(move || {
                let mut spare = Scratch::default();
                loop {
                    let job = match work_rx.lock() {
                        Ok(rx) => rx.recv().ok(),
                        Err(_) => None,
                    };
                    let Some((seq, batch, mut out)) = job else {
                        break;
                    };
                    out.clear();
                    out.extend(batch.iter().map(|r| check(r, &mut spare)));
                    if done_tx.send((seq, out, batch)).is_err() {
                        break;
                    }
                }
            });
        }
        drop((work_rx, done_tx));
        let merger = scope.spawn(move || -> Result<()> {
            let mut waiting = BTreeMap::new();
            let mut next = 0usize;
            for (seq, out, batch) in done_rx {
                waiting.insert(seq, (out, batch));
                while let Some((mut out, batch)) = waiting.remove(&next) {
                    for parsed in out.drain(..) {
                        apply(parsed)?;
                    }
                    // The reader reuses the records' buffers and the vector.
                    let _ = back_tx.send((batch, out));
                    next += 1;
                }
            }
            Ok(())
        });
        // The first batch is full (the file goes on).
        let mut seq = 0usize;
        if work_tx.send((seq, first, Vec::new())).is_ok() {
            seq += 1;
            loop {
                let (mut batch, out) = back_rx.try_recv().unwrap_or_default();
                let (more, error) = fill_batch(csv, table, &mut batch, &mut last_line);
                read_error = error;
                if !batch.is_empty() {
                    if work_tx.send((seq, batch, out)).is_err() {
                        break; // the merger stopped: its error is the answer
                    }
                    seq += 1;
                }
                if !more {
                    break;
                }
            }
        }
        drop(work_tx);
        // A panic on another thread is a bug, not an input error: pass it on.
        merger
            .join()
            .unwrap_or_else(|p| std::panic::resume_unwind(p))?;
        read_error.map_or(Ok(()), Err)
    })
}

/// Reads up to [`BATCH`] records into `batch` (reusing its records'
/// buffers; it is cut to the records read), moving `last_line` to the last
/// record's line. Returns whether the batch is full (the file may go on)
/// and the CSV error that stopped the reading, if one did.
fn fill_batch<R: Read>(
    csv: &mut csv::Reader<Tail<R>>,
    table: Table,
    batch: &mut Vec<csv::ByteRecord>,
    last_line: &mut u64,
) -> (bool, Option<Error>) {
    let mut filled = 0;
    let mut error = None;
    while filled < BATCH {
        // records are made as rows arrive (a small file makes few)
        // and reused from batches the merger sends back
        // (sized for a usual row, so that one is not grown field by field
        // on its first reading: 64 bytes of text, 16 fields)
        if filled == batch.len() {
            batch.push(csv::ByteRecord::with_capacity(64, 16));
        }
        let before = csv.position().line();
        match csv.read_byte_record(&mut batch[filled]) {
            Ok(true) => {
                let line = start_line(csv, &batch[filled], before);
                let mut at = batch[filled]
                    .position()
                    .cloned()
                    .unwrap_or_else(csv::Position::new);
                at.set_line(line);
                batch[filled].set_position(Some(at));
                *last_line = line;
                filled += 1;
            }
            Ok(false) => break,
            Err(e) => {
                error = Some(Error::Csv {
                    table,
                    line: *last_line + 1,
                    source: e,
                });
                break;
            }
        }
    }
    batch.truncate(filled);
    (filled == BATCH, error)
}

/// A reader that remembers how many bytes it gave and the last of them,
/// so that a record the input's end cut short can be told from one a line
/// break ended.
pub(super) struct Tail<R> {
    inner: R,
    read: u64,
    last: Option<u8>,
}

impl<R> Tail<R> {
    fn new(inner: R) -> Tail<R> {
        Tail {
            inner,
            read: 0,
            last: None,
        }
    }
}

impl<R: Read> Read for Tail<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Some(&b) = buf[..n].last() {
            self.read += n as u64;
            self.last = Some(b);
        }
        Ok(n)
    }
}

/// The line `record`, just read, starts on. csv's record position is where
/// its reader stood before the record, ahead of any blank lines it skipped;
/// the line is counted back from where the record ends instead, over the
/// line breaks inside its quoted fields and the one that ended it (none
/// when the input ended it). `before` is the reader's line before the
/// record was read: when the reading took one line break and that break
/// ended the record (no blank line, none inside: nearly every row), the
/// record is on the line before the reader's, with no need to count.
fn start_line<R: Read>(csv: &csv::Reader<Tail<R>>, record: &csv::ByteRecord, before: u64) -> u64 {
    let after = csv.position();
    let tail = csv.get_ref();
    let ended_by_newline = after.byte() < tail.read || tail.last == Some(b'\n');
    let inside = if ended_by_newline && after.line() == before + 1 {
        0
    } else {
        record.as_slice().iter().filter(|&&b| b == b'\n').count() as u64
    };
    let back = inside + u64::from(ended_by_newline);
    after.line().saturating_sub(back).max(1)
}

/// Empties a buffer of borrowed fields so that it can hold the next row's:
/// the collect reuses the allocation (same layout, no element kept).
pub(super) fn recycle<'b>(mut v: Vec<Option<&str>>) -> Vec<Option<&'b str>> {
    v.clear();
    v.into_iter().map(|_| None).collect()
}
