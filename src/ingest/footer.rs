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
    r.typed_structure(0, Kind::File)
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
            9 => self.list(depth + 1),
            // polars-parquet's skip cannot step over a set or a map (and
            // Parquet's metadata has none).
            10 | 11 => Err(format!(
                "a {} where the reader cannot skip one",
                if t == 10 { "set" } else { "map" }
            )),
            12 => self.structure(depth + 1),
            other => Err(format!("unknown type {other}")),
        }
    }

    fn list(&mut self, depth: u32) -> Result<(), String> {
        if depth > MAX_DEPTH {
            return Err("nested too deep".into());
        }
        let (t, size) = self.list_header()?;
        if size > 0 && matches!(t, 1 | 2) {
            // A bool element takes a byte, but polars-parquet's skip steps
            // over none, and would read the rest of the footer out of step
            // (found by fuzzing: a 44 GB request). Parquet's metadata has
            // no list of bools.
            return Err("a list of bools, which the reader would skip out of step".into());
        }
        for _ in 0..size {
            self.value(t, depth, true)?;
        }
        Ok(())
    }

    /// A list header: the element type, and the element count (checked
    /// against the bytes left).
    fn list_header(&mut self) -> Result<(u8, u64), String> {
        let h = self.byte()?;
        let mut size = u64::from(h >> 4);
        if size == 15 {
            size = self.varint()?;
        }
        Ok((h & 0x0f, self.count(size)?))
    }

    fn structure(&mut self, depth: u32) -> Result<(), String> {
        self.typed_structure(depth, Kind::Other)
    }

    /// A struct of Parquet's `kind`: every field that polars-parquet reads by
    /// its id must carry the wire type polars reads it as (polars reads by
    /// id whatever the declared type, so a field declared `i16` where a
    /// list is expected would be read as a list header: found by fuzzing,
    /// an 80 GB request), and a list's elements the element type it reads.
    fn typed_structure(&mut self, depth: u32, kind: Kind) -> Result<(), String> {
        if depth > MAX_DEPTH {
            return Err("nested too deep".into());
        }
        let mut last: i32 = 0;
        loop {
            let h = self.byte()?;
            if h == 0 {
                return Ok(());
            }
            let t = h & 0x0f;
            let id = if h >> 4 == 0 {
                // The field id in full: a zigzag varint.
                let z = self.varint()?;
                ((z >> 1) as i64 ^ -((z & 1) as i64)) as i32
            } else {
                last + i32::from(h >> 4)
            };
            if i16::try_from(id).is_err() {
                return Err(format!("field id {id} is out of range"));
            }
            last = id;
            let Some(want) = expect(kind, id) else {
                self.value(t, depth, false)?;
                continue;
            };
            let ok = match want {
                Want::Varint => matches!(t, 4..=6),
                Want::Byte => t == 3,
                Want::Binary => t == 8,
                Want::Bool => matches!(t, 1 | 2),
                Want::Struct(_) => t == 12,
                Want::List(_) => t == 9,
            };
            if !ok {
                return Err(format!(
                    "field {id} of {} has wire type {t}, not the {} it must be",
                    kind.name(),
                    want.name()
                ));
            }
            match want {
                Want::Struct(child) => self.typed_structure(depth + 1, child)?,
                Want::List(element) => self.typed_list(depth + 1, kind, id, element)?,
                _ => self.value(t, depth, false)?,
            }
        }
    }

    fn typed_list(
        &mut self,
        depth: u32,
        kind: Kind,
        id: i32,
        element: Element,
    ) -> Result<(), String> {
        if depth > MAX_DEPTH {
            return Err("nested too deep".into());
        }
        let (t, size) = self.list_header()?;
        if size == 0 {
            return Ok(());
        }
        let ok = match element {
            Element::Varint => matches!(t, 4..=6),
            Element::Binary => t == 8,
            Element::Struct(_) => t == 12,
        };
        if !ok {
            return Err(format!(
                "the elements of field {id} of {} have wire type {t}",
                kind.name()
            ));
        }
        for _ in 0..size {
            match element {
                Element::Struct(child) => self.typed_structure(depth, child)?,
                _ => self.value(t, depth, true)?,
            }
        }
        Ok(())
    }
}

/// The Parquet structs whose fields polars-parquet 0.55 reads by id
/// (`handwritten_thrift/file_metadata_thrift.rs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    File,
    Schema,
    RowGroup,
    ColumnChunk,
    ColumnMeta,
    Statistics,
    KeyValue,
    SortingColumn,
    ColumnOrder,
    LogicalType,
    Decimal,
    Time,
    TimeUnit,
    Int,
    /// Any other struct: all its fields are skipped by their declared type.
    Other,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::File => "FileMetaData",
            Kind::Schema => "SchemaElement",
            Kind::RowGroup => "RowGroup",
            Kind::ColumnChunk => "ColumnChunk",
            Kind::ColumnMeta => "ColumnMetaData",
            Kind::Statistics => "Statistics",
            Kind::KeyValue => "KeyValue",
            Kind::SortingColumn => "SortingColumn",
            Kind::ColumnOrder => "ColumnOrder",
            Kind::LogicalType => "LogicalType",
            Kind::Decimal => "DecimalType",
            Kind::Time => "TimeType",
            Kind::TimeUnit => "TimeUnit",
            Kind::Int => "IntType",
            Kind::Other => "a struct",
        }
    }
}

/// What a field is read as.
#[derive(Debug, Clone, Copy)]
enum Want {
    Varint,
    Byte,
    Binary,
    Bool,
    Struct(Kind),
    List(Element),
}

impl Want {
    fn name(self) -> &'static str {
        match self {
            Want::Varint => "integer",
            Want::Byte => "byte",
            Want::Binary => "binary",
            Want::Bool => "bool",
            Want::Struct(_) => "struct",
            Want::List(_) => "list",
        }
    }
}

/// What a list's elements are read as.
#[derive(Debug, Clone, Copy)]
enum Element {
    Varint,
    Binary,
    Struct(Kind),
}

/// How polars-parquet reads field `id` of a `kind` struct; `None` when it
/// skips it.
fn expect(kind: Kind, id: i32) -> Option<Want> {
    use Want::{Binary as B, Bool, Struct as S, Varint as V};
    let list = |k| Want::List(Element::Struct(k));
    Some(match (kind, id) {
        (Kind::File, 1 | 3) => V,
        (Kind::File, 2) => list(Kind::Schema),
        (Kind::File, 4) => list(Kind::RowGroup),
        (Kind::File, 5) => list(Kind::KeyValue),
        (Kind::File, 6) => B,
        (Kind::File, 7) => list(Kind::ColumnOrder),
        (Kind::Schema, 1..=3 | 5..=9) => V,
        (Kind::Schema, 4) => B,
        (Kind::Schema, 10) => S(Kind::LogicalType),
        (Kind::RowGroup, 1) => list(Kind::ColumnChunk),
        (Kind::RowGroup, 2 | 3 | 5..=7) => V,
        (Kind::RowGroup, 4) => list(Kind::SortingColumn),
        (Kind::ColumnChunk, 1) => B,
        (Kind::ColumnChunk, 2 | 4..=7) => V,
        (Kind::ColumnChunk, 3) => S(Kind::ColumnMeta),
        (Kind::ColumnMeta, 1 | 4..=7 | 9..=11 | 14 | 15) => V,
        (Kind::ColumnMeta, 2) => Want::List(Element::Varint),
        (Kind::ColumnMeta, 3) => Want::List(Element::Binary),
        (Kind::ColumnMeta, 12) => S(Kind::Statistics),
        (Kind::Statistics, 1 | 2 | 5 | 6) => B,
        (Kind::Statistics, 3 | 4) => V,
        (Kind::Statistics, 7 | 8) => Bool,
        (Kind::KeyValue, 1 | 2) => B,
        (Kind::SortingColumn, 1) => V,
        (Kind::SortingColumn, 2 | 3) => Bool,
        (Kind::ColumnOrder, 1 | 2) => S(Kind::Other),
        (Kind::LogicalType, 1..=4 | 6 | 11..=15) => S(Kind::Other),
        (Kind::LogicalType, 5) => S(Kind::Decimal),
        (Kind::LogicalType, 7 | 8) => S(Kind::Time),
        (Kind::LogicalType, 10) => S(Kind::Int),
        (Kind::Decimal, 1 | 2) => V,
        (Kind::Time, 1) => Bool,
        (Kind::Time, 2) => S(Kind::TimeUnit),
        (Kind::TimeUnit, 1..=3) => S(Kind::Other),
        (Kind::Int, 1) => Want::Byte,
        (Kind::Int, 2) => Bool,
        _ => return None,
    })
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
        // FileMetaData { 1 version: i32 = 1, 3 num_rows: i64 = 3,
        // 6 created_by: binary "ab", 20 (unknown to the reader): list<i32>
        // [1, 2, 3] } stop
        let ok = [
            0x15, 0x02, 0x26, 0x06, 0x38, 0x02, b'a', b'b', 0x09, 0x28, 0x35, 0x02, 0x04, 0x06,
            0x00,
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

    /// polars-parquet reads a field by its id whatever type it declares:
    /// field 2 of FileMetaData (the schema) declared an `i16` was read as a
    /// list header, and a fuzzed file made it ask for 80 GB.
    #[test]
    fn a_field_of_the_wrong_wire_type_is_refused() {
        // 1 version: i32 = 1, then field 2 declared i16.
        let err = check(&file(&[0x15, 0x02, 0x14, 0x08, 0x00])).unwrap_err();
        assert!(
            err.contains("field 2 of FileMetaData has wire type 4, not the list it must be"),
            "{err}"
        );
        // Field 2 a list, but of i32 where SchemaElement structs are read.
        let err = check(&file(&[0x29, 0x15, 0x02, 0x00])).unwrap_err();
        assert!(
            err.contains("the elements of field 2 of FileMetaData have wire type 5"),
            "{err}"
        );
        // A field id in long form (zigzag varint): field 4 (row groups)
        // declared binary.
        let err = check(&file(&[0x08, 0x08, 0x00, 0x00])).unwrap_err();
        assert!(
            err.contains("field 4 of FileMetaData has wire type 8"),
            "{err}"
        );
    }

    /// polars-parquet skips a bool list element as no bytes (it takes one)
    /// and cannot skip sets or maps: an unknown field of those kinds would
    /// put its reading of the rest of the footer out of step.
    #[test]
    fn lists_of_bools_sets_and_maps_are_refused() {
        // Field 20 (unknown), long form: list of 2 bools.
        let err = check(&file(&[0x09, 0x28, 0x21, 0x01, 0x02, 0x00])).unwrap_err();
        assert!(err.contains("a list of bools"), "{err}");
        // An empty list of bools is harmless.
        assert_eq!(check(&file(&[0x09, 0x28, 0x01, 0x00])), Ok(()));
        // Field 20 a set, field 20 a map.
        let err = check(&file(&[0x0a, 0x28, 0x15, 0x02, 0x00])).unwrap_err();
        assert!(err.contains("a set"), "{err}");
        let err = check(&file(&[0x0b, 0x28, 0x00, 0x00])).unwrap_err();
        assert!(err.contains("a map"), "{err}");
    }
}
