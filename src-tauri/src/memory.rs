//! Memory the app gives back to the system (Linux with glibc).
//!
//! glibc's malloc keeps what a burst of work freed — the start's reads, a
//! sync cycle, the reminders' look at the data — inside its arenas, one arena
//! per thread that allocated, and returns only the free space at the very
//! top of the main heap. Fieldkit runs for a whole working day with a dozen
//! threads that each wake now and then, so it keeps two arenas for all of
//! them and, after each of those bursts, hands the free pages back
//! (`malloc_trim`, which also releases free pages inside the arenas).
//! Measured with `fieldkit-footprint` (README, "Installing"). Elsewhere these
//! are no-ops: other allocators return memory themselves.

/// Before any thread starts: two malloc arenas instead of up to 8 per core.
pub fn limit_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes allocator parameters; called once, before
    // the app starts its threads.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}

/// After a burst of work: free pages go back to the system.
pub fn give_back() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim is thread-safe (it takes each arena's lock).
    unsafe {
        libc::malloc_trim(0);
    }
}
