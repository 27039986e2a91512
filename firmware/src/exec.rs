//! A no-alloc executor for one future: poll, then sleep with `wfi` until an
//! interrupt handler wakes it.

use core::future::Future;
use core::pin::pin;
use core::sync::atomic::{AtomicBool, Ordering};
use core::task::{Context, Poll, RawWaker, RawWakerVTable, Waker};

static WOKEN: AtomicBool = AtomicBool::new(false);

fn raw_waker() -> RawWaker {
    RawWaker::new(core::ptr::null(), &VTABLE)
}

static VTABLE: RawWakerVTable = RawWakerVTable::new(
    |_| raw_waker(),
    |_| WOKEN.store(true, Ordering::Release),
    |_| WOKEN.store(true, Ordering::Release),
    |_| {},
);

/// Runs `fut` to completion on the current (thread-mode) stack.
///
/// The waker only sets a flag, so it may be cloned, kept and woken from any
/// interrupt handler. Between polls the core sleeps: interrupts are masked while
/// the flag is checked, and `wfi` still returns on a pending interrupt, so a wake
/// between the check and the sleep is not lost.
///
/// Inlined, so that the future is built where it is pinned rather than built in
/// the caller's frame and moved (an async client's future is several KiB).
#[inline(always)]
pub fn block_on<F: Future>(fut: F) -> F::Output {
    let mut fut = pin!(fut);
    // SAFETY: the vtable's functions ignore the data pointer and only touch the
    // `WOKEN` flag, which is thread-safe.
    let waker = unsafe { Waker::from_raw(raw_waker()) };
    let mut cx = Context::from_waker(&waker);
    loop {
        WOKEN.store(false, Ordering::Release);
        if let Poll::Ready(out) = fut.as_mut().poll(&mut cx) {
            return out;
        }
        loop {
            cortex_m::interrupt::disable();
            if WOKEN.load(Ordering::Acquire) {
                // SAFETY: re-enables what was enabled before this loop.
                unsafe { cortex_m::interrupt::enable() };
                break;
            }
            cortex_m::asm::wfi();
            // SAFETY: as above; the pending handler runs now.
            unsafe { cortex_m::interrupt::enable() };
        }
    }
}
