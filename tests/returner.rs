//! A returner's own page, on the bundled samples: her values as her rows
//! in `events.csv` give them (worked out by hand below), peer figures only
//! where at least `min_group_size` peers stand behind them, and no one
//! else's id, manager or department anywhere on the page.

use mommytrack::config::Config;
use mommytrack::{report, Analysis, Dataset, Error, ValidConfig};

fn page_with(min: usize, id: &str) -> Result<String, Error> {
    let mut c = Config::default();
    c.privacy.min_group_size = min;
    let config: ValidConfig = c.validate().unwrap();
    let data = Dataset::builder(&config)
        .from_paths("data-samples/employees.csv", "data-samples/events.csv")
        .unwrap();
    let analysis = Analysis::run(&data, &config);
    report::returner_page(&data, &config, &analysis, id)
}

fn strip(s: &str) -> String {
    let mut out = String::new();
    let mut tag = false;
    for c in s.chars() {
        match c {
            '<' => tag = true,
            '>' => tag = false,
            c if !tag => out.push(c),
            _ => {}
        }
    }
    out
}

/// Each table on the page: its caption, and its body rows as cell texts.
fn tables(html: &str) -> Vec<(String, Vec<Vec<String>>)> {
    html.split("<table>")
        .skip(1)
        .map(|t| {
            let t = t.split("</table>").next().unwrap();
            let caption = t.split_once("<caption>").map_or(String::new(), |(_, c)| {
                strip(c.split("</caption>").next().unwrap())
            });
            let rows = t
                .split("<tr>")
                .skip(1)
                .map(|tr| {
                    let tr = tr.split("</tr>").next().unwrap();
                    tr.split("<td>")
                        .skip(1)
                        .map(|td| strip(td.split("</td>").next().unwrap()))
                        .collect::<Vec<String>>()
                })
                .filter(|r| !r.is_empty())
                .collect();
            (caption, rows)
        })
        .collect()
}

/// On `date`: the number of peers employed, then `(her, peers)` for
/// grade, responsibility, hours a week, regular, pay index and rating.
fn on(html: &str, date: &str) -> (String, Vec<(String, String)>) {
    let t = tables(html);
    let i = t[0]
        .1
        .iter()
        .position(|r| r[1] == date)
        .unwrap_or_else(|| panic!("no row for {date}"));
    let peers = t[0].1[i][2].clone();
    let names = [
        "grade",
        "responsibility",
        "hours a week",
        "regular",
        "pay index",
        "rating",
    ];
    let values = names
        .iter()
        .map(|n| {
            let (_, rows) = t
                .iter()
                .find(|(c, _)| c == n)
                .unwrap_or_else(|| panic!("no {n} table"));
            (rows[i][1].clone(), rows[i][2].clone())
        })
        .collect();
    (peers, values)
}

/// Her values on `date`, in the order of [`on`].
fn hers(html: &str, date: &str) -> Vec<String> {
    on(html, date).1.into_iter().map(|v| v.0).collect()
}

#[test]
fn her_values_are_her_records() {
    // E000001 (events.csv): grade 1, responsibility 1, 40 hours, regular;
    // maternity leave from 2016-05-23, parental leave to 2017-09-10, when
    // she moved to 30 hours at her own request; salary 3,857,159 from
    // 2016-04-01, 3,918,874 from 2018-04-01, 4,125,305 from 2020-04-01,
    // 4,211,936 from 2021-04-01; ratings 2 on 2016-03-31 and 2020-03-31,
    // 3 on 2021-03-31.
    let html = page_with(5, "E000001").unwrap();
    // The day before the leave.
    assert_eq!(hers(&html, "2016-05-22"), ["1", "1", "40", "1", "100", "2"]);
    // The return date: 30 hours from that day, the same pay.
    assert_eq!(hers(&html, "2017-09-10"), ["1", "1", "30", "1", "100", "2"]);
    // Three years after: 4,125,305 / 3,857,159 = 106.95 %.
    assert_eq!(hers(&html, "2020-09-10"), ["1", "1", "30", "1", "107", "2"]);
    // Four years after: 4,211,936 / 3,857,159 = 109.2 %, rated 3.
    assert_eq!(hers(&html, "2021-09-10"), ["1", "1", "30", "1", "109", "3"]);
    // Her flag, with its evidence.
    assert!(html.contains("prolonged reduced hours"));
    assert!(html.contains("hours 40 → 30 still 36 months after return"));
}

#[test]
fn peer_figures_rest_on_at_least_the_minimum_group() {
    for min in [3, 5] {
        let html = page_with(min, "E000001").unwrap();
        let dates: Vec<String> = tables(&html)[0].1.iter().map(|r| r[1].clone()).collect();
        let mut shown = 0;
        for d in &dates {
            let (n, values) = on(&html, d);
            if values.iter().any(|v| v.1 != "—") {
                let n: usize = n.parse().unwrap_or_else(|_| panic!("{d}: {n}"));
                assert!(n >= min, "{d}: {n} peers");
                shown += 1;
            }
        }
        assert!(shown >= 7, "min {min}: {shown} dates with peer figures");
    }
    // She has 5 matched peers: with a minimum of 6, no peer figure at all.
    let html = page_with(6, "E000001").unwrap();
    let dates: Vec<String> = tables(&html)[0].1.iter().map(|r| r[1].clone()).collect();
    for d in &dates {
        assert!(on(&html, d).1.iter().all(|v| v.1 == "—"), "{d}");
    }
    assert!(html.contains("Fewer than 6 matched peers"));
}

#[test]
fn the_page_names_no_one_else() {
    let html = page_with(5, "E000001").unwrap();
    // Every word of the page, markup included.
    let words: std::collections::HashSet<&str> = html
        .split(|c: char| !c.is_alphanumeric() && c != '_')
        .filter(|w| !w.is_empty())
        .collect();
    let employees = std::fs::read_to_string("data-samples/employees.csv").unwrap();
    let events = std::fs::read_to_string("data-samples/events.csv").unwrap();
    let mut checked = 0;
    for line in employees.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        if f[0] != "E000001" {
            assert!(!words.contains(f[0]), "{} on her page", f[0]);
            checked += 1;
        }
        // Departments and managers are not on it either.
        assert!(
            f[6].is_empty() || !words.contains(f[6]),
            "department {}",
            f[6]
        );
        assert!(
            f[10].is_empty() || !words.contains(f[10]),
            "manager {}",
            f[10]
        );
    }
    for line in events.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        assert!(f[8].is_empty() || !words.contains(f[8]), "manager {}", f[8]);
        assert!(
            f[7].is_empty() || !words.contains(f[7]),
            "department {}",
            f[7]
        );
    }
    assert_eq!(checked, 299);
    assert!(words.contains("E000001"));
}

#[test]
fn no_page_without_a_return_from_childcare_leave() {
    assert!(matches!(
        page_with(5, "nobody"),
        Err(Error::NoReturn { .. })
    ));
    // The first man in the samples with no leave at all.
    let employees = std::fs::read_to_string("data-samples/employees.csv").unwrap();
    let events = std::fs::read_to_string("data-samples/events.csv").unwrap();
    let never = employees
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap())
        .find(|id| {
            !events
                .lines()
                .any(|l| l.starts_with(&format!("{id},")) && l.contains("leave_start"))
        })
        .unwrap();
    assert!(matches!(page_with(5, never), Err(Error::NoReturn { .. })));
}
