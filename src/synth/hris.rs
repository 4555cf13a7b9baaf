//! Generated data as HR systems export it: an SAP-style effective-dated
//! job history with separate compensation, rating, leave and dependents
//! files; a Japanese HR service's CP932 CSV files; a monthly headcount
//! snapshot series. Each comes with the mapping file that imports it
//! ([`crate::import`]), so the three shapes are reproducible from a seed.

use super::Synthetic;
use crate::schema::{EmployeeRow, EventRow};
use chrono::{Datelike, Days, NaiveDate};
use std::collections::BTreeMap;
use std::path::Path;

/// Export files and the mapping that reads them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HrisExport {
    /// (file name, bytes), in the order the mapping names them.
    pub files: Vec<(String, Vec<u8>)>,
    /// The mapping file (TOML) for these files, as `mapping.toml`.
    pub mapping: String,
}

impl HrisExport {
    /// Writes the files and `mapping.toml` into `dir`.
    pub fn write(&self, dir: &Path) -> std::io::Result<()> {
        std::fs::create_dir_all(dir)?;
        for (name, bytes) in &self.files {
            std::fs::write(dir.join(name), bytes)?;
        }
        std::fs::write(dir.join("mapping.toml"), &self.mapping)
    }
}

/// The state an export row carries.
#[derive(Debug, Clone, Default, PartialEq)]
struct S {
    grade: String,
    responsibility: String,
    track: String,
    department: String,
    manager: String,
    employment: String,
    hours: String,
    salary: String,
}

impl S {
    fn at_hire(e: &EmployeeRow) -> S {
        S {
            grade: e.grade.clone(),
            responsibility: e.responsibility.clone(),
            track: e.track.clone(),
            department: e.department.clone(),
            manager: e.manager_id.clone(),
            employment: e.employment_type.clone(),
            hours: e.weekly_hours.clone(),
            salary: e.salary.clone(),
        }
    }

    fn apply(&mut self, e: &EventRow) {
        let set = |slot: &mut String, v: &String| {
            if !v.is_empty() {
                *slot = v.clone();
            }
        };
        set(&mut self.grade, &e.grade);
        set(&mut self.responsibility, &e.responsibility);
        set(&mut self.track, &e.track);
        set(&mut self.department, &e.department);
        set(&mut self.manager, &e.manager_id);
        set(&mut self.employment, &e.employment_type);
        set(&mut self.hours, &e.weekly_hours);
        set(&mut self.salary, &e.salary);
    }
}

/// One record of an employee's job history.
#[derive(Debug, Clone)]
enum Step {
    Hire,
    /// A contract event that changes the job or contract.
    Change {
        event: String,
        initiated_by: String,
        demotion: bool,
        transfer: bool,
    },
    LeaveEnd,
    LeaveStart(String),
    Exit,
}

/// An employee's history as the steps a job-history export records, each
/// with the state after it; a day's steps in the contract's order.
struct Walk<'a> {
    employee: &'a EmployeeRow,
    /// Her hire date and exit date, read once.
    hire: NaiveDate,
    exit: Option<NaiveDate>,
    steps: Vec<(NaiveDate, Step, S)>,
    salaries: Vec<(NaiveDate, String)>,
    ratings: Vec<(NaiveDate, String)>,
    births: Vec<NaiveDate>,
    /// (type, start, first day back)
    leaves: Vec<(String, NaiveDate, Option<NaiveDate>)>,
}

/// A spouse's birth date when the employee's own is unknown.
const SPOUSE_BORN: NaiveDate = match NaiveDate::from_ymd_opt(1980, 1, 1) {
    Some(d) => d,
    None => NaiveDate::MIN,
};

/// A row of the population that an export cannot write: a date that is
/// not `YYYY-MM-DD` (the generator writes none; a hand-built
/// [`Synthetic`] may).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{table} row of employee {employee_id}: {column} is {value:?}; expected a date YYYY-MM-DD")]
pub struct ExportError {
    /// `employees` or `events`.
    pub table: &'static str,
    /// The row's employee.
    pub employee_id: String,
    /// The column.
    pub column: &'static str,
    /// The value found.
    pub value: String,
}

fn date(
    s: &str,
    table: &'static str,
    employee_id: &str,
    column: &'static str,
) -> Result<NaiveDate, ExportError> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| ExportError {
        table,
        employee_id: employee_id.to_string(),
        column,
        value: s.to_string(),
    })
}

fn walks(data: &Synthetic) -> Result<Vec<Walk<'_>>, ExportError> {
    let mut by: BTreeMap<&str, Vec<&EventRow>> = BTreeMap::new();
    for e in &data.events {
        by.entry(e.employee_id.as_str()).or_default().push(e);
    }
    data.employees
        .iter()
        .map(|emp| {
            let id = emp.employee_id.as_str();
            let hire = date(&emp.hire_date, "employees", id, "hire_date")?;
            let exit = (!emp.exit_date.is_empty())
                .then(|| date(&emp.exit_date, "employees", id, "exit_date"))
                .transpose()?;
            let mut st = S::at_hire(emp);
            let mut w = Walk {
                employee: emp,
                hire,
                exit,
                steps: vec![(hire, Step::Hire, st.clone())],
                salaries: vec![(hire, emp.salary.clone())],
                ratings: vec![],
                births: vec![],
                leaves: vec![],
            };
            let mut events = by.remove(emp.employee_id.as_str()).unwrap_or_default();
            let rank = |e: &EventRow| match e.event.as_str() {
                "leave_end" => 0,
                "leave_start" => 2,
                _ => 1,
            };
            events.sort_by(|a, b| (&a.date, rank(a)).cmp(&(&b.date, rank(b))));
            for e in events {
                let d = date(&e.date, "events", id, "date")?;
                match e.event.as_str() {
                    "evaluation" => w.ratings.push((d, e.rating.clone())),
                    "child_birth" => w.births.push(d),
                    "salary_change" => {
                        st.apply(e);
                        w.salaries.push((d, st.salary.clone()));
                    }
                    "leave_start" => {
                        w.leaves.push((e.leave_type.clone(), d, None));
                        w.steps
                            .push((d, Step::LeaveStart(e.leave_type.clone()), st.clone()));
                    }
                    "leave_end" => {
                        if let Some(l) = w.leaves.last_mut() {
                            l.2 = Some(d);
                        }
                        w.steps.push((d, Step::LeaveEnd, st.clone()));
                    }
                    _ => {
                        let before = st.clone();
                        st.apply(e);
                        if e.salary.is_empty() && before.salary != st.salary {
                            w.salaries.push((d, st.salary.clone()));
                        }
                        let num = |s: &str| s.parse::<f64>().unwrap_or(0.0);
                        w.steps.push((
                            d,
                            Step::Change {
                                event: e.event.clone(),
                                initiated_by: e.initiated_by.clone(),
                                demotion: num(&st.grade) < num(&before.grade)
                                    || num(&st.responsibility) < num(&before.responsibility),
                                transfer: st.department != before.department,
                            },
                            st.clone(),
                        ));
                        if !e.salary.is_empty() {
                            w.salaries.push((d, st.salary.clone()));
                        }
                    }
                }
            }
            if let Some(x) = exit {
                w.steps.push((x, Step::Exit, st.clone()));
            }
            Ok(w)
        })
        .collect()
}

fn csv_bytes(header: &[&str], rows: &[Vec<String>]) -> Vec<u8> {
    csv_bytes_as(header, rows, csv_core::Terminator::Any(b'\n'), |s| {
        s.as_bytes().into()
    })
}

/// The rows as CSV, each record ended by `terminator`, each field written
/// as `encode` gives its bytes. Written with csv-core's writer (the one
/// `csv::Writer` wraps, with the same defaults: quotes where needed,
/// doubled inside), which writes into a buffer and cannot fail: records
/// of any width, no I/O.
fn csv_bytes_as(
    header: &[&str],
    rows: &[Vec<String>],
    terminator: csv_core::Terminator,
    encode: impl Fn(&str) -> std::borrow::Cow<'_, [u8]>,
) -> Vec<u8> {
    use csv_core::WriteResult;
    let mut w = csv_core::WriterBuilder::new()
        .terminator(terminator)
        .build();
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    // Runs `step` into the buffer until its input is written, keeping what
    // each run wrote.
    let mut drain = |out: &mut Vec<u8>, step: &mut dyn FnMut(&mut [u8]) -> (WriteResult, usize)| loop {
        let (result, n) = step(&mut buf);
        out.extend_from_slice(&buf[..n]);
        if result == WriteResult::InputEmpty {
            break;
        }
    };
    let records = std::iter::once(header.iter().map(|h| encode(h)).collect::<Vec<_>>())
        .chain(rows.iter().map(|r| r.iter().map(|f| encode(f)).collect()));
    for record in records {
        for (i, field) in record.iter().enumerate() {
            if i > 0 {
                drain(&mut out, &mut |b| w.delimiter(b));
            }
            let mut input: &[u8] = field;
            drain(&mut out, &mut |b| {
                let (result, read, written) = w.field(input, b);
                input = &input[read..];
                (result, written)
            });
        }
        drain(&mut out, &mut |b| w.terminator(b));
    }
    out
}

fn hash(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ b as u64).wrapping_mul(0x100_0000_01b3)
    })
}

/// A birth date in the birth year, the same for the same id.
fn birth_date(e: &EmployeeRow) -> Option<NaiveDate> {
    let y: i32 = e.birth_year.parse().ok()?;
    let h = hash(&e.employee_id);
    NaiveDate::from_ymd_opt(y, 1 + (h % 12) as u32, 1 + ((h / 12) % 28) as u32)
}

const TITLES: [&str; 10] = [
    "Associate",
    "Team Lead",
    "Manager",
    "Senior Manager",
    "Director",
    "Senior Director",
    "Vice President",
    "Senior Vice President",
    "Executive Vice President",
    "Chief Officer",
];

fn grades(data: &Synthetic) -> Vec<u32> {
    let mut g: Vec<u32> = data
        .employees
        .iter()
        .map(|e| e.grade.as_str())
        .chain(data.events.iter().map(|e| e.grade.as_str()))
        .filter_map(|g| g.parse().ok())
        .collect();
    g.sort_unstable();
    g.dedup();
    g
}

fn sap_leave(t: &str) -> (&'static str, &'static str) {
    // (time type in the leave file, event reason of the LOA job row)
    match t {
        "maternity" => ("MAT", "LOA_MAT"),
        "paternity" => ("PAT", "LOA_PAT"),
        "parental" => ("PAR", "LOA_PAR"),
        "medical" => ("SICK", "LOA_SICK"),
        "family_care" => ("FAMC", "LOA_FAMC"),
        _ => ("OTH", "LOA_OTH"),
    }
}

fn sap_class(t: &str) -> (&'static str, &'static str) {
    match t {
        "regular" => ("1", "R"),
        "fixed_term" => ("1", "T"),
        "part_time" => ("2", "R"),
        "dispatched" => ("4", "T"),
        _ => ("9", "R"),
    }
}

fn us_date(d: NaiveDate) -> String {
    d.format("%m/%d/%Y").to_string()
}

fn odata(d: NaiveDate) -> String {
    let ms = d
        .and_time(chrono::NaiveTime::MIN)
        .and_utc()
        .timestamp_millis();
    format!("/Date({ms})/")
}

fn with_commas(v: &str) -> String {
    let (int, frac) = v.split_once('.').unwrap_or((v, ""));
    let mut out = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if !frac.is_empty() {
        out.push('.');
        out.push_str(frac);
    }
    out
}

/// An SAP SuccessFactors-style export: `per_person.csv` (the master: gender,
/// birth date in OData form), `job_information.csv` (effective-dated job
/// rows with two header rows, US dates, `seq-number` for several records on
/// one day, event / event-reason codes, `emplStatus`, pay grades, job
/// titles, employee class × regular/temporary, FTE, and planted
/// corrections: a wrong row and its correction with the same date and
/// sequence, the later `last-modified-on` winning), `compensation.csv`
/// (annual salary with thousands separators), `performance.csv` (letter
/// ratings S–D), `employee_time.csv` (leave records, end = last day,
/// open leaves ending 12/31/9999) and `dependents.csv` (children and
/// spouses).
pub fn sap(data: &Synthetic) -> Result<HrisExport, ExportError> {
    let walks = walks(data)?;
    let mut person = Vec::new();
    let mut job = Vec::new();
    let mut corrections = Vec::new();
    let mut comp = Vec::new();
    let mut perf = Vec::new();
    let mut time = Vec::new();
    let mut deps = Vec::new();
    for (k, w) in walks.iter().enumerate() {
        let e = w.employee;
        let id = &e.employee_id;
        person.push(vec![
            id.clone(),
            match e.gender.as_str() {
                "X" => "O".to_string(),
                g => g.to_string(),
            },
            birth_date(e).map(odata).unwrap_or_default(),
        ]);
        let mut seq: BTreeMap<NaiveDate, u32> = BTreeMap::new();
        let mut status = "A";
        let mut corrected = false;
        for (d, step, st) in &w.steps {
            let (day, event, reason) = match step {
                Step::Hire => (*d, "H", "HIR_NEW".to_string()),
                Step::LeaveEnd => {
                    status = "A";
                    (*d, "23", "RTW".to_string())
                }
                Step::LeaveStart(t) => {
                    status = if t == "medical" { "P" } else { "U" };
                    (*d, "10", sap_leave(t).1.to_string())
                }
                Step::Exit => {
                    status = "T";
                    let reason = match e.exit_reason.as_str() {
                        "voluntary" => "TER_RESIGN",
                        "involuntary" => "TER_DISMISS",
                        "retirement" => "TER_RETIRE",
                        _ => "TER_OTHER",
                    };
                    (
                        d.checked_add_days(Days::new(1)).unwrap_or(*d),
                        "26",
                        reason.to_string(),
                    )
                }
                Step::Change {
                    event,
                    initiated_by,
                    demotion,
                    transfer,
                } => {
                    let who = match initiated_by.as_str() {
                        "employer" => "ORG",
                        "employee" => "REQ",
                        _ => "OTH",
                    };
                    match event.as_str() {
                        "promotion" => (*d, "8", "PRM_MERIT".to_string()),
                        "employment_change" => (*d, "5", format!("CNV_{who}")),
                        "hours_change" => (*d, "5", format!("HRS_{who}")),
                        _ if *demotion => (*d, "4", format!("DEM_{who}")),
                        _ if *transfer => (*d, "6", format!("TRN_{who}")),
                        _ => (*d, "5", format!("DC_{who}")),
                    }
                }
            };
            let s = seq.entry(day).or_insert(0);
            *s += 1;
            let (class, regtemp) = sap_class(&st.employment);
            let fte = st.hours.parse::<f64>().map(|h| h / 40.0).unwrap_or(1.0);
            let grade: u32 = st.grade.parse().unwrap_or(0);
            let resp: usize = st.responsibility.parse().unwrap_or(0);
            let row = |grade: u32, modified: &str| {
                vec![
                    id.clone(),
                    us_date(day),
                    "12/31/9999".to_string(),
                    s.to_string(),
                    event.to_string(),
                    reason.clone(),
                    status.to_string(),
                    format!("GR{grade:02}"),
                    TITLES[resp.min(9)].to_string(),
                    st.track.clone(),
                    st.department.clone(),
                    st.manager.clone(),
                    class.to_string(),
                    regtemp.to_string(),
                    format!("{fte}"),
                    modified.to_string(),
                ]
            };
            let modified = format!("{}T09:00:00Z", day.format("%Y-%m-%d"));
            // every 20th employee's first promotion was first keyed with the
            // wrong pay grade and corrected a week later
            if !corrected && event == "8" && k % 20 == 3 {
                corrected = true;
                let later = format!("{}T15:30:00Z", (day + Days::new(7)).format("%Y-%m-%d"));
                job.push(row(grade + 1, &modified));
                corrections.push(row(grade, &later));
            } else {
                job.push(row(grade, &modified));
            }
        }
        for (d, v) in &w.salaries {
            if v.is_empty() {
                continue;
            }
            comp.push(vec![
                id.clone(),
                d.to_string(),
                "1".into(),
                "ANNUAL_SAL".into(),
                with_commas(v),
                "JPY".into(),
            ]);
        }
        for (d, r) in &w.ratings {
            let letter = match r.as_str() {
                "5" => "S",
                "4" => "A",
                "3" => "B",
                "2" => "C",
                _ => "D",
            };
            perf.push(vec![
                id.clone(),
                d.to_string(),
                letter.into(),
                "Annual review".into(),
            ]);
        }
        for (t, s, back) in &w.leaves {
            time.push(vec![
                id.clone(),
                sap_leave(t).0.into(),
                s.to_string(),
                back.map_or("9999-12-31".to_string(), |b| {
                    b.pred_opt().unwrap_or(b).to_string()
                }),
                back.map(|b| b.to_string()).unwrap_or_default(),
            ]);
        }
        for (i, b) in w.births.iter().enumerate() {
            deps.push(vec![
                id.clone(),
                "child".into(),
                b.to_string(),
                format!("{}", i + 1),
            ]);
        }
        if !w.births.is_empty() && k % 2 == 0 {
            let spouse = birth_date(e).unwrap_or(SPOUSE_BORN);
            deps.push(vec![
                id.clone(),
                "spouse".into(),
                spouse.to_string(),
                "0".into(),
            ]);
        }
    }
    job.extend(corrections);
    let job_header = [
        "user-id",
        "start-date",
        "end-date",
        "seq-number",
        "event",
        "event-reason",
        "emplStatus",
        "pay-grade",
        "job-title",
        "custom-string1",
        "department",
        "manager-id",
        "employee-class",
        "regular-temp",
        "fte",
        "last-modified-on",
    ];
    let labels = [
        "User ID",
        "Event Date",
        "End Date",
        "Sequence Number",
        "Event",
        "Event Reason",
        "Employee Status",
        "Pay Grade",
        "Job Title",
        "Career Track",
        "Department",
        "Supervisor",
        "Employee Class",
        "Regular/Temporary",
        "FTE",
        "Last Modified On",
    ];
    let mut job_rows = vec![labels.iter().map(|s| s.to_string()).collect::<Vec<_>>()];
    job_rows.extend(job);
    let files = vec![
        (
            "per_person.csv".to_string(),
            csv_bytes(&["person-id-external", "gender", "date-of-birth"], &person),
        ),
        (
            "job_information.csv".to_string(),
            csv_bytes(&job_header, &job_rows),
        ),
        (
            "compensation.csv".to_string(),
            csv_bytes(
                &[
                    "user-id",
                    "start-date",
                    "seq-number",
                    "pay-component",
                    "paycompvalue",
                    "currency-code",
                ],
                &comp,
            ),
        ),
        (
            "performance.csv".to_string(),
            csv_bytes(&["user-id", "review-date", "rating", "form-title"], &perf),
        ),
        (
            "employee_time.csv".to_string(),
            csv_bytes(
                &[
                    "user-id",
                    "time-type",
                    "start-date",
                    "end-date",
                    "loa-actual-return-date",
                ],
                &time,
            ),
        ),
        (
            "dependents.csv".to_string(),
            csv_bytes(
                &[
                    "user-id",
                    "relationship-type",
                    "date-of-birth",
                    "child-number",
                ],
                &deps,
            ),
        ),
    ];
    let mut grade_codes = String::new();
    for g in grades(data) {
        grade_codes.push_str(&format!("GR{g:02} = {g}\n"));
    }
    let mut title_codes = String::new();
    for (i, t) in TITLES.iter().enumerate() {
        title_codes.push_str(&format!("{t:?} = {i}\n"));
    }
    let mapping = format!(
        r#"# SAP SuccessFactors-style export of the bundled sample population.
# Read with: cargo run --release --example analyze -- --mapping data-samples/hris/sap/mapping.toml

[settings]
# job_information.csv writes US dates, the other files ISO dates, the
# master OData dates.
dates = ["%m/%d/%Y", "ymd", "odata"]
end_of_time = ["9999-12-31"]
full_time_hours = 40

[master]
file = "per_person.csv"
[master.columns]
employee_id = "person-id-external"
gender = "gender"
birth_date = "date-of-birth"
[master.codes.gender]
F = "F"
M = "M"
O = "X"
U = "U"

[[history]]
file = "job_information.csv"
skip_rows = 1                # the second header row (labels)
blank = "unchanged"
exit_date_is = "day_after"   # a termination row is dated the day after the last day
[history.columns]
employee_id = "user-id"
date = "start-date"
sequence = "seq-number"
modified = "last-modified-on"
event = ["event", "event-reason"]
status = "emplStatus"
grade = "pay-grade"
responsibility = "job-title"
track = "custom-string1"
department = "department"
manager_id = "manager-id"
employment_type = ["employee-class", "regular-temp"]
fte = "fte"
[history.codes.event]
"H|*" = "hire"
"8|*" = "promotion"
"26|TER_RESIGN" = {{ kind = "exit", exit_reason = "voluntary" }}
"26|TER_DISMISS" = {{ kind = "exit", exit_reason = "involuntary" }}
"26|TER_RETIRE" = {{ kind = "exit", exit_reason = "retirement" }}
"26|TER_OTHER" = {{ kind = "exit", exit_reason = "other" }}
"10|*" = "ignore"            # leaves come from employee_time.csv
"23|*" = "ignore"
"4|DEM_ORG" = {{ kind = "change", initiated_by = "employer" }}
"4|DEM_REQ" = {{ kind = "change", initiated_by = "employee" }}
"5|DC_ORG" = {{ kind = "change", initiated_by = "employer" }}
"5|DC_REQ" = {{ kind = "change", initiated_by = "employee" }}
"5|DC_OTH" = "change"
"5|CNV_ORG" = {{ kind = "change", initiated_by = "employer" }}
"5|CNV_REQ" = {{ kind = "change", initiated_by = "employee" }}
"5|CNV_OTH" = "change"
"5|HRS_ORG" = {{ kind = "change", initiated_by = "employer" }}
"5|HRS_REQ" = {{ kind = "change", initiated_by = "employee" }}
"5|HRS_OTH" = "change"
"6|TRN_ORG" = {{ kind = "change", initiated_by = "employer" }}
"6|TRN_REQ" = {{ kind = "change", initiated_by = "employee" }}
"6|TRN_OTH" = "change"
"4|DEM_OTH" = "change"
[history.codes.status]
A = "active"
U = "leave"
P = "leave"
T = "exit"
[history.codes.grade]
{grade_codes}[history.codes.responsibility]
{title_codes}[history.codes.employment_type]
"1|R" = "regular"
"1|T" = "fixed_term"
"2|*" = "part_time"
"4|*" = "dispatched"
"9|*" = "other"

[[history]]
file = "compensation.csv"
[history.columns]
employee_id = "user-id"
date = "start-date"
sequence = "seq-number"
salary = "paycompvalue"

[[history]]
file = "performance.csv"
[history.columns]
employee_id = "user-id"
date = "review-date"
rating = "rating"
[history.codes.rating]
S = 5
A = 4
B = 3
C = 2
D = 1

[[leaves]]
file = "employee_time.csv"
end_is = "last_day"
[leaves.columns]
employee_id = "user-id"
leave_type = "time-type"
start = "start-date"
end = "end-date"
[leaves.codes.leave_type]
MAT = "maternity"
PAT = "paternity"
PAR = "parental"
SICK = "medical"
FAMC = "family_care"
OTH = "other"

[[family]]
file = "dependents.csv"
[family.columns]
employee_id = "user-id"
relation = "relationship-type"
birth_date = "date-of-birth"
[family.codes.relation]
child = "child"
spouse = "ignore"
"#
    );
    Ok(HrisExport { files, mapping })
}

/// Japanese eras: (first day, kanji, letter).
const ERAS: [(i32, u32, u32, &str, &str); 4] = [
    (2019, 5, 1, "令和", "R"),
    (1989, 1, 8, "平成", "H"),
    (1926, 12, 25, "昭和", "S"),
    (1912, 7, 30, "大正", "T"),
];

/// `d` in a Japanese era: (kanji, letter, era year).
fn era(d: NaiveDate) -> (&'static str, &'static str, i32) {
    for (y, m, day, kanji, letter) in ERAS {
        if (d.year(), d.month(), d.day()) >= (y, m, day) {
            return (kanji, letter, d.year() - y + 1);
        }
    }
    ("大正", "T", d.year() - 1911)
}

/// `令和6年4月1日` (`元年` for the first year).
fn wareki(d: NaiveDate) -> String {
    let (kanji, _, y) = era(d);
    let year = if y == 1 {
        "元".to_string()
    } else {
        y.to_string()
    };
    format!("{kanji}{year}年{}月{}日", d.month(), d.day())
}

/// ASCII digits as full-width digits.
fn full_width(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '0'..='9' => char::from_u32(c as u32 - '0' as u32 + 0xFF10).unwrap_or(c),
            c => c,
        })
        .collect()
}

/// The date forms a Japanese HR service's files mix, chosen by `k`:
/// `2024/04/01`, `令和6年4月1日`, `R6.4.1`, `20240401`, full-width `２０２４/０４/０１`.
fn jp_date(d: NaiveDate, k: usize) -> String {
    match k % 5 {
        0 => d.format("%Y/%m/%d").to_string(),
        1 => wareki(d),
        2 => {
            let (_, letter, y) = era(d);
            format!("{letter}{y}.{}.{}", d.month(), d.day())
        }
        3 => d.format("%Y%m%d").to_string(),
        _ => full_width(&d.format("%Y/%m/%d").to_string()),
    }
}

/// Bytes as Excel saves a CSV in Japan: CP932, CRLF line ends. Each field
/// is encoded before it is written: no CP932 byte of a two-byte character
/// is a comma, quote or line end, so the CSV quoting is that of the text.
fn cp932_csv(header: &[&str], rows: &[Vec<String>]) -> Vec<u8> {
    csv_bytes_as(header, rows, csv_core::Terminator::CRLF, |s| {
        let (bytes, _, unmappable) = encoding_rs::SHIFT_JIS.encode(s);
        debug_assert!(!unmappable, "every character has a CP932 code");
        bytes
    })
}

const JP_TITLES: [&str; 10] = [
    "一般",
    "主任",
    "係長",
    "課長代理",
    "課長",
    "次長",
    "部長",
    "本部長",
    "執行役員",
    "役員",
];

fn jp_employment(t: &str) -> &'static str {
    match t {
        "regular" => "正社員",
        "fixed_term" => "契約社員",
        "part_time" => "パート",
        "dispatched" => "派遣社員",
        _ => "その他",
    }
}

fn jp_leave(t: &str) -> &'static str {
    match t {
        "maternity" => "産前産後休業",
        "paternity" => "出生時育児休業",
        "parental" => "育児休業",
        "medical" => "病気休職",
        "family_care" => "介護休業",
        _ => "その他休職",
    }
}

/// Hours per day as `hours.minutes` (`7.30` = 7 h 30 min).
fn hours_minutes(weekly: &str) -> String {
    let minutes = (weekly.parse::<f64>().unwrap_or(40.0) * 60.0 / 5.0).round() as i64;
    format!("{}.{:02}", minutes / 60, minutes % 60)
}

/// A Japanese HR service's export in CP932 with Japanese headers, as Excel
/// saves it (CRLF): `従業員.csv` (the master: 性別 男性/女性, 生年月日 in era
/// dates, 入社年月日, 退職年月日, 退職理由), `人事異動.csv` (full-state
/// 発令 rows where a blank *clears* the field: 発令日 in five rotating
/// forms, 連番 for several on one day, 発令区分 × 事由, 在籍区分 with
/// 休職区分 for leaves, 等級 as `３等級`, 役職 titles, 1日の所定労働時間 in
/// hours.minutes), `給与.csv` (annual pay revisions), `評価.csv` (S–D
/// grades, era dates) and `家族.csv` (children by 続柄, era birth dates).
pub fn japanese(data: &Synthetic) -> Result<HrisExport, ExportError> {
    let walks = walks(data)?;
    let mut master = Vec::new();
    let mut moves = Vec::new();
    let mut pay = Vec::new();
    let mut evals = Vec::new();
    let mut family = Vec::new();
    let mut n = 0usize;
    for w in &walks {
        let e = w.employee;
        let id = &e.employee_id;
        master.push(vec![
            id.clone(),
            match e.gender.as_str() {
                "F" => "女性",
                "M" => "男性",
                "X" => "その他",
                _ => "無回答",
            }
            .to_string(),
            birth_date(e).map(wareki).unwrap_or_default(),
            w.hire.format("%Y/%m/%d").to_string(),
            w.exit
                .map(|x| x.format("%Y/%m/%d").to_string())
                .unwrap_or_default(),
            match e.exit_reason.as_str() {
                "voluntary" => "自己都合",
                "involuntary" => "会社都合",
                "retirement" => "定年",
                "" => "",
                _ => "その他",
            }
            .to_string(),
        ]);
        let mut seq: BTreeMap<NaiveDate, u32> = BTreeMap::new();
        let mut on_leave: Option<&str> = None;
        for (d, step, st) in &w.steps {
            let (kind, why) = match step {
                Step::Hire => ("入社", "採用".to_string()),
                Step::LeaveStart(t) => {
                    on_leave = Some(jp_leave(t));
                    ("休職", jp_leave(t).to_string())
                }
                Step::LeaveEnd => {
                    on_leave = None;
                    ("復職", "復職".to_string())
                }
                Step::Exit => ("退職", "退職".to_string()),
                Step::Change {
                    event,
                    initiated_by,
                    demotion,
                    transfer,
                } => {
                    let who = match initiated_by.as_str() {
                        "employer" => "会社都合",
                        "employee" => "本人希望",
                        _ => "その他",
                    };
                    let kind = match event.as_str() {
                        "promotion" => "昇格",
                        "employment_change" => "雇用形態変更",
                        "hours_change" => "勤務時間変更",
                        _ if *demotion => "降格",
                        _ if *transfer => "異動",
                        _ => "職務変更",
                    };
                    (
                        kind,
                        if kind == "昇格" {
                            "定期".to_string()
                        } else {
                            who.to_string()
                        },
                    )
                }
            };
            let s = seq.entry(*d).or_insert(0);
            *s += 1;
            let status = match (step, on_leave) {
                (Step::Exit, _) => "退職",
                (_, Some(_)) => "休職中",
                _ => "在籍",
            };
            let resp: usize = st.responsibility.parse().unwrap_or(0);
            moves.push(vec![
                id.clone(),
                jp_date(*d, n),
                s.to_string(),
                kind.to_string(),
                why,
                status.to_string(),
                on_leave.unwrap_or("").to_string(),
                full_width(&format!("{}等級", st.grade)),
                JP_TITLES[resp.min(9)].to_string(),
                st.track.clone(),
                st.department.clone(),
                st.manager.clone(),
                jp_employment(&st.employment).to_string(),
                hours_minutes(&st.hours),
            ]);
            n += 1;
        }
        for (d, v) in &w.salaries {
            if !v.is_empty() {
                pay.push(vec![
                    id.clone(),
                    d.format("%Y/%m/%d").to_string(),
                    with_commas(v),
                ]);
            }
        }
        for (d, r) in &w.ratings {
            let letter = match r.as_str() {
                "5" => "Ｓ",
                "4" => "Ａ",
                "3" => "Ｂ",
                "2" => "Ｃ",
                _ => "Ｄ",
            };
            let (_, l, y) = era(*d);
            evals.push(vec![
                id.clone(),
                format!("{l}{y}.{}.{}", d.month(), d.day()),
                letter.into(),
            ]);
        }
        let hash = hash(id);
        for (i, b) in w.births.iter().enumerate() {
            let son = (hash >> i) & 1 == 0;
            let rel = match (i, son) {
                (0, true) => "長男",
                (0, false) => "長女",
                (1, true) => "次男",
                (1, false) => "次女",
                (_, true) => "三男",
                (_, false) => "三女",
            };
            family.push(vec![id.clone(), rel.into(), wareki(*b)]);
        }
        if !w.births.is_empty() {
            let spouse = if e.gender == "F" { "夫" } else { "妻" };
            family.push(vec![
                id.clone(),
                spouse.into(),
                birth_date(e).map(wareki).unwrap_or_default(),
            ]);
        }
    }
    let files = vec![
        (
            "従業員.csv".to_string(),
            cp932_csv(
                &[
                    "社員番号",
                    "性別",
                    "生年月日",
                    "入社年月日",
                    "退職年月日",
                    "退職理由",
                ],
                &master,
            ),
        ),
        (
            "人事異動.csv".to_string(),
            cp932_csv(
                &[
                    "社員番号",
                    "発令日",
                    "連番",
                    "発令区分",
                    "事由",
                    "在籍区分",
                    "休職区分",
                    "等級",
                    "役職",
                    "コース",
                    "所属",
                    "上長",
                    "雇用形態",
                    "1日の所定労働時間",
                ],
                &moves,
            ),
        ),
        (
            "給与.csv".to_string(),
            cp932_csv(&["社員番号", "改定日", "年収"], &pay),
        ),
        (
            "評価.csv".to_string(),
            cp932_csv(&["社員番号", "評価日", "評価"], &evals),
        ),
        (
            "家族.csv".to_string(),
            cp932_csv(&["社員番号", "続柄", "生年月日"], &family),
        ),
    ];
    let mut grade_codes = String::new();
    for g in grades(data) {
        grade_codes.push_str(&format!("\"{g}等級\" = {g}\n"));
    }
    let mut title_codes = String::new();
    for (i, t) in JP_TITLES.iter().enumerate() {
        title_codes.push_str(&format!("\"{t}\" = {i}\n"));
    }
    let mapping = format!(
        r#"# A Japanese HR service's CSV export (CP932, Japanese headers, era dates)
# of the bundled sample population.
# Read with: cargo run --release --example analyze -- --mapping data-samples/hris/japanese/mapping.toml

[settings]
dates = ["ymd", "wareki"]
days_per_week = 5

[master]
file = "従業員.csv"
encoding = "cp932"
[master.columns]
employee_id = "社員番号"
gender = "性別"
birth_date = "生年月日"
hire_date = "入社年月日"
exit_date = "退職年月日"
exit_reason = "退職理由"
[master.codes.gender]
"女性" = "F"
"男性" = "M"
"その他" = "X"
"無回答" = "U"
[master.codes.exit_reason]
"自己都合" = "voluntary"
"会社都合" = "involuntary"
"定年" = "retirement"
"その他" = "other"

[[history]]
file = "人事異動.csv"            # encoding detected (not UTF-8, so CP932)
blank = "cleared"               # every row is the full state: a blank empties the field
hours_format = "hours_minutes"  # 7.30 = 7 h 30 min
[history.columns]
employee_id = "社員番号"
date = "発令日"
sequence = "連番"
event = ["発令区分", "事由"]
status = ["在籍区分", "休職区分"]
grade = "等級"
responsibility = "役職"
track = "コース"
department = "所属"
manager_id = "上長"
employment_type = "雇用形態"
daily_hours = "1日の所定労働時間"
[history.codes.event]
"入社|*" = "hire"
"昇格|*" = "promotion"
"退職|*" = "exit"
"休職|*" = "change"
"復職|*" = "change"
"降格|会社都合" = {{ kind = "change", initiated_by = "employer" }}
"降格|本人希望" = {{ kind = "change", initiated_by = "employee" }}
"降格|その他" = "change"
"異動|会社都合" = {{ kind = "change", initiated_by = "employer" }}
"異動|本人希望" = {{ kind = "change", initiated_by = "employee" }}
"異動|その他" = "change"
"職務変更|会社都合" = {{ kind = "change", initiated_by = "employer" }}
"職務変更|本人希望" = {{ kind = "change", initiated_by = "employee" }}
"職務変更|その他" = "change"
"雇用形態変更|会社都合" = {{ kind = "change", initiated_by = "employer" }}
"雇用形態変更|本人希望" = {{ kind = "change", initiated_by = "employee" }}
"雇用形態変更|その他" = "change"
"勤務時間変更|会社都合" = {{ kind = "change", initiated_by = "employer" }}
"勤務時間変更|本人希望" = {{ kind = "change", initiated_by = "employee" }}
"勤務時間変更|その他" = "change"
[history.codes.status]
"在籍|" = "active"
"退職|" = "exit"
"休職中|産前産後休業" = "maternity"
"休職中|出生時育児休業" = "paternity"
"休職中|育児休業" = "parental"
"休職中|病気休職" = "medical"
"休職中|介護休業" = "family_care"
"休職中|その他休職" = "other"
[history.codes.grade]
{grade_codes}[history.codes.responsibility]
{title_codes}[history.codes.employment_type]
"正社員" = "regular"
"契約社員" = "fixed_term"
"パート" = "part_time"
"派遣社員" = "dispatched"
"その他" = "other"

[[history]]
file = "給与.csv"
[history.columns]
employee_id = "社員番号"
date = "改定日"
salary = "年収"

[[history]]
file = "評価.csv"
[history.columns]
employee_id = "社員番号"
date = "評価日"
rating = "評価"
[history.codes.rating]
S = 5
A = 4
B = 3
C = 2
D = 1

[[family]]
file = "家族.csv"
[family.columns]
employee_id = "社員番号"
relation = "続柄"
birth_date = "生年月日"
[family.codes.relation]
"長男" = "child"
"長女" = "child"
"次男" = "child"
"次女" = "child"
"三男" = "child"
"三女" = "child"
"夫" = "ignore"
"妻" = "ignore"
"#
    );
    Ok(HrisExport { files, mapping })
}

/// Month ends from the month of `from` to `to`, both included when they are
/// month ends.
fn month_ends(from: NaiveDate, to: NaiveDate) -> Vec<NaiveDate> {
    let mut out = Vec::new();
    // Day 1 of `from`'s month: `from` itself less its day of the month.
    let mut first = from - Days::new(u64::from(from.day0()));
    // The next month's first day (none past chrono's last month), less a
    // day: it is after `first`, so that day exists.
    while let Some(next) = first.checked_add_months(chrono::Months::new(1)) {
        let Some(end) = next.pred_opt().filter(|end| *end <= to) else {
            break;
        };
        out.push(end);
        first = next;
    }
    out
}

/// The snapshot that [`snapshots`] leaves out, as a missing month would be.
pub const MISSING_SNAPSHOT: usize = 30;

/// A monthly headcount snapshot series in one file, `headcount.csv`: one
/// row per employee employed on each month end of the last ten years
/// before the data's analysis date (status with the leave type, grade,
/// level, department, manager, contract, weekly hours, salary, the latest
/// rating with its date), hire dates given, exits found only by an
/// employee's disappearing, and one month ([`MISSING_SNAPSHOT`]-th
/// snapshot) missing as a failed monthly extract leaves it.
pub fn snapshots(data: &Synthetic, as_of: NaiveDate) -> Result<HrisExport, ExportError> {
    let walks = walks(data)?;
    let from = as_of
        .checked_sub_months(chrono::Months::new(120))
        .unwrap_or(as_of);
    // the 120 month ends after `from`
    let mut dates = month_ends(from.succ_opt().unwrap_or(from), as_of);
    if dates.len() > MISSING_SNAPSHOT {
        dates.remove(MISSING_SNAPSHOT);
    }
    let mut rows = Vec::new();
    for d in &dates {
        for w in &walks {
            let e = w.employee;
            let (hire, exit) = (w.hire, w.exit);
            if hire > *d || exit.is_some_and(|x| x < *d) {
                continue;
            }
            // the state at the end of the day: every step on or before it
            let mut st = None;
            let mut leave: Option<&str> = None;
            for (day, step, s) in &w.steps {
                if day > d {
                    break;
                }
                match step {
                    Step::LeaveStart(t) => leave = Some(t.as_str()),
                    Step::LeaveEnd => leave = None,
                    _ => {}
                }
                st = Some(s);
            }
            let Some(st) = st else { continue };
            let salary = w
                .salaries
                .iter()
                .take_while(|(day, _)| day <= d)
                .last()
                .map(|(_, v)| v.clone())
                .unwrap_or_default();
            let rating = w.ratings.iter().take_while(|(day, _)| day <= d).last();
            rows.push(vec![
                d.to_string(),
                e.employee_id.clone(),
                e.gender.clone(),
                e.birth_year.clone(),
                e.hire_date.clone(),
                match leave {
                    Some(t) => format!("leave:{t}"),
                    None => "active".into(),
                },
                st.grade.clone(),
                st.responsibility.clone(),
                st.track.clone(),
                st.department.clone(),
                st.manager.clone(),
                st.employment.clone(),
                st.hours.clone(),
                salary,
                rating.map(|(_, r)| r.clone()).unwrap_or_default(),
                rating.map(|(day, _)| day.to_string()).unwrap_or_default(),
            ]);
        }
    }
    let files = vec![(
        "headcount.csv".to_string(),
        csv_bytes(
            &[
                "snapshot_date",
                "emp_no",
                "sex",
                "birth_year",
                "hire_date",
                "status",
                "grade",
                "level",
                "track",
                "org_unit",
                "supervisor",
                "contract",
                "weekly_hours",
                "annual_salary",
                "last_rating",
                "last_rating_date",
            ],
            &rows,
        ),
    )];
    let mapping = r#"# A monthly headcount snapshot series of the bundled sample population
# (month ends of the ten years before the analysis date; one month missing).
# Read with: cargo run --release --example analyze -- --mapping data-samples/hris/snapshots/mapping.toml

[snapshots]
file = "headcount.csv"
period = "month"
change_date = "snapshot"     # a change is dated to the snapshot in which it first shows
[snapshots.columns]
date = "snapshot_date"
employee_id = "emp_no"
gender = "sex"
birth_year = "birth_year"
hire_date = "hire_date"
status = "status"
grade = "grade"
responsibility = "level"
track = "track"
department = "org_unit"
manager_id = "supervisor"
employment_type = "contract"
weekly_hours = "weekly_hours"
salary = "annual_salary"
rating = "last_rating"
rating_date = "last_rating_date"
[snapshots.codes.status]
active = "active"
"leave:maternity" = "maternity"
"leave:paternity" = "paternity"
"leave:parental" = "parental"
"leave:medical" = "medical"
"leave:family_care" = "family_care"
"leave:other" = "other"
"#
    .to_string();
    Ok(HrisExport { files, mapping })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{EmployeeRow, EventRow};

    /// Quotes where a field holds the delimiter, a quote or a line end
    /// (quotes doubled inside), records of any width, and a record of one
    /// empty field written as `""` (RFC 4180; what `csv::Writer` writes,
    /// so that the line is not read as blank); by hand.
    #[test]
    fn csv_bytes_quote_as_rfc_4180_does() {
        let rows = vec![
            vec![
                "x,y".to_string(),
                "say \"hi\"".to_string(),
                "two\nlines".to_string(),
            ],
            vec![String::new()],
            vec!["plain".to_string(), String::new()],
        ];
        let bytes = csv_bytes(&["a", "b"], &rows);
        assert_eq!(
            String::from_utf8(bytes).unwrap(),
            "a,b\n\"x,y\",\"say \"\"hi\"\"\",\"two\nlines\"\n\"\"\nplain,\n"
        );
        let crlf = csv_bytes_as(
            &["a"],
            &[vec!["b".to_string()]],
            csv_core::Terminator::CRLF,
            |s| s.as_bytes().into(),
        );
        assert_eq!(crlf, b"a\r\nb\r\n");
    }

    fn population(hire: &str, event_date: &str) -> Synthetic {
        Synthetic {
            employees: vec![EmployeeRow {
                employee_id: "e1".into(),
                gender: "F".into(),
                hire_date: hire.into(),
                grade: "2".into(),
                responsibility: "1".into(),
                employment_type: "regular".into(),
                weekly_hours: "40".into(),
                ..Default::default()
            }],
            events: vec![EventRow {
                employee_id: "e1".into(),
                date: event_date.into(),
                event: "evaluation".into(),
                rating: "3".into(),
                ..Default::default()
            }],
            truth: Vec::new(),
        }
    }

    #[test]
    fn a_date_the_export_cannot_read_is_an_error_naming_the_row() {
        let expected = |table, column, value: &str| ExportError {
            table,
            employee_id: "e1".into(),
            column,
            value: value.into(),
        };
        let bad_hire = population("2020/04/01", "2021-03-31");
        assert_eq!(
            sap(&bad_hire).err(),
            Some(expected("employees", "hire_date", "2020/04/01"))
        );
        let bad_event = population("2020-04-01", "next spring");
        assert_eq!(
            japanese(&bad_event).err(),
            Some(expected("events", "date", "next spring"))
        );
        let as_of = NaiveDate::from_ymd_opt(2025, 3, 31).unwrap();
        assert!(snapshots(&bad_event, as_of).is_err());
        assert!(snapshots(&population("2020-04-01", "2021-03-31"), as_of).is_ok());
    }

    #[test]
    fn month_ends_stop_at_the_last_month_chrono_has() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        assert_eq!(
            month_ends(d(2024, 1, 15), d(2024, 3, 31)),
            vec![d(2024, 1, 31), d(2024, 2, 29), d(2024, 3, 31)]
        );
        let last = NaiveDate::MAX;
        let ends = month_ends(d(last.year(), last.month(), 1), last);
        assert!(ends.len() <= 1);
    }
}
