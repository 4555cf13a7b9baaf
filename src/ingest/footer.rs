//! A check of a Parquet file's footer before polars reads it.
//!
//! polars-parquet 0.55 sizes vectors from the counts the footer declares:
//! a crafted footer declaring a list of billions of elements makes it ask
//! for hundreds of gigabytes, and the process aborts (found by fuzzing: a
//! request for 190 GB). An allocation failure cannot be caught, so the
//! footer is walked first: it must be well-formed Thrift compact protocol
//! (the encoding Parquet's `FileMetaData` uses), and no list, set or map may
//! declare more elements than bytes remain to hold them.

/// The largest page header read (as polars' own reader allows).
const MAX_PAGE_HEADER: usize = 1024 * 1024;

/// `Ok` when every data page header of every column chunk in `bytes` (a
/// whole Parquet file whose footer passed [`check`]) declares a count of
/// values that is not negative and that, summed over the chunk's pages,
/// does not pass the chunk's own. polars-parquet 0.55 reads a negative
/// count as a huge unsigned one and asks for that much memory (found by
/// fuzzing: a page declaring −25 values made it reserve close to 2⁶⁴ bits,
/// and the process aborted).
pub(super) fn check_pages(bytes: &[u8]) -> Result<(), String> {
    use polars_parquet::parquet::page::{CompressedPage, DataPageHeader};
    use polars_parquet::parquet::read::{get_page_iterator, read_metadata};
    let meta = read_metadata(&mut std::io::Cursor::new(bytes)).map_err(|e| e.to_string())?;
    let buffer = polars_buffer::Buffer::from(bytes.to_vec());
    for (g, group) in meta.row_groups.iter().enumerate() {
        for column in group.parquet_columns() {
            let name = column.descriptor().path_in_schema.join(".");
            let declared = column.num_values();
            let pages = get_page_iterator(
                column,
                std::io::Cursor::new(buffer.clone()),
                Vec::new(),
                MAX_PAGE_HEADER,
            )
            .map_err(|e| e.to_string())?;
            let mut total: i64 = 0;
            for page in pages {
                let page = page.map_err(|e| format!("column {name}, row group {g}: {e}"))?;
                let CompressedPage::Data(page) = page else {
                    continue;
                };
                let n = match page.header() {
                    DataPageHeader::V1(h) => i64::from(h.num_values),
                    DataPageHeader::V2(h) => {
                        if h.num_rows < 0 || h.num_nulls < 0 {
                            return Err(format!(
                                "column {name}, row group {g}: a page declares {} rows and {} nulls",
                                h.num_rows, h.num_nulls
                            ));
                        }
                        i64::from(h.num_values)
                    }
                };
                if n < 0 {
                    return Err(format!(
                        "column {name}, row group {g}: a page declares {n} values"
                    ));
                }
                total += n;
                if total > declared {
                    return Err(format!(
                        "column {name}, row group {g}: its pages declare more values than the {declared} of the column"
                    ));
                }
            }
        }
    }
    Ok(())
}

/// Nesting deeper than this is refused (Parquet's schema is flat in the
/// footer; real files nest a few levels).
const MAX_DEPTH: u32 = 64;

/// `Ok` when the footer of `bytes` (a whole Parquet file) is well-formed;
/// otherwise what is wrong.
pub(super) fn check(bytes: &[u8]) -> Result<(), String> {
    let n = bytes.len();
    if n < 12 || bytes[..4] != *b"PAR1" || bytes[n - 4..] != *b"PAR1" {
        return Err("no Parquet magic bytes (PAR1) at both ends".into());
    }
    let len = u32::from_le_bytes([bytes[n - 8], bytes[n - 7], bytes[n - 6], bytes[n - 5]]) as usize;
    if len > n - 12 {
        return Err(format!(
            "the footer claims {len} bytes, the file has room for {}",
            n - 12
        ));
    }
    let mut r = Walker {
        b: &bytes[n - 8 - len..n - 8],
        pos: 0,
    };
    r.structure(0)
        .map_err(|e| format!("its footer is not valid metadata: {e}"))
}

struct Walker<'a> {
    b: &'a [u8],
    pos: usize,
}

impl Walker<'_> {
    fn remaining(&self) -> usize {
        self.b.len() - self.pos
    }

    fn byte(&mut self) -> Result<u8, String> {
        let v = *self.b.get(self.pos).ok_or("it ends early")?;
        self.pos += 1;
        Ok(v)
    }

    fn varint(&mut self) -> Result<u64, String> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err("a number longer than 64 bits".into())
    }

    fn skip(&mut self, k: u64) -> Result<(), String> {
        if k > self.remaining() as u64 {
            return Err(format!("{k} bytes declared, {} left", self.remaining()));
        }
        self.pos += k as usize;
        Ok(())
    }

    /// A count of elements, each taking at least one byte.
    fn count(&mut self, size: u64) -> Result<u64, String> {
        if size > self.remaining() as u64 {
            return Err(format!(
                "a collection of {size} elements in {} bytes",
                self.remaining()
            ));
        }
        Ok(size)
    }

    /// A value of compact type `t` as a struct field (a bool is in the
    /// field header) or, with `element`, as a collection element (a bool
    /// takes a byte).
    fn value(&mut self, t: u8, depth: u32, element: bool) -> Result<(), String> {
        match t {
            1 | 2 if element => self.skip(1),
            1 | 2 => Ok(()),
            3 => self.skip(1),
            4..=6 => self.varint().map(|_| ()),
            7 => self.skip(8),
            8 => {
                let len = self.varint()?;
                self.skip(len)
            }
            9 | 10 => self.list(depth + 1),
            11 => self.map(depth + 1),
            12 => self.structure(depth + 1),
            other => Err(format!("unknown type {other}")),
        }
    }

    fn list(&mut self, depth: u32) -> Result<(), String> {
        if depth > MAX_DEPTH {
            return Err("nested too deep".into());
        }
        let h = self.byte()?;
        let t = h & 0x0f;
        let mut size = u64::from(h >> 4);
        if size == 15 {
            size = self.varint()?;
        }
        for _ in 0..self.count(size)? {
            self.value(t, depth, true)?;
        }
        Ok(())
    }

    fn map(&mut self, depth: u32) -> Result<(), String> {
        if depth > MAX_DEPTH {
            return Err("nested too deep".into());
        }
        let size = self.varint()?;
        if size == 0 {
            return Ok(());
        }
        let size = self.count(size)?;
        let kv = self.byte()?;
        for _ in 0..size {
            self.value(kv >> 4, depth, true)?;
            self.value(kv & 0x0f, depth, true)?;
        }
        Ok(())
    }

    fn structure(&mut self, depth: u32) -> Result<(), String> {
        if depth > MAX_DEPTH {
            return Err("nested too deep".into());
        }
        loop {
            let h = self.byte()?;
            if h == 0 {
                return Ok(());
            }
            if h >> 4 == 0 {
                self.varint()?; // the field id, when not a delta
            }
            self.value(h & 0x0f, depth, false)?;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A file around a given footer.
    fn file(footer: &[u8]) -> Vec<u8> {
        let mut v = b"PAR1".to_vec();
        v.extend_from_slice(footer);
        v.extend_from_slice(&(footer.len() as u32).to_le_bytes());
        v.extend_from_slice(b"PAR1");
        v
    }

    #[test]
    fn a_well_formed_footer_passes_and_a_huge_list_does_not() {
        // struct { 1: i32 = 1, 2: list<i32> [3 elements: 1, 2, 3], 3: binary "ab" } stop
        let ok = [
            0x15, 0x02, 0x19, 0x35, 0x02, 0x04, 0x06, 0x18, 0x02, b'a', b'b', 0x00,
        ];
        assert_eq!(check(&file(&ok)), Ok(()));
        // field 2: a list<struct> claiming 2^40 elements
        let huge = [
            0x15, 0x02, 0x19, 0xfc, 0x80, 0x80, 0x80, 0x80, 0x80, 0x20, 0x00,
        ];
        let err = check(&file(&huge)).unwrap_err();
        assert!(
            err.contains("a collection of 1099511627776 elements"),
            "{err}"
        );
        // a binary longer than the footer, a footer longer than the file
        assert!(check(&file(&[0x18, 0x7f, 0x00])).is_err());
        let mut long = file(&ok);
        let n = long.len();
        long[n - 8..n - 4].copy_from_slice(&1000u32.to_le_bytes());
        assert!(check(&long).unwrap_err().contains("claims 1000 bytes"));
        assert!(check(b"PAR1PAR1").is_err());
    }
}
