//! Reading one export file into rows of text: the encoding decoded, the
//! header found, each row with its line.

use super::mapping::Source;
use super::ImportError;
use encoding_rs::{Encoding, SHIFT_JIS, UTF_8};

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

/// Rows as they are read: the header at `header_row`, `skip_rows` rows
/// after it left out, rows whose every cell is blank left out.
struct Collector {
    header_row: u64,
    skip: u64,
    headers: Option<Vec<String>>,
    rows: Rows,
}

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

/// Parses decoded CSV text: header at `source.header_row`, `skip_rows`
/// rows after it left out, rows whose every cell is blank left out.
pub(crate) fn parse_csv(
    text: &str,
    encoding: &'static str,
    file: &str,
    source: &Source,
) -> Result<RawTable, ImportError> {
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
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter as u8)
        .from_reader(text.as_bytes());
    let mut collect = Collector::new(source);
    // One record reused for every row; its cells are copied into the
    // table's one buffer.
    let mut rec = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut rec) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                return Err(ImportError::Csv {
                    file: file.to_string(),
                    line: e.position().map_or(0, |p| p.line()),
                    reason: e.to_string(),
                })
            }
        }
        let line = rec.position().map_or(0, |p| p.line());
        collect.push(line, &rec);
    }
    let Collector { headers, rows, .. } = collect;
    let headers = headers.ok_or_else(|| ImportError::Csv {
        file: file.to_string(),
        line: source.header_row,
        reason: "no header row".into(),
    })?;
    Ok(RawTable {
        file: file.to_string(),
        encoding,
        sheet: None,
        first_column: 0,
        headers,
        rows,
    })
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
            .map(|(l, c)| (l, (0..).map_while(|i| c.get(i)).collect()))
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
