//! Sample time entries: a few per working day for each technician, on their
//! tickets, going back `days`; the benchmark asks for years of them.

use chrono::{DateTime, Datelike, Duration, Timelike, Utc, Weekday};
use rusqlite::{params, Transaction};
use uuid::Uuid;

use super::Sequence;

const SUMMARIES: &[&str] = &[
    "Checked the event log and applied the pending updates.",
    "Replaced the toner and cleared the paper path.",
    "Reset the user's password and re-enrolled MFA.",
    "Reconfigured the VPN client and tested the connection.",
    "Reviewed the backup job and ran a test restore.",
    "Swapped the patch cable at the front desk.",
];

/// Writes entries for each of `technicians` on random tickets of
/// `ticket_rows`, `per_day` per working day over the `days` before `now`.
/// Returns how many.
pub(super) fn generate(
    tx: &Transaction<'_>,
    sequence: &mut Sequence,
    technicians: &[Uuid],
    ticket_rows: &[i64],
    days: u32,
    per_day: u32,
    now: DateTime<Utc>,
) -> rusqlite::Result<u32> {
    if ticket_rows.is_empty() || technicians.is_empty() {
        return Ok(0);
    }
    let mut insert = tx.prepare_cached(
        "INSERT INTO time_entries (id, resource_id, ticket_row, start_at, end_at, work_type, billable, summary_notes,
             internal_notes, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, '', ?5, ?5)",
    )?;
    let today = now.date_naive();
    let mut count = 0u32;
    for back in (1..=i64::from(days)).rev() {
        let day = today - Duration::days(back);
        if matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
            continue;
        }
        for (tech_index, technician) in technicians.iter().enumerate() {
            // A working day from 12:00 UTC (morning in the Americas), in blocks.
            let mut at = day.and_hms_opt(12, 0, 0).map(|t| t.and_utc()).unwrap_or(now);
            for _ in 0..per_day {
                let minutes = sequence.between(15, 75) as i64;
                let end = at + Duration::minutes(minutes);
                if end.date_naive() != at.date_naive() || end >= now {
                    break;
                }
                let work_type = *sequence.pick(&[29682790_i64, 29682790, 29682791, 29682792, 29682793]);
                insert.execute(params![
                    Uuid::from_u64_pair(0x5eed_0007_0000_0000 | tech_index as u64, u64::from(count)).to_string(),
                    technician.to_string(),
                    *sequence.pick(ticket_rows),
                    at,
                    end,
                    work_type,
                    work_type == 29682790 || work_type == 29682791,
                    sequence.pick(SUMMARIES).to_string(),
                ])?;
                count += 1;
                at = end + Duration::minutes(sequence.between(0, 20) as i64);
                if at.hour() >= 23 {
                    break;
                }
            }
        }
    }
    Ok(count)
}
