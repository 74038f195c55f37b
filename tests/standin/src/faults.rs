//! Injected faults: latency, and a fault drawn per request from a seeded
//! sequence, so a failing test run can be repeated exactly.

use serde::Deserialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
pub enum FaultKind {
    /// 429 with an errors body; nothing applied.
    TooManyRequests,
    /// 500 with an `errorId`; nothing applied.
    ServerError,
    /// The connection is reset before any answer; nothing applied.
    ConnectionReset,
    /// The request IS applied (a create creates), then the connection is reset.
    ResponseLostAfterCommit,
    /// 200 with a body that is not JSON; nothing applied.
    MalformedJson,
    /// The request is applied and its answer announced in full, but the
    /// connection closes part-way through the body.
    Truncated,
}

pub const ALL_KINDS: [FaultKind; 6] = [
    FaultKind::TooManyRequests,
    FaultKind::ServerError,
    FaultKind::ConnectionReset,
    FaultKind::ResponseLostAfterCommit,
    FaultKind::MalformedJson,
    FaultKind::Truncated,
];

/// What to inject. Over HTTP: `{"latencyMs":0,"rate":0.2,"kinds":["ServerError"],"seed":1}`.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Faults {
    /// Every answer waits this long.
    pub latency_ms: u64,
    /// Probability (0..=1) that a request is faulted; which fault is drawn
    /// uniformly from `kinds` (all six when empty).
    pub rate: f64,
    pub kinds: Vec<FaultKind>,
    /// Seeds the draws.
    pub seed: u64,
}

/// The fault plan and its position in the sequence.
#[derive(Default)]
pub struct Dice {
    faults: Faults,
    state: u64,
}

impl Dice {
    pub fn set(&mut self, faults: Faults) {
        self.state = faults.seed ^ 0x9E37_79B9_7F4A_7C15;
        self.faults = faults;
    }

    pub fn latency_ms(&self) -> u64 {
        self.faults.latency_ms
    }

    /// SplitMix64: small, fast, and the same on every platform.
    fn next(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// The fault for the next request, if any.
    pub fn draw(&mut self) -> Option<FaultKind> {
        // NaN or anything at or below 0 never faults; 1 or more always does.
        if self.faults.rate.is_nan() || self.faults.rate <= 0.0 {
            return None;
        }
        let roll = (self.next() >> 11) as f64 / (1u64 << 53) as f64;
        if roll >= self.faults.rate {
            return None;
        }
        let pick = self.next();
        let kinds: &[FaultKind] = if self.faults.kinds.is_empty() { &ALL_KINDS } else { &self.faults.kinds };
        kinds.get((pick % kinds.len() as u64) as usize).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draws(faults: Faults, n: usize) -> Vec<Option<FaultKind>> {
        let mut dice = Dice::default();
        dice.set(faults);
        (0..n).map(|_| dice.draw()).collect()
    }

    #[test]
    fn draws_are_repeatable_and_near_the_rate() {
        let faults = Faults { rate: 0.2, seed: 7, ..Faults::default() };
        let first = draws(faults.clone(), 10_000);
        assert_eq!(first, draws(faults, 10_000));
        let faulted = first.iter().flatten().count();
        assert!((1_700..2_300).contains(&faulted), "{faulted} of 10,000 at 0.2");
        for kind in ALL_KINDS {
            assert!(first.contains(&Some(kind)), "{kind:?} is drawn");
        }
        let only = draws(Faults { rate: 1.0, kinds: vec![FaultKind::ServerError], ..Faults::default() }, 50);
        assert!(only.iter().all(|k| *k == Some(FaultKind::ServerError)));
        assert!(draws(Faults::default(), 50).iter().all(Option::is_none));
    }
}
