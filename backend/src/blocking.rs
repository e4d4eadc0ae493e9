//! Blocking work (the sandbox's state file writes, CPU-bound simulations) runs on tokio's
//! blocking thread pool, never on the async workers that serve every other request.

use crate::error::SourceError;

/// Runs `work` on the blocking thread pool and waits for it.
///
/// The work runs to its end even if the caller stops waiting (a client that disconnects), so
/// it must leave things consistent on its own. A panic inside is resumed in the caller, where
/// the catch-panic layer ([`crate::error::catch_panics`]) answers it as it answers any handler
/// panic, with a JSON 500; work cancelled because the runtime is shutting down is an internal
/// error.
pub async fn off_workers<T, F>(work: F) -> Result<T, SourceError>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    match tokio::task::spawn_blocking(work).await {
        Ok(value) => Ok(value),
        Err(error) if error.is_panic() => std::panic::resume_unwind(error.into_panic()),
        Err(error) => Err(SourceError::Internal(format!(
            "blocking work did not finish: {error}"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn runs_on_another_thread_and_hands_back_the_result() {
        let caller = std::thread::current().id();
        let worker = off_workers(|| std::thread::current().id()).await.unwrap();
        assert_ne!(worker, caller);
    }

    #[tokio::test]
    #[should_panic(expected = "simulated bug")]
    async fn a_panic_inside_reaches_the_caller() {
        let _ = off_workers(|| panic!("simulated bug")).await;
    }
}
