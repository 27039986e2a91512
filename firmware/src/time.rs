//! Time from SysTick: a millisecond counter, the [`ml302::Clock`] the clients
//! read, an async [`DelayNs`] and a blocking [`SysTickSleep`].

use core::future::poll_fn;
use core::sync::atomic::{AtomicU32, Ordering};
use core::task::Poll;

use cortex_m::peripheral::syst::SystClkSource;
use cortex_m_rt::exception;
use embedded_hal_async::delay::DelayNs;

use crate::uart::WakerSlot;

/// Milliseconds since [`start`], wrapping after 49 days.
static TICKS: AtomicU32 = AtomicU32::new(0);
static TICK_WAKER: WakerSlot = WakerSlot::new();

/// Starts SysTick at 1 kHz from the processor clock.
pub fn start() {
    // SAFETY: SysTick is used by this module only; the firmware never calls
    // `Peripherals::take`.
    let mut syst = unsafe { cortex_m::Peripherals::steal() }.SYST;
    syst.set_clock_source(SystClkSource::Core);
    syst.set_reload(crate::SYSCLK_HZ / 1_000 - 1);
    syst.clear_current();
    syst.enable_interrupt();
    syst.enable_counter();
}

/// The raw millisecond counter.
pub fn ticks() -> u32 {
    TICKS.load(Ordering::Relaxed)
}

#[exception]
fn SysTick() {
    TICKS.fetch_add(1, Ordering::Relaxed);
    TICK_WAKER.wake();
}

/// The clock the clients read: the SysTick counter widened to 64 bits.
#[derive(Debug, Default, Clone, Copy)]
pub struct SysTickClock {
    high: u32,
    last: u32,
}

impl SysTickClock {
    /// A clock over the running SysTick counter.
    pub const fn new() -> Self {
        Self { high: 0, last: 0 }
    }
}

impl ml302::Clock for SysTickClock {
    fn now_ms(&mut self) -> u64 {
        let now = ticks();
        if now < self.last {
            self.high = self.high.wrapping_add(1);
        }
        self.last = now;
        (u64::from(self.high) << 32) | u64::from(now)
    }

    /// Sleeps until the next interrupt: a received byte or the next tick.
    fn idle(&mut self) {
        cortex_m::asm::wfi();
    }
}

/// An async delay with millisecond resolution (rounded up, plus the tick in
/// progress), woken by SysTick. One waiter at a time.
#[derive(Debug, Default, Clone, Copy)]
pub struct SysTickDelay;

impl DelayNs for SysTickDelay {
    async fn delay_ns(&mut self, ns: u32) {
        self.delay_ms(ns.div_ceil(1_000_000)).await;
    }

    async fn delay_us(&mut self, us: u32) {
        self.delay_ms(us.div_ceil(1_000)).await;
    }

    async fn delay_ms(&mut self, ms: u32) {
        let start = ticks();
        // The tick in progress may be almost over: wait one more.
        let wait = ms.saturating_add(1);
        poll_fn(|cx| {
            if ticks().wrapping_sub(start) >= wait {
                return Poll::Ready(());
            }
            TICK_WAKER.register(cx.waker());
            if ticks().wrapping_sub(start) >= wait {
                Poll::Ready(())
            } else {
                Poll::Pending
            }
        })
        .await;
    }
}

/// A blocking [`embedded_hal::delay::DelayNs`] with millisecond resolution:
/// sleeps with `wfi` until SysTick has counted the time (rounded up to whole
/// milliseconds, plus the tick in progress, so never shorter than asked).
#[derive(Debug, Default, Clone, Copy)]
pub struct SysTickSleep;

impl embedded_hal::delay::DelayNs for SysTickSleep {
    fn delay_ns(&mut self, ns: u32) {
        let start = ticks();
        let wait = ns.div_ceil(1_000_000).saturating_add(1);
        while ticks().wrapping_sub(start) < wait {
            cortex_m::asm::wfi();
        }
    }
}
