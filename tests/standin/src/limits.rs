//! Autotask's limits: the requests of the rolling hour (reported by
//! `ThresholdInformation`), three requests in flight per endpoint and
//! integration code, and 10,000,000 attachment bytes per 5 minutes.

use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

pub const THREADS_PER_ENDPOINT: usize = 3;
pub const REQUESTS_PER_HOUR: u64 = 10_000;
pub const ATTACHMENT_BYTES_PER_WINDOW: usize = 10_000_000;
const HOUR: Duration = Duration::from_secs(3600);
const ATTACHMENT_WINDOW: Duration = Duration::from_secs(300);

/// A poisoned lock only means another request panicked mid-update of a
/// counter; the counts are still usable.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[derive(Default)]
pub struct Limits {
    recent: Mutex<VecDeque<Instant>>,
    lanes: Mutex<HashMap<String, usize>>,
    attachment_bytes: Mutex<VecDeque<(Instant, usize)>>,
}

/// A request in flight on a lane; leaving it (however the request ends,
/// even when its task is cancelled) frees the place.
pub struct Lane<'a> {
    limits: &'a Limits,
    key: String,
}

impl Drop for Lane<'_> {
    fn drop(&mut self) {
        let mut lanes = lock(&self.limits.lanes);
        if let Some(count) = lanes.get_mut(&self.key) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                lanes.remove(&self.key);
            }
        }
    }
}

impl Limits {
    pub fn record_request(&self) {
        lock(&self.recent).push_back(Instant::now());
    }

    pub fn requests_last_hour(&self) -> u64 {
        let mut recent = lock(&self.recent);
        while recent.front().is_some_and(|at| at.elapsed() > HOUR) {
            recent.pop_front();
        }
        recent.len() as u64
    }

    /// A place on `key`'s lane, or `None` when three requests are already on it.
    pub fn enter(&self, key: String) -> Option<Lane<'_>> {
        let mut lanes = lock(&self.lanes);
        let count = lanes.entry(key.clone()).or_default();
        if *count >= THREADS_PER_ENDPOINT {
            return None;
        }
        *count += 1;
        Some(Lane { limits: self, key })
    }

    /// Spends `bytes` of the rolling attachment budget, or says why not.
    pub fn spend_attachment_bytes(&self, bytes: usize) -> Result<(), String> {
        let mut spent = lock(&self.attachment_bytes);
        while spent.front().is_some_and(|(at, _)| at.elapsed() > ATTACHMENT_WINDOW) {
            spent.pop_front();
        }
        let total: usize = spent.iter().map(|(_, b)| b).sum();
        if total + bytes > ATTACHMENT_BYTES_PER_WINDOW {
            return Err(format!(
                "TicketAttachments: the limit of {ATTACHMENT_BYTES_PER_WINDOW} attachment bytes per 5 minutes has been \
                 exceeded ({total} bytes sent); try again later."
            ));
        }
        spent.push_back((Instant::now(), bytes));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_on_a_lane_and_places_come_back() {
        let limits = Limits::default();
        let a = limits.enter("POST Tickets/query".into());
        let b = limits.enter("POST Tickets/query".into());
        let c = limits.enter("POST Tickets/query".into());
        assert!(a.is_some() && b.is_some() && c.is_some());
        assert!(limits.enter("POST Tickets/query".into()).is_none());
        assert!(limits.enter("POST TicketNotes/query".into()).is_some(), "another endpoint has its own lane");
        drop(a);
        assert!(limits.enter("POST Tickets/query".into()).is_some());
    }

    #[test]
    fn the_attachment_budget() {
        let limits = Limits::default();
        assert!(limits.spend_attachment_bytes(6_000_000).is_ok());
        assert!(limits.spend_attachment_bytes(4_000_000).is_ok());
        assert!(limits.spend_attachment_bytes(1).is_err());
    }
}
