//! Time for the client faces: a millisecond clock the caller provides, and
//! [`DelayIdle`] to idle through an embedded-hal delay.

use embedded_hal::delay::DelayNs;

/// A monotonic millisecond clock. On a microcontroller, implement it over SysTick
/// or a hardware timer; on a host, use `StdClock` (feature `std`).
pub trait Clock {
    /// Milliseconds since an arbitrary start; must never go backwards.
    fn now_ms(&mut self) -> u64;

    /// Called while the blocking client waits for bytes; the default does
    /// nothing (busy polling). A host clock sleeps briefly; firmware may `wfi`.
    fn idle(&mut self) {}
}

/// A [`Clock`] that idles through an embedded-hal [`DelayNs`]: the blocking
/// client then waits between looks at the port by sleeping `idle_us`
/// microseconds instead of spinning (embedded-hal 1.0 on bare metal).
///
/// Time still comes from `clock`; the delay only paces the polling. Pick
/// `idle_us` shorter than the time the UART's receive buffer takes to fill:
/// with an interrupt-fed ring that is generous (a 1 KiB ring lasts about 90 ms
/// at 115 200 baud), with a bare 16-byte hardware FIFO it is about 1.4 ms.
///
/// ```
/// use ml302::{clock::DelayIdle, Clock};
/// # struct Ticks(u64);
/// # impl Clock for Ticks { fn now_ms(&mut self) -> u64 { self.0 } }
/// # struct Delay(u32);
/// # impl embedded_hal::delay::DelayNs for Delay { fn delay_ns(&mut self, ns: u32) { self.0 += ns; } }
/// let mut clock = DelayIdle::new(Ticks(0), Delay(0), 200);
/// clock.idle();
/// assert_eq!(clock.delay().0, 200_000);
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct DelayIdle<C, D> {
    clock: C,
    delay: D,
    idle_us: u32,
}

impl<C: Clock, D: DelayNs> DelayIdle<C, D> {
    /// Time from `clock`, idling `idle_us` microseconds with `delay`.
    pub const fn new(clock: C, delay: D, idle_us: u32) -> Self {
        Self {
            clock,
            delay,
            idle_us,
        }
    }

    /// The delay (for example to use it between operations).
    pub fn delay(&mut self) -> &mut D {
        &mut self.delay
    }

    /// Gives the clock and the delay back.
    pub fn release(self) -> (C, D) {
        (self.clock, self.delay)
    }
}

impl<C: Clock, D: DelayNs> Clock for DelayIdle<C, D> {
    fn now_ms(&mut self) -> u64 {
        self.clock.now_ms()
    }

    /// Sleeps `idle_us` with the delay (the wrapped clock's own `idle` is not
    /// called).
    fn idle(&mut self) {
        self.delay.delay_us(self.idle_us);
    }
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
