//! One generated career: hiring, yearly evaluations, pay and promotion,
//! children, leaves and the planted return.

#[allow(unused_imports)]
use super::*;
use rand_distr::StandardNormal;

pub(super) struct Person {
    pub(super) id: String,
    pub(super) female: bool,
    pub(super) birth_year: i32,
    pub(super) ability: f64,
    pub(super) grade: u32,
    pub(super) responsibility: u32,
    pub(super) track: &'static str,
    pub(super) department: usize,
    pub(super) manager: String,
    pub(super) regular: bool,
    pub(super) hours: f64,
    pub(super) salary: f64,
    pub(super) children: u32,
    pub(super) promotion_factor: f64,
    /// A planted rating drop: evaluations up to this date are lowered by
    /// this many points.
    pub(super) rating_penalty: Option<(NaiveDate, f64)>,
}

/// A date the generator forms: 1 April, 31 March or another day that every
/// year has, so only a year outside chrono's range (±262,143) can fail; such
/// a date saturates at `NaiveDate::MAX`, after every analysis date, so the
/// yearly loop simply ends there.
pub(super) fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MAX)
}

pub(super) fn manager_id(department: usize, k: usize) -> String {
    format!("M{:02}{:02}", department + 1, k + 1)
}

pub(super) fn generate_employee(
    config: &SynthConfig,
    rng: &mut ChaCha8Rng,
    i: usize,
    out: &mut Synthetic,
) {
    let std_normal = StandardNormal;
    let first_year = config.first_year.clamp(1900, config.as_of.year());
    let last_hire_year = config.as_of.year() - 1;
    let hire_year = rng.random_range(first_year..=last_hire_year.max(first_year));
    let hire = if rng.random_bool(0.7) {
        date(hire_year, 4, 1)
    } else {
        date(hire_year, 4, 1) + Duration::days(rng.random_range(0..365))
    };
    let female = rng.random_bool(config.share_women);
    let age_at_hire = rng.random_range(22..=38);
    let grade = if age_at_hire < 26 {
        1
    } else {
        rng.random_range(1..=3)
    };
    let track = match rng.random_range(0..10) {
        0..=5 => "career",
        6..=7 => "specialist",
        _ => "general",
    };
    let regular = rng.random_bool(0.88);
    let department = rng.random_range(0..DEPARTMENTS.len());
    let hire_hours = if regular {
        40.0
    } else {
        f64::from(rng.random_range(20..=32))
    };
    let hire_salary =
        (3_200_000.0 + 600_000.0 * f64::from(grade) + rng.random_range(-200..=200) as f64 * 1000.0)
            .round();
    let managers = config.managers_per_department.max(1);
    let hire_manager = manager_id(department, rng.random_range(0..managers));
    let mut p = Person {
        id: format!("E{:06}", i + 1),
        female,
        birth_year: hire.year() - age_at_hire,
        ability: Distribution::<f64>::sample(&std_normal, rng),
        grade,
        responsibility: grade + u32::from(track == "career"),
        track,
        department,
        manager: hire_manager.clone(),
        regular,
        hours: hire_hours,
        salary: hire_salary,
        children: 0,
        promotion_factor: 1.0,
        rating_penalty: None,
    };
    let mut events: Vec<(NaiveDate, u32, EventRow)> = Vec::new();
    let mut exit: Option<(NaiveDate, &'static str)> = None;
    let mut busy_until = hire; // on leave (or just back) until this date
    let push = |events: &mut Vec<(NaiveDate, u32, EventRow)>, d: NaiveDate, row: EventRow| {
        let seq = events.len() as u32;
        events.push((d, seq, row));
    };
    let base = |id: &str, d: NaiveDate, event: &str| EventRow {
        employee_id: id.to_string(),
        date: d.to_string(),
        event: event.to_string(),
        ..Default::default()
    };

    let mut fy = if hire.month() >= 4 {
        hire.year()
    } else {
        hire.year() - 1
    };
    while date(fy, 4, 1) <= config.as_of && exit.is_none() {
        let april = date(fy, 4, 1);
        let march = date(fy + 1, 3, 31);
        // Promotion and salary review on 1 April, when at work.
        if april > hire && april >= busy_until {
            let hazard = config.promotion_hazard
                * (config.promotion_ability_effect * p.ability).exp()
                * p.promotion_factor
                / (1.0 + 0.25 * f64::from(p.grade));
            if p.grade < 9 && rng.random_bool(hazard.min(0.9)) {
                p.grade += 1;
                let mut row = base(&p.id, april, "promotion");
                row.grade = p.grade.to_string();
                if p.responsibility < 9 && rng.random_bool(0.7) {
                    p.responsibility += 1;
                    row.responsibility = p.responsibility.to_string();
                }
                push(&mut events, april, row);
                p.salary = (p.salary * 1.08).round();
            } else {
                p.salary = (p.salary * (1.0 + rng.random_range(0..=30) as f64 / 1000.0)).round();
            }
            let mut row = base(&p.id, april, "salary_change");
            row.salary = format!("{}", p.salary);
            push(&mut events, april, row);
            if rng.random_bool(0.05) {
                let k = rng.random_range(0..managers);
                let new_manager = manager_id(p.department, k);
                if new_manager != p.manager {
                    p.manager = new_manager;
                    let mut row = base(&p.id, april, "role_change");
                    row.manager_id = p.manager.clone();
                    row.initiated_by = "employer".into();
                    push(&mut events, april, row);
                }
            }
        }
        // A child during the year.
        let age = fy - p.birth_year;
        if (25..=42).contains(&age)
            && p.children < 2
            && april >= busy_until
            && rng.random_bool(config.birth_rate)
        {
            let birth = april + Duration::days(rng.random_range(60..300));
            p.children += 1;
            push(&mut events, birth, base(&p.id, birth, "child_birth"));
            if p.female {
                busy_until = mother_leave(config, rng, &mut p, birth, &mut events, out);
            } else if rng.random_bool(config.father_leave_share) {
                let start = birth + Duration::days(rng.random_range(0..30));
                let days = if rng.random_bool(0.6) {
                    rng.random_range(5..30)
                } else {
                    rng.random_range(30..180)
                };
                let kind = if days < 30 { "paternity" } else { "parental" };
                let mut row = base(&p.id, start, "leave_start");
                row.leave_type = kind.into();
                push(&mut events, start, row);
                let back = start + Duration::days(days);
                let mut row = base(&p.id, back, "leave_end");
                row.leave_type = kind.into();
                push(&mut events, back, row);
                busy_until = back;
                p.promotion_factor *= config.returner_promotion_factor;
            }
        } else if april >= busy_until && rng.random_bool(0.01) {
            // Medical or family-care leave, as controls.
            let start = april + Duration::days(rng.random_range(30..200));
            let kind = if rng.random_bool(0.5) {
                "medical"
            } else {
                "family_care"
            };
            let mut row = base(&p.id, start, "leave_start");
            row.leave_type = kind.into();
            push(&mut events, start, row);
            let back = start + Duration::days(rng.random_range(20..120));
            let mut row = base(&p.id, back, "leave_end");
            row.leave_type = kind.into();
            push(&mut events, back, row);
            busy_until = back;
        }
        // Evaluation at the end of the fiscal year, when at work.
        if march >= busy_until && march > hire {
            let hours_penalty = if p.hours < 35.0 { 0.4 } else { 0.0 };
            let planted_penalty = p
                .rating_penalty
                .filter(|(until, _)| march <= *until)
                .map_or(0.0, |(_, points)| points);
            let raw = 3.2 + 0.8 * p.ability - hours_penalty - planted_penalty
                + 0.5 * Distribution::<f64>::sample(&std_normal, rng);
            let rating = raw.round().clamp(1.0, 5.0);
            let mut row = base(&p.id, march, "evaluation");
            row.rating = format!("{rating}");
            push(&mut events, march, row);
        }
        // Leaving during the year, when at work.
        if march >= busy_until && rng.random_bool(config.exit_rate) {
            let day = april.max(busy_until) + Duration::days(rng.random_range(1..300));
            let reason = if rng.random_bool(0.85) {
                "voluntary"
            } else {
                "involuntary"
            };
            exit = Some((day.min(march), reason));
        }
        fy += 1;
    }
    let exit = exit.filter(|(d, _)| *d <= config.as_of && *d > hire);
    let cutoff = exit.map_or(config.as_of, |(d, _)| d);
    events.retain(|(d, _, _)| *d <= cutoff);
    // Leaves still open at the cutoff stay open (censored or ended by exit).
    events.sort_by_key(|(d, seq, _)| (*d, *seq));
    out.events.extend(events.into_iter().map(|(_, _, row)| row));
    // Only this employee's returns (the last ones pushed) can fall after the cutoff.
    let cutoff_text = cutoff.to_string();
    let first_own = out.truth.len()
        - out
            .truth
            .iter()
            .rev()
            .take_while(|t| t.employee_id == p.id)
            .count();
    let mut own = out.truth.split_off(first_own);
    own.retain(|t| t.return_date.as_str() <= cutoff_text.as_str());
    out.truth.extend(own);
    out.employees.push(EmployeeRow {
        employee_id: p.id.clone(),
        gender: if p.female { "F" } else { "M" }.into(),
        birth_year: p.birth_year.to_string(),
        hire_date: hire.to_string(),
        exit_date: exit.map(|(d, _)| d.to_string()).unwrap_or_default(),
        exit_reason: exit.map(|(_, r)| r.to_string()).unwrap_or_default(),
        department: DEPARTMENTS[department].into(),
        grade: grade.to_string(),
        responsibility: (grade + u32::from(track == "career")).to_string(),
        track: track.into(),
        manager_id: hire_manager,
        employment_type: if regular { "regular" } else { "fixed_term" }.into(),
        weekly_hours: format!("{hire_hours}"),
        salary: format!("{hire_salary}"),
    });
}

/// Maternity then parental leave around `birth`, and the planted return; returns the return date.
pub(super) fn mother_leave(
    config: &SynthConfig,
    rng: &mut ChaCha8Rng,
    p: &mut Person,
    birth: NaiveDate,
    events: &mut Vec<(NaiveDate, u32, EventRow)>,
    out: &mut Synthetic,
) -> NaiveDate {
    let mut push = |d: NaiveDate, row: EventRow| {
        let seq = events.len() as u32;
        events.push((d, seq, row));
    };
    let row = |d: NaiveDate, event: &str| EventRow {
        employee_id: p.id.clone(),
        date: d.to_string(),
        event: event.into(),
        ..Default::default()
    };
    let start = birth - Duration::days(42);
    let maternity_end = birth + Duration::days(56);
    let mut r = row(start, "leave_start");
    r.leave_type = "maternity".into();
    push(start, r);
    let mut r = row(maternity_end, "leave_end");
    r.leave_type = "maternity".into();
    push(maternity_end, r);
    let parental_start = maternity_end + Duration::days(rng.random_range(0..=3));
    let back = birth + Duration::days(rng.random_range(180..540));
    let mut r = row(parental_start, "leave_start");
    r.leave_type = "parental".into();
    push(parental_start, r);
    let mut r = row(back, "leave_end");
    r.leave_type = "parental".into();
    push(back, r);

    let biased = config.biased_managers.contains(&p.manager);
    let after_policy = config.policy_date.is_some_and(|d| back >= d);
    let mommy = (config.mommy_track_share
        * if biased {
            config.biased_manager_factor
        } else {
            1.0
        }
        * if after_policy {
            config.policy_factor
        } else {
            1.0
        })
    .min(0.95);
    let u: f64 = rng.random();
    let class = if u < mommy {
        ReturnClass::MommyTrack
    } else if u < mommy + config.voluntary_share {
        ReturnClass::VoluntaryDownshift
    } else if u < mommy + config.voluntary_share + config.reduced_hours_share {
        ReturnClass::ProlongedReducedHours
    } else if u < mommy + config.voluntary_share + config.reduced_hours_share + config.stall_share {
        ReturnClass::PromotionStall
    } else {
        ReturnClass::Normal
    };
    let change_day = back + Duration::days(rng.random_range(0..60));
    let manager_before = p.manager.clone();
    // Planted kinds in the contract's order: responsibility_drop,
    // track_downgrade, non_regular_conversion, promotion_stall, prolonged_reduced_hours.
    let mut kinds = [false; 5];
    match class {
        ReturnClass::Normal => {}
        ReturnClass::PromotionStall => {
            p.promotion_factor *= config.stall_promotion_factor;
            kinds[3] = true;
        }
        ReturnClass::MommyTrack | ReturnClass::VoluntaryDownshift => {
            let who = if class == ReturnClass::MommyTrack {
                "employer"
            } else {
                "employee"
            };
            let mut r = row(change_day, "role_change");
            let before = p.responsibility;
            p.responsibility = p
                .responsibility
                .saturating_sub(rng.random_range(1..=2))
                .min(1);
            kinds[0] = p.responsibility < before;
            r.responsibility = p.responsibility.to_string();
            if p.track == "career" && rng.random_bool(0.4) {
                p.track = "general";
                r.track = "general".into();
                kinds[1] = true;
            }
            r.initiated_by = who.into();
            push(change_day, r);
            if p.regular && rng.random_bool(0.3) {
                p.regular = false;
                let mut r = row(change_day, "employment_change");
                r.employment_type = "part_time".into();
                r.initiated_by = who.into();
                push(change_day, r);
                let reduces = p.hours > 30.0;
                p.hours = 30.0;
                let mut r = row(change_day, "hours_change");
                r.weekly_hours = "30".into();
                r.initiated_by = who.into();
                push(change_day, r);
                kinds[2] = true;
                kinds[4] = reduces;
            }
            if class == ReturnClass::MommyTrack {
                p.promotion_factor *= config.mommy_track_promotion_factor;
                kinds[3] = true;
            }
        }
        ReturnClass::ProlongedReducedHours => {
            kinds[4] = p.hours > 30.0;
            p.hours = 30.0;
            let mut r = row(back, "hours_change");
            r.weekly_hours = "30".into();
            r.initiated_by = "employee".into();
            push(back, r);
        }
    }
    p.promotion_factor *= config.returner_promotion_factor;
    // A planted rating drop (off by default, when no draw is made, so the
    // default output does not move): the evaluations of the two years after
    // the return are lowered.
    let rating_drop =
        config.rating_drop_share > 0.0 && rng.random_bool(config.rating_drop_share.min(1.0));
    if rating_drop {
        let until = back
            .checked_add_months(chrono::Months::new(24))
            .unwrap_or(back);
        p.rating_penalty = Some((until, config.rating_drop_points));
    }
    const NAMES: [&str; 5] = [
        "responsibility_drop",
        "track_downgrade",
        "non_regular_conversion",
        "promotion_stall",
        "prolonged_reduced_hours",
    ];
    let mut planted: Vec<&str> = NAMES
        .iter()
        .zip(kinds)
        .filter_map(|(n, k)| k.then_some(*n))
        .collect();
    if rating_drop {
        planted.push("rating_drop");
    }
    out.truth.push(ReturnTruth {
        employee_id: p.id.clone(),
        leave_start: start.to_string(),
        return_date: back.to_string(),
        class,
        planted_kinds: planted.join(";"),
        employee_initiated: matches!(
            class,
            ReturnClass::VoluntaryDownshift | ReturnClass::ProlongedReducedHours
        ),
        manager_id: manager_before,
    });
    back
}
