//! Giving back the memory the process freed. glibc keeps what a thread freed in that thread's
//! arena for reuse and returns pages to the system only from the top of a heap, so the
//! transient memory of start-up (country packs parsed, OpenAPI documents built and serialized,
//! migrations read) stays resident after it is freed: ~19 MB of the ~82 MB an idle `egov serve`
//! held. `egov serve` asks glibc to release free pages once the workers have started, and again
//! periodically so that a burst of load does not pin its peak either.

use std::time::Duration;

/// Returns the free pages of every malloc arena to the system. Live allocations are untouched.
/// Returns whether anything was released; elsewhere than glibc it does nothing.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)]
pub fn release_free_memory() -> bool {
    // SAFETY: `malloc_trim` takes no pointers and has no caller-side invariants; glibc takes
    // each arena's lock while it walks that arena, so it is safe with concurrent allocations.
    unsafe { libc::malloc_trim(0) == 1 }
}

/// Elsewhere (musl, other systems) the allocator returns memory itself or has no such call.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn release_free_memory() -> bool {
    false
}

/// Releases free memory `settle` after start (the workers have built their apps by then) and
/// every `every` after that. Runs for the life of the server.
pub async fn release_periodically(settle: Duration, every: Duration) {
    tokio::time::sleep(settle).await;
    loop {
        let released = tokio::task::spawn_blocking(release_free_memory)
            .await
            .unwrap_or(false);
        tracing::debug!(released, "free memory returned to the system");
        tokio::time::sleep(every).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn releasing_leaves_live_allocations_intact() {
        let live: Vec<u64> = (0..100_000).collect();
        let freed: Vec<Vec<u8>> = (0..1_000).map(|_| vec![7u8; 4096]).collect();
        drop(freed);
        release_free_memory();
        assert_eq!(live.iter().sum::<u64>(), 4_999_950_000);
    }
}
