//! A stand-in for the Autotask REST API (placeholder; being written).
