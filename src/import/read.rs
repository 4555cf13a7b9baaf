//! Reading one export file into rows of text: the encoding decoded, the
//! header found, each row with its line.

use super::mapping::Source;
use super::ImportError;
use encoding_rs::{Encoding, SHIFT_JIS, UTF_8};
use rayon::prelude::*;

/// One export file as text rows.
#[derive(Debug, Clone)]
pub(crate) struct RawTable {
    /// The file as the mapping names it.
    pub(crate) file: String,
    /// The encoding it was read in.
    pub(crate) encoding: &'static str,
    /// The sheet, when the file is a spreadsheet.
    pub(crate) sheet: Option<String>,
    /// Spreadsheets: the absolute column of the first cell (0 = `A`).
    pub(crate) first_column: u32,
    /// Header cells, as written.
    pub(crate) headers: Vec<String>,
    /// Data rows, their cells in one buffer.
    pub(crate) rows: Rows,
}

/// Rows of text cells, all in one buffer: no allocation per row or cell.
#[derive(Debug, Clone, Default)]
pub(crate) struct Rows {
    /// Every cell's text, one after another.
    text: String,
    /// Where each cell ends in `text` (it starts where the one before ends).
    ends: Vec<usize>,
    /// Per row: its line and the index in `ends` of its first cell.
    rows: Vec<(u64, usize)>,
}

/// One row's cells.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Cells<'a> {
    text: &'a str,
    /// The row's cell ends, preceded by where its first cell starts.
    bounds: &'a [usize],
}

impl<'a> Cells<'a> {
    /// The text of cell `i`, `None` past the row's last cell.
    pub(crate) fn get(&self, i: usize) -> Option<&'a str> {
        let start = *self.bounds.get(i)?;
        let end = *self.bounds.get(i + 1)?;
        self.text.get(start..end)
    }

    /// Every cell's text, in order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &'a str> + '_ {
        (0..).map_while(|i| self.get(i))
    }
}

impl Rows {
    fn new() -> Rows {
        Rows {
            text: String::new(),
            ends: vec![0],
            rows: Vec::new(),
        }
    }

    /// Appends a row of cells.
    fn push<'c>(&mut self, line: u64, cells: impl IntoIterator<Item = &'c str>) {
        self.rows.push((line, self.ends.len() - 1));
        for c in cells {
            self.text.push_str(c);
            self.ends.push(self.text.len());
        }
    }

    /// How many rows.
    pub(crate) fn len(&self) -> usize {
        self.rows.len()
    }

    /// Row `k` (< `len()`): its line and cells.
    pub(crate) fn row(&self, k: usize) -> (u64, Cells<'_>) {
        let (line, first) = self.rows[k];
        let next = self.rows.get(k + 1).map_or(self.ends.len() - 1, |r| r.1);
        (
            line,
            Cells {
                text: &self.text,
                bounds: &self.ends[first..=next],
            },
        )
    }

    /// Every row in order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (u64, Cells<'_>)> + '_ {
        (0..self.len()).map(|k| self.row(k))
    }
}

/// The encoding a label names, with the labels Japanese tools write that
/// the WHATWG list lacks (`cp932`).
pub(crate) fn encoding_for(label: &str) -> Option<&'static Encoding> {
    match label.trim().to_ascii_lowercase().replace('_', "-").as_str() {
        "cp932" | "ms932" | "windows-31j" | "sjis" | "shift-jis" | "x-sjis" => Some(SHIFT_JIS),
        "utf8" => Some(UTF_8),
        l => Encoding::for_label(l.as_bytes()),
    }
}

/// Decodes a whole file: `auto` = a BOM, else valid UTF-8, else Shift_JIS
/// (CP932). Malformed bytes are an error naming the line they are on.
pub(crate) fn decode<'a>(
    bytes: &'a [u8],
    label: &str,
    file: &str,
) -> Result<(std::borrow::Cow<'a, str>, &'static str), ImportError> {
    let malformed = |enc: &'static Encoding| {
        let (text, _) = enc.decode_without_bom_handling(bytes);
        let line = text
            .find('\u{FFFD}')
            .map_or(1, |i| text[..i].matches('\n').count() as u64 + 1);
        ImportError::Encoding {
            file: file.to_string(),
            line,
            encoding: enc.name().to_string(),
        }
    };
    if let Some((enc, bom)) = Encoding::for_bom(bytes) {
        return enc
            .decode_without_bom_handling_and_without_replacement(&bytes[bom..])
            .map(|t| (t, enc.name()))
            .ok_or_else(|| malformed(enc));
    }
    let enc = if label.eq_ignore_ascii_case("auto") {
        if std::str::from_utf8(bytes).is_ok() {
            UTF_8
        } else {
            SHIFT_JIS
        }
    } else {
        encoding_for(label).ok_or_else(|| ImportError::Mapping {
            path: None,
            reason: format!("{file}: unknown encoding {label:?}"),
        })?
    };
    enc.decode_without_bom_handling_and_without_replacement(bytes)
        .map(|t| (t, enc.name()))
        .ok_or_else(|| malformed(enc))
}

#[cfg(feature = "xlsx")]
/// Rows as they are read: the header at `header_row`, `skip_rows` rows
/// after it left out, rows whose every cell is blank left out.
struct Collector {
    header_row: u64,
    skip: u64,
    headers: Option<Vec<String>>,
    rows: Rows,
}

#[cfg(feature = "xlsx")]
impl Collector {
    fn new(source: &Source) -> Collector {
        Collector {
            header_row: source.header_row,
            skip: source.skip_rows,
            headers: None,
            rows: Rows::new(),
        }
    }

    fn push<'c, I>(&mut self, line: u64, cells: I)
    where
        I: IntoIterator<Item = &'c str>,
        I::IntoIter: Clone,
    {
        let cells = cells.into_iter();
        if self.headers.is_none() {
            if line >= self.header_row {
                self.headers = Some(cells.map(str::to_string).collect());
            }
        } else if self.skip > 0 {
            self.skip -= 1;
        } else if !cells.clone().all(|c| c.trim().is_empty()) {
            self.rows.push(line, cells);
        }
    }
}

/// How a run of CSV text ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ended {
    /// After a whole record (or blank lines): the next byte starts a record.
    Boundary,
    /// Inside a record: the text's end flushed it. Only the end of a file
    /// may end so (a last line with no line break); a piece of a file that
    /// ends so was cut inside a quoted field.
    MidRecord,
    /// `each` asked to stop; the next record starts at this byte, on this line.
    Stopped(usize, u64),
}

/// Reads the records of `text`, whole lines of a CSV file whose first byte
/// is on line `line`, with csv's own parser (the `csv` crate's defaults:
/// `"` quotes, `""` escapes it, CR, LF or CRLF ends a record, empty lines
/// are skipped; this thread's parser, see [`with_parser`]). Calls `each(line, cells)` for every record, with the line
/// it starts on, until `each` returns `false`.
///
/// The line is counted back from where the record ends, over the line
/// breaks inside its quoted fields and the one that ended it (a CR that
/// ends a CRLF record is read before its LF), so blank lines before a
/// record do not shift it.
fn records(
    text: &[u8],
    delimiter: u8,
    line: u64,
    file: &str,
    mut each: impl FnMut(u64, Cells<'_>) -> bool,
) -> Result<Ended, ImportError> {
    with_parser(delimiter, |reader| {
        reader.reset();
        let mut out = vec![0u8; 256];
        // bounds[0] = 0: where the first cell starts (see `Cells`)
        let mut bounds = vec![0usize; 32];
        let (mut nout, mut nends, mut at) = (0usize, 1usize, 0usize);
        loop {
            let input = &text[at..];
            let (res, i, o, e) = reader.read_record(input, &mut out[nout..], &mut bounds[nends..]);
            at += i;
            nout += o;
            nends += e;
            match res {
                csv_core::ReadRecordResult::InputEmpty => {}
                csv_core::ReadRecordResult::OutputFull => out.resize(out.len() * 2, 0),
                csv_core::ReadRecordResult::OutputEndsFull => bounds.resize(bounds.len() * 2, 0),
                csv_core::ReadRecordResult::End => return Ok(Ended::Boundary),
                csv_core::ReadRecordResult::Record => {
                    let flushed = input.is_empty();
                    let cells =
                        std::str::from_utf8(&out[..nout]).map_err(|e| ImportError::Csv {
                            file: file.to_string(),
                            line,
                            reason: format!("a record that is not UTF-8 once unquoted: {e}"),
                        })?;
                    let inside = cells.bytes().filter(|&b| b == b'\n').count() as u64;
                    let ended_by_newline = at > 0 && text[at - 1] == b'\n' && !flushed;
                    let first = line + reader.line()
                        - 1
                        - (inside + u64::from(ended_by_newline)).min(reader.line() - 1);
                    let go = each(
                        first,
                        Cells {
                            text: cells,
                            bounds: &bounds[..nends],
                        },
                    );
                    (nout, nends) = (0, 1);
                    if flushed {
                        return Ok(Ended::MidRecord);
                    }
                    if !go {
                        return Ok(Ended::Stopped(at, line + reader.line() - 1));
                    }
                }
            }
        }
    })
}

/// A decoded CSV file whose header has been read: its data rows are read
/// from byte `data` on, in pieces ([`CsvText::pieces`]) that can be parsed
/// on several threads.
pub(crate) struct CsvText<'t> {
    text: &'t str,
    delimiter: u8,
    /// Where the data rows start (just past the header and the skipped rows).
    data: usize,
    /// The line of byte `data`.
    data_line: u64,
}

thread_local! {
    /// This thread's CSV parsers, one per delimiter (see [`with_parser`]).
    static PARSERS: std::cell::RefCell<Vec<(u8, csv_core::Reader)>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

/// Calls `f` with this thread's CSV parser for `delimiter` (in whatever
/// state its last use left it), built the first time. Building one makes
/// its state table, which costs more than parsing a small piece of a file
/// (under cargo-fuzz, whose pieces are 512 bytes, it was half the time of
/// `export_history`); a thread keeps one per delimiter it has read. The
/// parser is taken out while `f` runs, so a nested call builds its own.
fn with_parser<T>(delimiter: u8, f: impl FnOnce(&mut csv_core::Reader) -> T) -> T {
    let kept = PARSERS.with(|p| {
        let mut list = p.borrow_mut();
        let at = list.iter().position(|(d, _)| *d == delimiter)?;
        Some(list.swap_remove(at).1)
    });
    let mut reader =
        kept.unwrap_or_else(|| csv_core::ReaderBuilder::new().delimiter(delimiter).build());
    let out = f(&mut reader);
    PARSERS.with(|p| p.borrow_mut().push((delimiter, reader)));
    out
}

/// A run of whole lines of a [`CsvText`], from byte `start` (on line
/// `line`) to byte `end`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Piece {
    start: usize,
    end: usize,
    line: u64,
}

/// Reads the header of decoded CSV text: at `source.header_row`, then
/// `skip_rows` rows after it left out. Gives the table (with no rows yet)
/// and the text from which its rows are read.
pub(crate) fn csv_head<'t>(
    text: &'t str,
    encoding: &'static str,
    file: &str,
    source: &Source,
) -> Result<(RawTable, CsvText<'t>), ImportError> {
    let delimiter = source.delimiter.unwrap_or_else(|| {
        if file.to_ascii_lowercase().ends_with(".tsv") {
            '\t'
        } else {
            ','
        }
    });
    if !delimiter.is_ascii() {
        return Err(ImportError::Mapping {
            path: None,
            reason: format!("{file}: the delimiter {delimiter:?} is not one ASCII character"),
        });
    }
    let delimiter = delimiter as u8;
    let mut headers: Option<Vec<String>> = None;
    let mut skip = source.skip_rows;
    let ended = records(text.as_bytes(), delimiter, 1, file, |line, cells| {
        if headers.is_some() {
            skip -= 1;
        } else if line >= source.header_row {
            headers = Some(cells.iter().map(str::to_string).collect());
        }
        headers.is_none() || skip > 0
    })?;
    let headers = headers.ok_or_else(|| ImportError::Csv {
        file: file.to_string(),
        line: source.header_row,
        reason: "no header row".into(),
    })?;
    let (data, data_line) = match ended {
        Ended::Stopped(at, line) => (at, line),
        // the file ends with the header (or a skipped row)
        Ended::Boundary | Ended::MidRecord => (text.len(), 1),
    };
    Ok((
        RawTable {
            file: file.to_string(),
            encoding,
            sheet: None,
            first_column: 0,
            headers,
            rows: Rows::new(),
        },
        CsvText {
            text,
            delimiter,
            data,
            data_line,
        },
    ))
}

impl CsvText<'_> {
    /// The data rows as one piece.
    pub(crate) fn whole(&self) -> Piece {
        Piece {
            start: self.data,
            end: self.text.len(),
            line: self.data_line,
        }
    }

    /// The data rows in pieces of whole lines, about `size` bytes each, in
    /// file order. Each cut is just after a line break with an even number
    /// of quote characters before it, which is between two records when
    /// the file quotes as RFC 4180 does; [`CsvText::rows`] tells when a
    /// piece did not end between records (a stray quote), and then the
    /// file is read as one piece.
    pub(crate) fn pieces(&self, size: usize) -> Vec<Piece> {
        let bytes = self.text.as_bytes();
        let size = size.max(1);
        let n = bytes.len() - self.data;
        if n <= size {
            return vec![self.whole()];
        }
        // quote parity and line breaks in each block of `size` bytes
        let blocks: Vec<(bool, u64)> = bytes[self.data..]
            .par_chunks(size)
            .map(|b| {
                b.iter().fold((false, 0u64), |(q, l), &c| {
                    (q ^ (c == b'"'), l + u64::from(c == b'\n'))
                })
            })
            .collect();
        let mut pieces = Vec::with_capacity(blocks.len());
        let (mut start, mut line) = (self.data, self.data_line);
        let (mut quoted, mut lines) = (false, self.data_line);
        for (k, &(q, l)) in blocks.iter().enumerate() {
            // state at the start of block k + 1
            quoted ^= q;
            lines += l;
            let block_end = self.data + (k + 1) * size;
            if block_end >= bytes.len() {
                break;
            }
            // the first line break at or after the block's end outside quotes
            let (mut q, mut l) = (quoted, lines);
            let mut cut = None;
            for (i, &c) in bytes[block_end..].iter().enumerate() {
                if c == b'"' {
                    q = !q;
                } else if c == b'\n' {
                    l += 1;
                    if !q {
                        cut = Some((block_end + i + 1, l));
                        break;
                    }
                }
            }
            let Some((cut, cut_line)) = cut else { break };
            if cut <= start || cut >= bytes.len() {
                continue;
            }
            pieces.push(Piece {
                start,
                end: cut,
                line,
            });
            (start, line) = (cut, cut_line);
        }
        pieces.push(Piece {
            start,
            end: bytes.len(),
            line,
        });
        pieces
    }

    /// Calls `each(line, cells)` for every row of `piece` in order, rows
    /// whose every cell is blank left out. Returns whether the piece ended
    /// between two records, as it must unless it ends the file.
    pub(crate) fn rows(
        &self,
        piece: Piece,
        file: &str,
        mut each: impl FnMut(u64, Cells<'_>),
    ) -> Result<bool, ImportError> {
        let text = &self.text.as_bytes()[piece.start..piece.end];
        let ended = records(text, self.delimiter, piece.line, file, |line, cells| {
            if !cells.iter().all(|c| c.trim().is_empty()) {
                each(line, cells);
            }
            true
        })?;
        Ok(ended == Ended::Boundary || piece.end == self.text.len())
    }
}

/// What reads one piece's rows: called with what to do with each row.
pub(crate) type Feed<'f> = dyn FnMut(&mut dyn FnMut(u64, Cells<'_>)) + 'f;

impl CsvText<'_> {
    /// Makes one `T` per piece of about `size` bytes ([`CsvText::pieces`])
    /// on rayon's pool, `work` reading the piece's rows through the
    /// [`Feed`] it is given (with the most rows the piece can have: its
    /// lines); the results in file order. When a piece did
    /// not end between two records (a quote that is not RFC 4180's), the
    /// results are thrown away and the file is read as one piece, so the
    /// rows are always those of reading the file from its start.
    pub(crate) fn par_pieces<T: Send>(
        &self,
        size: usize,
        file: &str,
        work: impl Fn(usize, &mut Feed<'_>) -> T + Sync,
    ) -> Result<Vec<T>, ImportError> {
        let read = |pieces: Vec<Piece>| -> Vec<Result<(T, bool), ImportError>> {
            pieces
                .into_par_iter()
                .map(|piece| {
                    let mut ended = Ok(true);
                    // at most one row per line
                    let bytes = &self.text.as_bytes()[piece.start..piece.end];
                    let lines = bytes.iter().filter(|&&b| b == b'\n').count() + 1;
                    let t = work(lines, &mut |each| ended = self.rows(piece, file, each));
                    ended.map(|between| (t, between))
                })
                .collect()
        };
        let mut out = read(self.pieces(size));
        if out.iter().any(|r| matches!(r, Ok((_, false)))) {
            out = read(vec![self.whole()]);
        }
        out.into_iter().map(|r| r.map(|(t, _)| t)).collect()
    }
}

/// Parses decoded CSV text: header at `source.header_row`, `skip_rows`
/// rows after it left out, rows whose every cell is blank left out.
pub(crate) fn parse_csv(
    text: &str,
    encoding: &'static str,
    file: &str,
    source: &Source,
) -> Result<RawTable, ImportError> {
    let (mut table, csv) = csv_head(text, encoding, file, source)?;
    let rows = &mut table.rows;
    csv.rows(csv.whole(), file, |line, cells| {
        rows.push(line, cells.iter())
    })?;
    Ok(table)
}

impl RawTable {
    /// The spreadsheet cell of column `index` on row `line` (`C7`); `None`
    /// for a text file.
    pub(crate) fn cell(&self, index: usize, line: u64) -> Option<String> {
        self.sheet.as_ref()?;
        Some(format!(
            "{}{line}",
            column_name(self.first_column as usize + index)
        ))
    }
}

/// A spreadsheet column's letters: 0 = `A`, 25 = `Z`, 26 = `AA`.
pub(crate) fn column_name(mut index: usize) -> String {
    let mut out = Vec::new();
    loop {
        out.push(b'A' + (index % 26) as u8);
        if index < 26 {
            break;
        }
        index = index / 26 - 1;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// Whether a file is read as a spreadsheet, by its extension.
pub(crate) fn is_spreadsheet(file: &str) -> bool {
    let f = file.to_ascii_lowercase();
    [".xlsx", ".xlsm", ".xlsb", ".xls", ".ods"]
        .iter()
        .any(|e| f.ends_with(e))
}

/// One cell's value as text: dates as `YYYY-MM-DD`, whole numbers without
/// a decimal point, errors as Excel shows them (`#N/A`).
#[cfg(feature = "xlsx")]
fn cell_text(d: &calamine::Data) -> String {
    use calamine::Data;
    match d {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => {
            if f.fract() == 0.0 && f.abs() < 1e15 {
                format!("{}", *f as i64)
            } else {
                f.to_string()
            }
        }
        Data::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
        Data::DateTime(dt) if dt.is_datetime() => {
            let (y, m, d, ..) = dt.to_ymd_hms_milli();
            format!("{y:04}-{m:02}-{d:02}")
        }
        Data::DateTime(dt) => dt.as_f64().to_string(),
        Data::DateTimeIso(s) => s.split('T').next().unwrap_or(s).to_string(),
        Data::DurationIso(s) => s.clone(),
        Data::Error(e) => e.to_string(),
    }
}

/// Reads one sheet of a spreadsheet: the header on row `header_row` (an
/// Excel row number), `skip_rows` rows after it left out, blank rows left
/// out; each row keeps its Excel row number as its line.
#[cfg(feature = "xlsx")]
pub(crate) fn read_sheet(
    bytes: &[u8],
    file: &str,
    source: &Source,
) -> Result<RawTable, ImportError> {
    let bad = |reason: String| ImportError::Spreadsheet {
        file: file.to_string(),
        reason,
    };
    // calamine can panic on a malformed workbook (found by fuzzing: an
    // overflowing cell reference, calamine 0.38 with overflow checks on);
    // a panic becomes an error naming the file.
    let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        read_sheet_unguarded(bytes, file, source)
    }));
    match caught {
        Ok(r) => r,
        Err(panic) => Err(bad(format!(
            "not a readable workbook (the spreadsheet reader failed: {})",
            crate::panics::message(panic.as_ref())
        ))),
    }
}

#[cfg(feature = "xlsx")]
fn read_sheet_unguarded(
    bytes: &[u8],
    file: &str,
    source: &Source,
) -> Result<RawTable, ImportError> {
    use calamine::Reader;
    let bad = |reason: String| ImportError::Spreadsheet {
        file: file.to_string(),
        reason,
    };
    let mut book = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes))
        .map_err(|e| bad(e.to_string()))?;
    let names = book.sheet_names();
    let sheet = match &source.sheet {
        Some(s) => names.iter().find(|n| *n == s).cloned().ok_or_else(|| {
            bad(format!(
                "no sheet {s:?}; the workbook has {}",
                names.join(", ")
            ))
        })?,
        None => names
            .first()
            .cloned()
            .ok_or_else(|| bad("the workbook has no sheet".into()))?,
    };
    let range = book
        .worksheet_range(&sheet)
        .map_err(|e| bad(format!("sheet {sheet:?}: {e}")))?;
    let (row0, col0) = range.start().unwrap_or((0, 0));
    let mut collect = Collector::new(source);
    for (i, r) in range.rows().enumerate() {
        let line = u64::from(row0) + i as u64 + 1;
        let cells: Vec<String> = r.iter().map(cell_text).collect();
        collect.push(line, cells.iter().map(String::as_str));
    }
    let Collector { headers, rows, .. } = collect;
    let headers = headers.ok_or_else(|| {
        bad(format!(
            "sheet {sheet:?} has no row {} for the header",
            source.header_row
        ))
    })?;
    Ok(RawTable {
        file: file.to_string(),
        encoding: "xlsx",
        sheet: Some(sheet),
        first_column: col0,
        headers,
        rows,
    })
}

/// Reads one file's bytes.
pub(crate) fn read_bytes(
    bytes: &[u8],
    file: &str,
    source: &Source,
) -> Result<RawTable, ImportError> {
    if is_spreadsheet(file) {
        #[cfg(feature = "xlsx")]
        return read_sheet(bytes, file, source);
        #[cfg(not(feature = "xlsx"))]
        return Err(ImportError::Spreadsheet {
            file: file.to_string(),
            reason: "this build of mommytrack has no spreadsheet reader (cargo feature `xlsx`)"
                .into(),
        });
    }
    let (text, enc) = decode(bytes, &source.encoding, file)?;
    parse_csv(&text, enc, file, source)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each record's line and cells, as `records` gives them.
    fn all(text: &str, delimiter: u8) -> (Vec<(u64, Vec<String>)>, Ended) {
        let mut v = vec![];
        let ended = records(text.as_bytes(), delimiter, 1, "f.csv", |line, cells| {
            v.push((line, cells.iter().map(str::to_string).collect()));
            true
        })
        .unwrap();
        (v, ended)
    }

    #[test]
    fn a_kept_parser_starts_afresh_and_each_delimiter_has_its_own() {
        // left inside a quoted field, on line 2
        let (v, ended) = all("a,b\n\"c\nd", b',');
        assert_eq!(ended, Ended::MidRecord);
        assert_eq!(v.len(), 2);
        for _ in 0..2 {
            let (v, ended) = all("x,y\nz,w\n", b',');
            assert_eq!(ended, Ended::Boundary);
            let want = [(1, vec!["x", "y"]), (2, vec!["z", "w"])];
            assert_eq!(
                v,
                want.map(|(l, c)| (l, c.iter().map(|s| s.to_string()).collect()))
            );
            let (v, _) = all("x;y,z\n", b';');
            assert_eq!(v, [(1, vec!["x".to_string(), "y,z".to_string()])]);
        }
    }

    #[test]
    fn rows_keep_each_row_s_cells_and_drop_blank_rows() {
        let source: Source = toml::from_str("file = \"f.csv\"\nskip_rows = 1").unwrap();
        let t = parse_csv(
            "id,name\nlabels,skipped\n1,\"a,b\"\n , \n2\n3,c,extra\n",
            "UTF-8",
            "f.csv",
            &source,
        )
        .unwrap();
        assert_eq!(t.headers, ["id", "name"]);
        let rows: Vec<(u64, Vec<&str>)> = t
            .rows
            .iter()
            .map(|(l, c)| (l, c.iter().collect()))
            .collect();
        assert_eq!(
            rows,
            [
                (3, vec!["1", "a,b"]),
                (5, vec!["2"]),
                (6, vec!["3", "c", "extra"])
            ]
        );
        let (_, short) = t.rows.row(1);
        assert_eq!((short.get(0), short.get(1)), (Some("2"), None));
    }

    fn lines_and_cells(t: &RawTable) -> Vec<(u64, Vec<String>)> {
        t.rows
            .iter()
            .map(|(l, c)| (l, c.iter().map(String::from).collect()))
            .collect()
    }

    #[test]
    fn a_row_s_line_is_its_own_after_blank_lines_and_in_crlf_files() {
        // csv's record position is where its reader stood before the
        // record: ahead of skipped blank lines, and in a CRLF file ahead of
        // the previous line's LF. Lines counted by hand.
        let source: Source = toml::from_str("file = \"f.csv\"").unwrap();
        for (text, want) in [
            ("id,v\n1,a\n\n\n2,b\n3,c", vec![2, 5, 6]),
            ("id,v\r\n1,a\r\n\r\n2,b\r\n3,c\r\n", vec![2, 4, 5]),
            ("\n\nid,v\r\n1,\"x\r\ny\"\r\n\r\n2,b\n", vec![4, 7]),
            ("id,v\r1,a\r2,b\r", vec![1, 1]),
        ] {
            let t = parse_csv(text, "UTF-8", "f.csv", &source).unwrap();
            let lines: Vec<u64> = lines_and_cells(&t).iter().map(|r| r.0).collect();
            assert_eq!(lines, want, "{text:?}");
        }
        let t = parse_csv("\n\nid,v\r\n1,\"x\r\ny\"\r\n", "UTF-8", "f.csv", &source).unwrap();
        assert_eq!(t.headers, ["id", "v"]);
        assert_eq!(lines_and_cells(&t)[0].1, ["1", "x\r\ny"]);
    }

    /// The rows every piece reads, in order.
    fn by_pieces(text: &str, size: usize) -> Vec<(u64, Vec<String>)> {
        let source: Source = toml::from_str("file = \"f.csv\"").unwrap();
        let (_, csv) = csv_head(text, "UTF-8", "f.csv", &source).unwrap();
        let got = csv
            .par_pieces(size, "f.csv", |_, feed| {
                let mut rows = Vec::new();
                feed(&mut |l, c| rows.push((l, c.iter().map(String::from).collect())));
                rows
            })
            .unwrap();
        got.into_iter().flatten().collect()
    }

    #[test]
    fn pieces_read_the_rows_one_reader_reads() {
        let source: Source = toml::from_str("file = \"f.csv\"").unwrap();
        // quoted delimiters, quoted line breaks, escaped quotes, blank
        // lines, CRLF and LF, no line break at the end
        let mut text = String::from("id,name,note\r\n");
        for i in 0..300 {
            text.push_str(&match i % 6 {
                0 => format!("{i},\"a,b\",plain\r\n"),
                1 => format!("{i},\"two\nlines\",\"say \"\"hi\"\"\"\n"),
                2 => format!("{i},x,y\n\n"),
                3 => format!("{i},\"\r\n\r\n\",z\r\n\r\n"),
                4 => format!("{i},,\n"),
                _ => format!("{i},\"\",\"\"\"\"\n"),
            });
        }
        text.push_str("last,row,here");
        let whole = lines_and_cells(&parse_csv(&text, "UTF-8", "f.csv", &source).unwrap());
        assert_eq!(whole.len(), 301);
        assert_eq!(
            whole[1],
            (
                3,
                vec!["1".into(), "two\nlines".into(), "say \"hi\"".into()]
            )
        );
        for size in [1, 2, 7, 64, 1000, 1 << 20] {
            assert_eq!(by_pieces(&text, size), whole, "pieces of {size} bytes");
        }
        let (_, csv) = csv_head(&text, "UTF-8", "f.csv", &source).unwrap();
        let pieces = csv.pieces(64);
        assert!(pieces.len() > 50);
        assert!(pieces
            .iter()
            .all(|&p| csv.rows(p, "f.csv", |_, _| {}).unwrap()));
        // a stray quote inside an unquoted field is a literal quote to csv
        // and throws the quote count off: the cuts fall inside records,
        // the pieces say so, and the file is read in one
        let stray: String = (0..200)
            .map(|i| format!("{i},5\" tall,\"x\ny\"\n"))
            .collect();
        let stray = format!("id,height,note\n{stray}");
        let whole = lines_and_cells(&parse_csv(&stray, "UTF-8", "f.csv", &source).unwrap());
        assert_eq!(whole.len(), 200);
        assert_eq!(
            whole[1],
            (4, vec!["1".into(), "5\" tall".into(), "x\ny".into()])
        );
        for size in [3, 50, 333] {
            assert_eq!(by_pieces(&stray, size), whole, "pieces of {size} bytes");
        }
        let (_, csv) = csv_head(&stray, "UTF-8", "f.csv", &source).unwrap();
        let pieces = csv.pieces(50);
        let (last, inner) = pieces.split_last().unwrap();
        assert!(inner
            .iter()
            .any(|&p| !csv.rows(p, "f.csv", |_, _| {}).unwrap()));
        assert!(csv.rows(*last, "f.csv", |_, _| {}).unwrap());
    }

    proptest::proptest! {
        /// On any text of quotes, delimiters, CR, LF, spaces and letters:
        /// pieces of any size read the rows one reader reads, lines
        /// included, and the cells are those the `csv` crate reads.
        #[test]
        fn pieces_and_the_csv_crate_agree_on_any_text(
            chars in proptest::collection::vec(
                proptest::sample::select(vec!['a', 'é', ',', '"', '\n', '\r', ' ']),
                0..400,
            ),
            size in 1usize..80,
        ) {
            let text: String = chars.into_iter().collect();
            let source: Source = toml::from_str("file = \"f.csv\"").unwrap();
            let Ok(whole) = parse_csv(&text, "UTF-8", "f.csv", &source) else {
                return Ok(()); // no header row
            };
            let whole = lines_and_cells(&whole);
            proptest::prop_assert_eq!(&by_pieces(&text, size), &whole);
            let mut reader = csv::ReaderBuilder::new()
                .has_headers(false)
                .flexible(true)
                .from_reader(text.as_bytes());
            let theirs: Vec<Vec<String>> = reader
                .records()
                .skip(1)
                .map(|r| r.unwrap().iter().map(String::from).collect::<Vec<_>>())
                .filter(|r| !r.iter().all(|c| c.trim().is_empty()))
                .collect();
            let ours: Vec<Vec<String>> = whole.into_iter().map(|r| r.1).collect();
            proptest::prop_assert_eq!(ours, theirs);
        }
    }

    #[test]
    fn column_names_run_from_a_to_zz_and_on() {
        let names: Vec<String> = [0, 1, 25, 26, 27, 51, 52, 701, 702]
            .iter()
            .map(|&i| column_name(i))
            .collect();
        assert_eq!(names, ["A", "B", "Z", "AA", "AB", "AZ", "BA", "ZZ", "AAA"]);
    }

    #[test]
    fn cp932_bytes_are_detected_and_decoded() {
        // "社員番号,性別\r\n101,女性\r\n" in CP932, as Excel saves it
        let (bytes, _, bad) = SHIFT_JIS.encode("社員番号,性別\r\n101,女性\r\n");
        assert!(!bad);
        assert_eq!(bytes[..8], [0x8E, 0xD0, 0x88, 0xF5, 0x94, 0xD4, 0x8D, 0x86]);
        let (text, enc) = decode(&bytes, "auto", "f.csv").unwrap();
        assert_eq!(enc, "Shift_JIS");
        assert_eq!(text, "社員番号,性別\r\n101,女性\r\n");
        let (text, _) = decode(&bytes, "cp932", "f.csv").unwrap();
        assert!(text.starts_with("社員番号"));
        // 0x8160 is the wave dash that CP932 maps to U+FF5E
        let (t, _) = decode(&[0x81, 0x60], "cp932", "f.csv").unwrap();
        assert_eq!(t, "\u{FF5E}");
    }

    #[test]
    fn a_bom_wins_and_malformed_bytes_name_their_line() {
        let (t, enc) = decode(b"\xEF\xBB\xBFid\n1\n", "shift_jis", "f.csv").unwrap();
        assert_eq!((&*t, enc), ("id\n1\n", "UTF-8"));
        let err = decode(b"id\n1\n\xFF\xFF\n", "utf-8", "f.csv").unwrap_err();
        assert!(
            matches!(&err, ImportError::Encoding { line: 3, .. }),
            "{err}"
        );
        assert!(decode(b"x", "klingon", "f.csv").is_err());
    }
}
