//! The disclosure figures as plain text.

use crate::analysis::disclosure::{Disclosure, PayCell};
use crate::schema::Gender;

impl Disclosure {
    /// A plain-text table a person can read.
    pub fn to_text(&self) -> String {
        let fy = &self.fiscal_year;
        let mut s = format!(
            "Disclosure figures, fiscal year {} ({} to {})\n\n",
            fy.year, fy.start, fy.end
        );
        let count = |c: crate::Count| c.value.map_or("suppressed".to_string(), |v| v.to_string());
        s.push_str("Japan, parental leave uptake (育児休業等取得率; persons, truncated)\n");
        for u in &self.leave_uptake {
            s.push_str(&format!(
                "  {:<6} {:>10}   {} took leave / {} had a birth   ({})\n",
                if u.gender == Gender::Male {
                    "men"
                } else {
                    "women"
                },
                u.rate.display,
                count(u.rate.numerator),
                count(u.rate.denominator),
                u.rate.rounding
            ));
        }
        s.push_str("\nJapan, women's pay as a percentage of men's (男女の賃金の差異)\n");
        for p in &self.pay_ratio {
            let mean = |c: &PayCell| {
                c.mean_pay
                    .map_or("suppressed".into(), |v| format!("{v:.0}"))
            };
            s.push_str(&format!(
                "  {:<12} {:>10}   women mean {} / men mean {}\n",
                p.group,
                p.display,
                mean(&p.women),
                mean(&p.men)
            ));
        }
        s.push_str(&format!("  pay basis: {}\n\n", self.pay_basis));
        for (name, r) in [
            (
                format!("Women among managers (grade >= {})", self.manager_grade),
                &self.women_among_managers,
            ),
            ("Women among workers".to_string(), &self.women_among_workers),
            ("Women among hires".to_string(), &self.women_among_hires),
        ] {
            s.push_str(&format!(
                "{name:<40} {:>10}   {} of {}\n",
                r.display,
                count(r.numerator),
                count(r.denominator)
            ));
        }
        let y = &self.service_years;
        let years = |v: Option<f64>| v.map_or("—".into(), |v| format!("{v:.1}"));
        s.push_str(&format!(
            "Mean years of service                    women {} / men {} (gap {} years)\n",
            years(y.women_mean_years),
            years(y.men_mean_years),
            years(y.gap_years)
        ));
        let uk = &self.uk_pay_gap;
        s.push_str(&format!(
            "\nUK gender pay gap, snapshot {} ({} women, {} men; {} on leave left out)\n",
            uk.snapshot,
            count(uk.women),
            count(uk.men),
            count(uk.excluded_on_leave)
        ));
        let pct = |v: Option<f64>| v.map_or("—".into(), |v| format!("{v:.1}%"));
        s.push_str(&format!(
            "  mean hourly gap {}   median hourly gap {}\n",
            pct(uk.mean_gap_percent),
            pct(uk.median_gap_percent)
        ));
        for q in &uk.quartiles {
            s.push_str(&format!(
                "  {:<13} women {:>6}  men {:>6}\n",
                q.quartile,
                pct(q.women_percent),
                pct(q.men_percent)
            ));
        }
        s
    }
}
