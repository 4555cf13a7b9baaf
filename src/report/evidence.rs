//! A flag's evidence as the sentence `flags.csv` writes.

use crate::analysis::flags::{Change, Evidence};
use std::fmt;

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Change::ResponsibilityDrop {
                date,
                from,
                to,
                initiated_by,
            } => write!(f, "responsibility {from} → {to} on {date} ({initiated_by})"),
            Change::TrackDowngrade {
                date,
                from,
                to,
                initiated_by,
            } => write!(
                f,
                "track {} → {} on {date} ({initiated_by})",
                from.as_deref().unwrap_or(""),
                to.as_deref().unwrap_or("")
            ),
            Change::Demotion {
                date,
                from,
                to,
                initiated_by,
            } => write!(f, "grade {from} → {to} on {date} ({initiated_by})"),
            Change::NonRegularConversion {
                date,
                from,
                to,
                initiated_by,
            } => write!(f, "employment {from} → {to} on {date} ({initiated_by})"),
            Change::ProlongedReducedHours {
                from,
                to,
                months,
                cut,
            } => {
                write!(f, "hours {from} → {to} still {months} months after return")?;
                match cut {
                    Some((date, who)) => write!(f, " (cut on {date}, {who})"),
                    None => Ok(()),
                }
            }
            Change::RatingDrop {
                before,
                after,
                ratings,
                score,
                level_ratings,
            } => match (score, level_ratings) {
                (Some(z), Some(n)) => write!(
                    f,
                    "mean rating {after:.2} in {ratings} ratings after return against her own level {before:.2} from {n} other ratings (score {z:.2})"
                ),
                _ => write!(
                    f,
                    "mean rating {before:.2} before → {after:.2} after ({ratings} ratings)"
                ),
            },
            Change::PromotionStall {
                months_followed,
                stall_p,
                rating_level,
                posterior,
                peer_median_months,
                multiple,
            } => {
                write!(
                    f,
                    "no promotion in {months_followed:.0} months since return"
                )?;
                if let Some(p) = stall_p {
                    write!(
                        f,
                        "; a peer at her grade{} is still unpromoted after as long with probability {p:.3}",
                        rating_level.map_or(String::new(), |l| format!(" and rating level ({l:.2})"))
                    )?;
                }
                if let Some(q) = posterior {
                    write!(f, "; probability she is stalled {q:.2}")?;
                }
                if let (Some(m), Some(k)) = (peer_median_months, multiple) {
                    write!(f, "; peers' median {m:.1} months (×{k} = {:.1})", k * m)?;
                }
                Ok(())
            }
        }
    }
}

/// The changes, then pre-leave performance, then the peer benchmark, `; `-joined.
///
/// ```
/// use mommytrack::analysis::flags::{Change, Evidence};
/// let date = "2021-02-01".parse().unwrap();
/// let c = Change::Demotion { date, from: 3, to: 2, initiated_by: mommytrack::schema::InitiatedBy::Employer };
/// assert_eq!(c.to_string(), "grade 3 → 2 on 2021-02-01 (employer)");
/// ```
impl fmt::Display for Evidence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for c in &self.changes {
            write!(f, "{c}; ")?;
        }
        match self.pre_leave_mean_rating {
            Some(p) => write!(
                f,
                "pre-leave mean rating {p:.2} ({} ratings); ",
                self.pre_leave_ratings
            )?,
            None => f.write_str("no pre-leave rating; ")?,
        }
        match self.peer_median_months {
            Some(m) => write!(f, "peers' median time to promotion {m:.1} months")?,
            None => f.write_str("no peer benchmark")?,
        }
        for r in &self.peer_rates {
            write!(
                f,
                "; peers: {:.1}% of {} had {} {} in the same window",
                r.share * 100.0,
                r.peers,
                if r.employee_initiated {
                    "an employee-initiated"
                } else {
                    "an employer-initiated or unrecorded"
                },
                r.kind.as_str().replace('_', " ")
            )?;
        }
        Ok(())
    }
}
