//! Injected faults: drawn per request from a seeded sequence, so a test run
//! can be repeated.

use serde::Deserialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
pub enum FaultKind {
    /// 429 with an errors body; nothing applied.
    TooManyRequests,
    /// 500 with an errorId; nothing applied.
    ServerError,
    /// The connection is reset before any answer; nothing applied.
    ConnectionReset,
    /// The request IS applied, then the connection is reset.
    ResponseLostAfterCommit,
    /// 200 with a body that is not JSON; writes not applied.
    MalformedJson,
    /// An answer cut off before its announced length.
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

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Faults {
    pub latency_ms: u64,
    /// Probability (0..=1) that a request is faulted.
    pub rate: f64,
    /// Which faults; all six when empty.
    pub kinds: Vec<FaultKind>,
    pub seed: u64,
}

/// The fault plan and its sequence.
#[derive(Default)]
pub struct Dice {
    pub faults: Faults,
    state: u64,
}

impl Dice {
    pub fn set(&mut self, faults: Faults) {
        self.state = faults.seed ^ 0x9E37_79B9_7F4A_7C15;
        self.faults = faults;
    }

    fn next(&mut self) -> u64 {
        // SplitMix64.
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// The fault for the next request, if any.
    pub fn draw(&mut self) -> Option<FaultKind> {
        if self.faults.rate <= 0.0 {
            return None;
        }
        let roll = (self.next() % 1_000_000) as f64 / 1_000_000.0;
        if roll >= self.faults.rate {
            return None;
        }
        let kinds: Vec<FaultKind> =
            if self.faults.kinds.is_empty() { ALL_KINDS.to_vec() } else { self.faults.kinds.clone() };
        let pick = (self.next() % kinds.len() as u64) as usize;
        Some(kinds[pick])
    }
}
