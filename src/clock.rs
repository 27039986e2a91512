//! Time for the client faces: a millisecond clock the caller provides.

/// A monotonic millisecond clock. On a microcontroller, implement it over SysTick
/// or a hardware timer; on a host, use `StdClock` (feature `std`).
pub trait Clock {
    /// Milliseconds since an arbitrary start; must never go backwards.
    fn now_ms(&mut self) -> u64;

    /// Called while the blocking client waits for bytes; the default does
    /// nothing (busy polling). A host clock sleeps briefly; firmware may `wfi`.
    fn idle(&mut self) {}
}

/// The host clock: `std::time::Instant`, sleeping 1 ms while idle.
#[cfg(feature = "std")]
#[derive(Debug, Clone, Copy)]
pub struct StdClock {
    start: std::time::Instant,
}

#[cfg(feature = "std")]
impl StdClock {
    /// A clock starting now.
    pub fn new() -> Self {
        Self {
            start: std::time::Instant::now(),
        }
    }
}

#[cfg(feature = "std")]
impl Default for StdClock {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(feature = "std")]
impl Clock for StdClock {
    fn now_ms(&mut self) -> u64 {
        u64::try_from(self.start.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    fn idle(&mut self) {
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
}
