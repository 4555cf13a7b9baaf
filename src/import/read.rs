//! Reading one export file into rows of text: the encoding decoded, the
//! header found, each row with its line.

use super::mapping::Source;
use super::ImportError;
use encoding_rs::{Encoding, SHIFT_JIS, UTF_8};
use std::path::Path;

/// One export file as text rows.
#[derive(Debug, Clone)]
pub(crate) struct RawTable {
    /// The file as the mapping names it.
    pub(crate) file: String,
    /// The encoding it was read in.
    pub(crate) encoding: &'static str,
    /// Header cells, as written.
    pub(crate) headers: Vec<String>,
    /// Data rows: (line, cells).
    pub(crate) rows: Vec<(u64, Vec<String>)>,
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
pub(crate) fn decode(
    bytes: &[u8],
    label: &str,
    file: &str,
) -> Result<(String, &'static str), ImportError> {
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
            .map(|t| (t.into_owned(), enc.name()))
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
        .map(|t| (t.into_owned(), enc.name()))
        .ok_or_else(|| malformed(enc))
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
    let mut headers = None;
    let mut rows = Vec::new();
    let mut skip = source.skip_rows;
    for rec in reader.records() {
        let rec = rec.map_err(|e| ImportError::Csv {
            file: file.to_string(),
            line: e.position().map_or(0, |p| p.line()),
            reason: e.to_string(),
        })?;
        let line = rec.position().map_or(0, |p| p.line());
        let cells: Vec<String> = rec.iter().map(str::to_string).collect();
        if headers.is_none() {
            if line >= source.header_row {
                headers = Some(cells);
            }
            continue;
        }
        if skip > 0 {
            skip -= 1;
            continue;
        }
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        rows.push((line, cells));
    }
    let headers = headers.ok_or_else(|| ImportError::Csv {
        file: file.to_string(),
        line: source.header_row,
        reason: "no header row".into(),
    })?;
    Ok(RawTable {
        file: file.to_string(),
        encoding,
        headers,
        rows,
    })
}

/// Reads one file of a source.
pub(crate) fn read(base: &Path, file: &str, source: &Source) -> Result<RawTable, ImportError> {
    let path = base.join(file);
    let bytes = std::fs::read(&path).map_err(|e| ImportError::Io {
        path: path.clone(),
        source: e,
    })?;
    read_bytes(&bytes, file, source)
}

/// Reads one file's bytes.
pub(crate) fn read_bytes(
    bytes: &[u8],
    file: &str,
    source: &Source,
) -> Result<RawTable, ImportError> {
    let (text, enc) = decode(bytes, &source.encoding, file)?;
    parse_csv(&text, enc, file, source)
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!((t.as_str(), enc), ("id\n1\n", "UTF-8"));
        let err = decode(b"id\n1\n\xFF\xFF\n", "utf-8", "f.csv").unwrap_err();
        assert!(
            matches!(&err, ImportError::Encoding { line: 3, .. }),
            "{err}"
        );
        assert!(decode(b"x", "klingon", "f.csv").is_err());
    }
}
