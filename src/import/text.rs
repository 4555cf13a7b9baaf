//! Values as HR exports write them: width folding, dates in every form
//! Japanese and Western systems use, numbers with separators.

use chrono::{Days, NaiveDate};
use unicode_normalization::UnicodeNormalization;

/// A value as the importer compares it: Unicode NFKC (full-width digits and
/// letters become ASCII, half-width katakana full-width, era squares such
/// as ㋿ become 令和), the wave-dash and minus variants unified, and
/// surrounding white space trimmed.
///
/// ```
/// use mommytrack::import::fold;
/// assert_eq!(fold("　Ｇ３ "), "G3");
/// assert_eq!(fold("㋿６年４月１日"), "令和6年4月1日");
/// assert_eq!(fold("１０〜２０"), "10~20");
/// ```
pub fn fold(s: &str) -> String {
    fold_cow(s).into_owned()
}

/// [`fold`], borrowing when the value is ASCII (its own NFKC form: only
/// the white space to trim).
pub(crate) fn fold_cow(s: &str) -> std::borrow::Cow<'_, str> {
    if s.is_ascii() {
        return std::borrow::Cow::Borrowed(s.trim());
    }
    let t: String = s
        .nfkc()
        .map(|c| match c {
            '\u{301C}' | '\u{FF5E}' => '~',
            '\u{2212}' | '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}' | '\u{FE63}' => '-',
            c => c,
        })
        .collect();
    std::borrow::Cow::Owned(t.trim().to_string())
}

/// A header as the importer matches it: [`fold`], then lower case, with
/// runs of white space, `_` and `-` read as one space.
pub(crate) fn fold_header(s: &str) -> String {
    let f = fold(s.trim_start_matches('\u{FEFF}')).to_lowercase();
    let mut out = String::with_capacity(f.len());
    let mut gap = false;
    for c in f.chars() {
        if c.is_whitespace() || c == '_' || c == '-' {
            gap = true;
        } else {
            if gap && !out.is_empty() {
                out.push(' ');
            }
            gap = false;
            out.push(c);
        }
    }
    out
}

/// One accepted way of writing a date (`[settings] dates`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum DateForm {
    /// Year, month, day in that order: `2024-04-01`, `2024/4/1`,
    /// `2024.04.01`, `2024年4月1日`, `20240401`.
    Ymd,
    /// Japanese era dates: `令和6年4月1日`, `R6.4.1`, `H31/4/30`, `平成元年1月8日`.
    Wareki,
    /// OData's `/Date(1711929600000)/` (milliseconds since 1970).
    OData,
    /// An Excel serial day number (1900 date system), as a CSV saved from a
    /// spreadsheet may hold.
    Excel,
    /// A chrono format string, e.g. `%m/%d/%Y`, as written and parsed once.
    Chrono(String, Vec<chrono::format::Item<'static>>),
}

impl DateForm {
    pub(crate) fn parse(s: &str) -> Result<DateForm, String> {
        Ok(match s {
            "ymd" => DateForm::Ymd,
            "wareki" => DateForm::Wareki,
            "odata" => DateForm::OData,
            "excel" => DateForm::Excel,
            f if f.contains('%') => DateForm::Chrono(
                f.to_string(),
                chrono::format::StrftimeItems::new(f)
                    .parse_to_owned()
                    .map_err(|e| format!("the date format {f:?}: {e}"))?,
            ),
            other => {
                return Err(format!(
                    "unknown date form {other:?}: expected ymd, wareki, odata, excel or a chrono format such as %m/%d/%Y"
                ))
            }
        })
    }
}

/// The Japanese eras since the calendar reform, with their first day and
/// the Gregorian year of their first year.
const ERAS: [(&str, char, (i32, u32, u32)); 5] = [
    ("明治", 'M', (1868, 10, 23)),
    ("大正", 'T', (1912, 7, 30)),
    ("昭和", 'S', (1926, 12, 25)),
    ("平成", 'H', (1989, 1, 8)),
    ("令和", 'R', (2019, 5, 1)),
];

fn ymd(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d)
}

/// Splits `s` into runs of ASCII digits, and checks that everything between
/// them is a date separator. A date has at most three runs: more give
/// `None` (no date form takes them).
fn digit_groups(s: &str) -> Option<([&str; 3], usize)> {
    let mut groups = [""; 3];
    let mut n = 0;
    let mut start = None;
    for (i, c) in s.char_indices() {
        if c.is_ascii_digit() {
            start.get_or_insert(i);
        } else {
            if let Some(b) = start.take() {
                *groups.get_mut(n)? = &s[b..i];
                n += 1;
            }
            if !matches!(c, '-' | '/' | '.' | '年' | '月' | '日' | ' ') {
                return None;
            }
        }
    }
    if let Some(b) = start {
        *groups.get_mut(n)? = &s[b..];
        n += 1;
    }
    Some((groups, n))
}

fn parse_ymd(s: &str) -> Option<NaiveDate> {
    let (g, n) = digit_groups(s)?;
    match &g[..n] {
        [all] if all.len() == 8 => ymd(
            all[0..4].parse().ok()?,
            all[4..6].parse().ok()?,
            all[6..8].parse().ok()?,
        ),
        [y, m, d] if y.len() == 4 && m.len() <= 2 && d.len() <= 2 => {
            ymd(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
        }
        _ => None,
    }
}

fn parse_wareki(s: &str) -> Option<NaiveDate> {
    let (k, rest) = ERAS.iter().enumerate().find_map(|(k, (name, letter, _))| {
        s.strip_prefix(name).map(|r| (k, r)).or_else(|| {
            let mut cs = s.chars();
            let first = cs.next()?;
            (first.to_ascii_uppercase() == *letter).then_some((k, cs.as_str()))
        })
    })?;
    let rest = rest.trim_start();
    let (year, rest) = match rest.strip_prefix('元') {
        Some(r) => (1, r),
        None => {
            let end = rest
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(rest.len());
            (rest[..end].parse::<i32>().ok()?, &rest[end..])
        }
    };
    let (g, n) = digit_groups(rest)?;
    let [m, d] = &g[..n] else { return None };
    if year < 1 || m.len() > 2 || d.len() > 2 {
        return None;
    }
    let (_, _, (y0, m0, d0)) = ERAS[k];
    let date = ymd(y0 + year - 1, m.parse().ok()?, d.parse().ok()?)?;
    let first = ymd(y0, m0, d0)?;
    let next = ERAS
        .get(k + 1)
        .and_then(|(_, _, (y, m, d))| ymd(*y, *m, *d));
    (date >= first && next.is_none_or(|n| date < n)).then_some(date)
}

fn parse_odata(s: &str) -> Option<NaiveDate> {
    let inner = s.strip_prefix("/Date(")?.strip_suffix(")/")?;
    let end = inner[1..].find(['+', '-']).map_or(inner.len(), |i| i + 1);
    let ms: i64 = inner[..end].parse().ok()?;
    chrono::DateTime::from_timestamp_millis(ms).map(|t| t.date_naive())
}

/// An Excel serial day number as a date, in the 1900 date system (with
/// Excel's phantom 1900-02-29 at serial 60) or, when `date1904`, the 1904
/// system.
pub(crate) fn excel_serial(serial: f64, date1904: bool) -> Option<NaiveDate> {
    if !serial.is_finite() || !(1.0..=2_958_465.0).contains(&serial) {
        return None;
    }
    let days = serial.floor() as u64;
    if date1904 {
        return ymd(1904, 1, 1)?.checked_add_days(Days::new(days));
    }
    match days {
        60 => None,
        d if d < 60 => ymd(1899, 12, 31)?.checked_add_days(Days::new(d)),
        d => ymd(1899, 12, 30)?.checked_add_days(Days::new(d)),
    }
}

/// What [`parse_date`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DateValue {
    /// A date.
    Date(NaiveDate),
    /// One of the configured end-of-time dates: no end.
    Open,
}

/// Parses a (folded) date in any of `forms`; `end_of_time` dates give
/// [`DateValue::Open`].
pub(crate) fn parse_date(
    s: &str,
    forms: &[DateForm],
    end_of_time: &[NaiveDate],
) -> Result<DateValue, String> {
    for form in forms {
        let d = match form {
            DateForm::Ymd => parse_ymd(s),
            DateForm::Wareki => parse_wareki(s),
            DateForm::OData => parse_odata(s),
            DateForm::Excel => s.parse::<f64>().ok().and_then(|v| excel_serial(v, false)),
            DateForm::Chrono(_, items) => {
                let mut parsed = chrono::format::Parsed::new();
                chrono::format::parse(&mut parsed, s, items.iter())
                    .ok()
                    .and_then(|_| parsed.to_naive_date().ok())
            }
        };
        if let Some(d) = d {
            return Ok(if end_of_time.contains(&d) {
                DateValue::Open
            } else {
                DateValue::Date(d)
            });
        }
    }
    Err(format!(
        "a date in one of the forms {}",
        forms
            .iter()
            .map(|f| match f {
                DateForm::Ymd => "ymd (2024-04-01, 2024/4/1, 20240401, 2024年4月1日)".to_string(),
                DateForm::Wareki => "wareki (令和6年4月1日, R6.4.1)".to_string(),
                DateForm::OData => "odata (/Date(ms)/)".to_string(),
                DateForm::Excel => "excel (a serial day number)".to_string(),
                DateForm::Chrono(f, _) => f.clone(),
            })
            .collect::<Vec<_>>()
            .join(", ")
    ))
}

/// Parses a (folded) number: digits with an optional sign and decimal
/// point, `,` as a thousands separator.
pub(crate) fn parse_number(s: &str) -> Option<f64> {
    short_decimal(s).or_else(|| any_number(s))
}

/// The common case of [`parse_number`] without copying the digits out: an
/// optional sign, 1–15 digits (before the point, in groups of three when
/// `,` separates them) and, after a point, at least one digit. `None`
/// when `s` is anything else (then [`any_number`] decides).
///
/// The value is `m / 10^k` with `m` the digits as an integer and `k` how
/// many follow the point: both are exact in an `f64` (`m < 10^15 < 2^53`,
/// `k ≤ 15`), and a division of exact operands is rounded correctly, so
/// this is the nearest `f64` to the decimal, as `str::parse` gives.
fn short_decimal(s: &str) -> Option<f64> {
    let b = s.as_bytes();
    let (neg, mut i) = match b.first()? {
        b'-' => (true, 1),
        b'+' => (false, 1),
        _ => (false, 0),
    };
    let (mut m, mut digits, mut k) = (0u64, 0u32, 0i32);
    // the integer part: plain digits, or groups of three after a first
    // group of one to three
    let mut group = 0;
    let mut grouped = false;
    while let Some(&c) = b.get(i) {
        match c {
            b'0'..=b'9' => {
                m = m * 10 + u64::from(c - b'0');
                digits += 1;
                group += 1;
                if digits > 15 || (grouped && group > 3) {
                    return None;
                }
            }
            b',' => {
                if group == 0 || group > 3 || (grouped && group != 3) {
                    return None;
                }
                grouped = true;
                group = 0;
            }
            _ => break,
        }
        i += 1;
    }
    if group == 0 || (grouped && group != 3) {
        return None;
    }
    if let Some(b'.') = b.get(i) {
        i += 1;
        while let Some(&c) = b.get(i) {
            if !c.is_ascii_digit() {
                return None;
            }
            m = m * 10 + u64::from(c - b'0');
            digits += 1;
            k += 1;
            if digits > 15 {
                return None;
            }
            i += 1;
        }
        if k == 0 {
            return None;
        }
    }
    if i != b.len() {
        return None;
    }
    let v = m as f64 / 10f64.powi(k);
    Some(if neg { -v } else { v })
}

/// [`parse_number`] of any text (see [`short_decimal`] for the common case).
fn any_number(s: &str) -> Option<f64> {
    // the digits without separators: on the stack when they fit
    let mut stack = [0u8; 48];
    let mut len = 0;
    let mut heap = String::new();
    let mut put = |t: &str| {
        if heap.is_empty() && len + t.len() <= stack.len() {
            stack[len..len + t.len()].copy_from_slice(t.as_bytes());
            len += t.len();
        } else {
            if heap.is_empty() {
                heap.push_str(std::str::from_utf8(&stack[..len]).unwrap_or_default());
            }
            heap.push_str(t);
        }
    };
    if s.contains(',') {
        // 1,234,567.5: groups of three after the first
        let (int, frac) = s.split_once('.').unwrap_or((s, ""));
        let mut parts = int.split(',');
        let head = parts.next()?;
        if head.is_empty() || head.trim_start_matches(['-', '+']).len() > 3 {
            return None;
        }
        put(head);
        for p in parts {
            if p.len() != 3 {
                return None;
            }
            put(p);
        }
        if !frac.is_empty() || s.ends_with('.') {
            put(".");
            put(frac);
        }
    }
    let plain: &str = if !s.contains(',') {
        s
    } else if heap.is_empty() {
        // only whole `&str` pieces were copied in: still UTF-8
        std::str::from_utf8(&stack[..len]).ok()?
    } else {
        &heap
    };
    if plain.is_empty()
        || !plain
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | '+'))
    {
        return None;
    }
    plain.parse::<f64>().ok().filter(|v| v.is_finite())
}

/// Hours written as `hours.minutes` (freee's 60進数: `1.30` = 1 h 30 min).
pub(crate) fn hours_minutes(v: f64, raw: &str) -> Option<f64> {
    let (h, m) = raw.split_once('.').unwrap_or((raw, "0"));
    let h: f64 = h.parse().ok()?;
    let m: f64 = match m.len() {
        1 => m.parse::<f64>().ok()? * 10.0,
        2 => m.parse().ok()?,
        _ => return None,
    };
    (m < 60.0 && v >= 0.0).then(|| h + m / 60.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(20_000))]
        /// The short path gives what the general one does, to the bit,
        /// whenever it gives anything.
        #[test]
        fn the_short_decimal_path_agrees_with_the_general_one(
            chars in proptest::collection::vec(
                proptest::sample::select(vec![
                    '0', '1', '2', '5', '7', '9', '9', '0', ',', '.', '-', '+', 'e', ' ',
                ]),
                0..22,
            )
        ) {
            let s: String = chars.into_iter().collect();
            if let Some(v) = short_decimal(&s) {
                proptest::prop_assert_eq!(
                    Some(v.to_bits()),
                    any_number(&s).map(f64::to_bits),
                    "{:?}",
                    s
                );
            }
        }
    }

    #[test]
    fn the_short_decimal_path_takes_the_common_numbers() {
        for (s, v) in [
            ("0", 0.0f64),
            ("-0", -0.0),
            ("40", 40.0),
            ("0.8", 0.8),
            ("+37.5", 37.5),
            ("4,260,000", 4_260_000.0),
            ("-1,234.05", -1234.05),
            ("999999999999999", 999_999_999_999_999.0),
            ("0.00000000000001", 1e-14),
        ] {
            assert_eq!(short_decimal(s).map(f64::to_bits), Some(v.to_bits()), "{s}");
            assert_eq!(any_number(s).map(f64::to_bits), Some(v.to_bits()), "{s}");
        }
        // the rest goes to the general path, which decides
        for s in [
            "",
            "-",
            "1.",
            ".5",
            "1,23",
            "12,3456",
            "1,,234",
            ",123",
            "1234567890123456",
            "1e3",
            "1.2.3",
        ] {
            assert_eq!(short_decimal(s), None, "{s}");
        }
        assert_eq!(parse_number("1."), Some(1.0));
        assert_eq!(parse_number(".5"), Some(0.5));
        assert_eq!(
            parse_number("1234567890123456"),
            Some(1_234_567_890_123_456.0)
        );
        assert_eq!(parse_number("1,23"), None);
    }

    fn d(y: i32, m: u32, dd: u32) -> DateValue {
        DateValue::Date(NaiveDate::from_ymd_opt(y, m, dd).unwrap())
    }

    fn all() -> Vec<DateForm> {
        vec![
            DateForm::Ymd,
            DateForm::Wareki,
            DateForm::OData,
            DateForm::parse("%m/%d/%Y").unwrap(),
        ]
    }

    #[test]
    fn every_date_form_gives_the_same_day() {
        let eot = [NaiveDate::from_ymd_opt(9999, 12, 31).unwrap()];
        for s in [
            "2024-04-01",
            "2024/04/01",
            "2024/4/1",
            "2024.04.01",
            "20240401",
            "2024年4月1日",
            "令和6年4月1日",
            "R6.4.1",
            "r06/04/01",
            "R6-4-1",
            "04/01/2024",
            "/Date(1711929600000)/",
            "/Date(1711929600000+0000)/",
        ] {
            assert_eq!(parse_date(s, &all(), &eot), Ok(d(2024, 4, 1)), "{s}");
        }
        // full width and the era square, after folding
        for s in ["２０２４／０４／０１", "㋿６年４月１日", "Ｒ６．４．１"] {
            assert_eq!(parse_date(&fold(s), &all(), &eot), Ok(d(2024, 4, 1)), "{s}");
        }
        assert_eq!(parse_date("H31/4/30", &all(), &eot), Ok(d(2019, 4, 30)));
        assert_eq!(
            parse_date("平成元年1月8日", &all(), &eot),
            Ok(d(1989, 1, 8))
        );
        assert_eq!(
            parse_date("令和元年5月1日", &all(), &eot),
            Ok(d(2019, 5, 1))
        );
        assert_eq!(parse_date("S64.1.7", &all(), &eot), Ok(d(1989, 1, 7)));
        assert_eq!(parse_date("9999-12-31", &all(), &eot), Ok(DateValue::Open));
    }

    #[test]
    fn dates_outside_their_era_or_calendar_are_refused() {
        let f = all();
        for s in [
            "H31.5.1", // Heisei ended on 2019-04-30
            "平成元年1月7日",
            "令和元年4月30日",
            "2024-02-30",
            "2024-13-01",
            "2024/04",
            "24/04/01",
            "2024-04-01x",
            "",
        ] {
            assert!(parse_date(s, &f, &[]).is_err(), "{s}");
        }
    }

    #[test]
    fn excel_serials_by_hand() {
        // 45383 = 2024-04-01 (Excel's DATE(2024,4,1)); 1 = 1900-01-01; 61 = 1900-03-01
        assert_eq!(
            excel_serial(45383.0, false),
            NaiveDate::from_ymd_opt(2024, 4, 1)
        );
        assert_eq!(
            excel_serial(1.0, false),
            NaiveDate::from_ymd_opt(1900, 1, 1)
        );
        assert_eq!(
            excel_serial(61.0, false),
            NaiveDate::from_ymd_opt(1900, 3, 1)
        );
        assert_eq!(excel_serial(60.0, false), None);
        // 1904 system: 43921 = 2024-04-01
        assert_eq!(
            excel_serial(43921.0, true),
            NaiveDate::from_ymd_opt(2024, 4, 1)
        );
        assert_eq!(
            parse_date("45383", &[DateForm::Excel], &[]),
            Ok(d(2024, 4, 1))
        );
    }

    #[test]
    fn numbers_with_separators_and_full_width_digits() {
        assert_eq!(parse_number("4,250,000"), Some(4_250_000.0));
        assert_eq!(parse_number(&fold("３２．５")), Some(32.5));
        assert_eq!(parse_number("-1.5"), Some(-1.5));
        assert_eq!(parse_number("1,23"), None);
        assert_eq!(parse_number("+1,234."), Some(1234.0));
        // 49 characters once the separators are gone: longer than the
        // 48-byte buffer the digits are first copied into
        let long = "123,456,789,012,345,678,901,234,567,890,123,456,789,012,345.125";
        let digits = "123456789012345678901234567890123456789012345.125";
        assert_eq!(
            (long.replace(',', ""), digits.len()),
            (digits.to_string(), 49)
        );
        // Python: float("123456789012345678901234567890123456789012345.125")
        assert_eq!(parse_number(long), Some(1.2345678901234567e44));
        assert_eq!(parse_number(long), digits.parse::<f64>().ok());
        assert_eq!(parse_number("12a"), None);
        assert_eq!(parse_number("NaN"), None);
        assert_eq!(parse_number("inf"), None);
        assert_eq!(hours_minutes(1.30, "1.30"), Some(1.5));
        assert_eq!(hours_minutes(7.45, "7.45"), Some(7.75));
        assert_eq!(hours_minutes(7.75, "7.75"), None);
    }

    #[test]
    fn headers_match_across_case_width_and_separators() {
        assert_eq!(fold_header("Event_Reason"), "event reason");
        assert_eq!(fold_header("ＥＶＥＮＴ－ＲＥＡＳＯＮ"), "event reason");
        assert_eq!(fold_header("\u{FEFF}社員番号 "), "社員番号");
    }
}
