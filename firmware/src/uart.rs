//! UART0 of the LM3S6965 (a PL011 variant at `0x4000_C000`, interrupt 5).
//!
//! Received bytes reach the program only through the RX interrupt: the handler
//! moves everything in the hardware FIFO into a lock-free single-producer,
//! single-consumer ring ([`heapless::spsc::Queue`]); [`Uart`] holds the consumer
//! end. Writes go straight to the transmit FIFO.
//!
//! [`Uart`] is an `embedded_io` port as embedded-io specifies it: `read` blocks
//! (sleeping with `wfi`) until the ring holds a byte, `read_ready` says whether
//! it does. [`NbUart`] offers the same UART through the nb-based serial traits of
//! `embedded-hal-nb`, one byte per call, as many HALs do.

use core::cell::{Cell, UnsafeCell};
use core::convert::Infallible;
use core::future::poll_fn;
use core::ptr::{read_volatile, write_volatile};
use core::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use core::task::{Poll, Waker};

use cortex_m::peripheral::NVIC;
use critical_section::Mutex;
use embedded_hal_nb::nb;
use heapless::spsc::{Consumer, Producer, Queue};

/// Capacity of the receive ring, in bytes (one slot of the queue stays free).
pub const RX_RING: usize = 1024;

const UART0_BASE: usize = 0x4000_C000;
const DR: usize = 0x000;
const FR: usize = 0x018;
const IBRD: usize = 0x024;
const FBRD: usize = 0x028;
const LCRH: usize = 0x02C;
const CTL: usize = 0x030;
const IM: usize = 0x038;
const ICR: usize = 0x044;

const FR_BUSY: u32 = 1 << 3;
const FR_RXFE: u32 = 1 << 4;
const FR_TXFF: u32 = 1 << 5;
const LCRH_FEN: u32 = 1 << 4;
const LCRH_WLEN_8: u32 = 0b11 << 5;
const CTL_UARTEN: u32 = 1 << 0;
const CTL_TXE: u32 = 1 << 8;
const CTL_RXE: u32 = 1 << 9;
/// RX FIFO level, receive time-out and overrun interrupts.
const IM_RX: u32 = (1 << 4) | (1 << 6) | (1 << 10);

/// System control: run-mode clock gating for UART0 and GPIO port A.
const SYSCTL_RCGC1: usize = 0x400F_E104;
const SYSCTL_RCGC2: usize = 0x400F_E108;
/// GPIO port A: PA0 = U0Rx, PA1 = U0Tx as alternate functions.
const GPIOA_AFSEL: usize = 0x4000_4420;
const GPIOA_DEN: usize = 0x4000_451C;

/// Interrupt number of UART0 in the LM3S6965 vector table.
pub const UART0_IRQ: u16 = 5;

/// The serial line's speed (irrelevant under QEMU, real on the evaluation board).
pub const BAUD: u32 = 115_200;

#[derive(Clone, Copy)]
struct Uart0Irq;

// SAFETY: 5 is UART0's position in the LM3S6965 vector table (see `VECTORS`).
unsafe impl cortex_m::interrupt::InterruptNumber for Uart0Irq {
    fn number(self) -> u16 {
        UART0_IRQ
    }
}

fn reg(offset: usize) -> *mut u32 {
    (UART0_BASE + offset) as *mut u32
}

fn read_reg(offset: usize) -> u32 {
    // SAFETY: an aligned UART0 register of the LM3S6965 memory map.
    unsafe { read_volatile(reg(offset)) }
}

fn write_reg(offset: usize, value: u32) {
    // SAFETY: an aligned UART0 register of the LM3S6965 memory map.
    unsafe { write_volatile(reg(offset), value) }
}

fn set_bits(addr: usize, bits: u32) {
    // SAFETY: an aligned system-control or GPIO register of the LM3S6965.
    unsafe { write_volatile(addr as *mut u32, read_volatile(addr as *const u32) | bits) }
}

/// The receive ring and its producer end, shared by [`Uart::take`] (once,
/// before the interrupt is unmasked) and the UART0 handler (afterwards).
struct RxShared {
    queue: UnsafeCell<Queue<u8, RX_RING>>,
    producer: UnsafeCell<Option<Producer<'static, u8>>>,
}

// SAFETY: `queue` is split once, under `TAKEN`; `producer` is written once by
// `Uart::take` while the interrupt is masked and only used by the handler after.
unsafe impl Sync for RxShared {}

static RX: RxShared = RxShared {
    queue: UnsafeCell::new(Queue::new()),
    producer: UnsafeCell::new(None),
};
static TAKEN: AtomicBool = AtomicBool::new(false);
static RX_WAKER: WakerSlot = WakerSlot::new();
/// Bytes the ring had no room for (the producer drops them; the count tells).
static RX_DROPPED: AtomicU32 = AtomicU32::new(0);

extern "C" {
    fn GPIOA();
    fn GPIOB();
    fn GPIOC();
    fn GPIOD();
    fn GPIOE();
}

/// An entry of the device part of the vector table.
#[repr(C)]
pub union Vector {
    handler: unsafe extern "C" fn(),
}

/// Device interrupts 0–5 of the LM3S6965 (GPIO A–E, UART0); cortex-m-rt places
/// it after the core exceptions.
#[link_section = ".vector_table.interrupts"]
#[no_mangle]
pub static __INTERRUPTS: [Vector; 6] = [
    Vector { handler: GPIOA },
    Vector { handler: GPIOB },
    Vector { handler: GPIOC },
    Vector { handler: GPIOD },
    Vector { handler: GPIOE },
    Vector { handler: UART0 },
];

/// The UART0 receive interrupt: drains the hardware FIFO into the ring and
/// wakes an async reader.
#[no_mangle]
extern "C" fn UART0() {
    // SAFETY: only this handler uses the producer once `Uart::take` stored it
    // (before it unmasked the interrupt), and the handler does not preempt itself.
    let producer = unsafe { &mut *RX.producer.get() };
    write_reg(ICR, IM_RX);
    let mut any = false;
    while read_reg(FR) & FR_RXFE == 0 {
        let byte = (read_reg(DR) & 0xFF) as u8;
        any = true;
        let stored = match producer {
            Some(p) => p.enqueue(byte).is_ok(),
            None => false,
        };
        if !stored {
            RX_DROPPED.fetch_add(1, Ordering::Relaxed);
        }
    }
    if any {
        RX_WAKER.wake();
    }
}

/// UART0 as the modem's port (see the module docs).
pub struct Uart {
    rx: Consumer<'static, u8>,
}

impl Uart {
    /// Sets UART0 up (8N1, FIFOs on, RX interrupt unmasked) and returns the port;
    /// `None` when it was already taken.
    pub fn take() -> Option<Self> {
        if TAKEN.swap(true, Ordering::AcqRel) {
            return None;
        }
        // SAFETY: `TAKEN` makes this the only split of the queue; the UART0
        // interrupt is still masked, so nothing else touches `RX_PRODUCER` yet.
        let queue: &'static mut Queue<u8, RX_RING> = unsafe { &mut *RX.queue.get() };
        let (producer, consumer) = queue.split();
        // SAFETY: as above; the handler cannot run yet.
        unsafe { *RX.producer.get() = Some(producer) };

        set_bits(SYSCTL_RCGC1, 1);
        set_bits(SYSCTL_RCGC2, 1);
        set_bits(GPIOA_AFSEL, 0b11);
        set_bits(GPIOA_DEN, 0b11);

        write_reg(CTL, 0);
        // Divisor = SYSCLK / (16 × baud), fraction in 64ths, rounded.
        let div64 = (super::SYSCLK_HZ * 4 + BAUD / 2) / BAUD;
        write_reg(IBRD, div64 / 64);
        write_reg(FBRD, div64 % 64);
        write_reg(LCRH, LCRH_WLEN_8 | LCRH_FEN);
        write_reg(IM, IM_RX);
        write_reg(CTL, CTL_UARTEN | CTL_TXE | CTL_RXE);
        // SAFETY: the handler and its state are ready.
        unsafe { NVIC::unmask(Uart0Irq) };
        Some(Self { rx: consumer })
    }

    /// Moves what the ring holds into `buf`; returns how many bytes.
    pub fn drain(&mut self, buf: &mut [u8]) -> usize {
        let mut n = 0;
        for slot in buf.iter_mut() {
            match self.rx.dequeue() {
                Some(b) => {
                    *slot = b;
                    n += 1;
                }
                None => break,
            }
        }
        n
    }

    /// Bytes lost because the ring was full.
    pub fn dropped(&self) -> u32 {
        RX_DROPPED.load(Ordering::Relaxed)
    }

    /// Puts `byte` into the transmit FIFO if it has room; `false` when full.
    pub fn try_send(&mut self, byte: u8) -> bool {
        if read_reg(FR) & FR_TXFF != 0 {
            return false;
        }
        write_reg(DR, u32::from(byte));
        true
    }

    /// Whether the transmitter has sent everything.
    pub fn sent(&self) -> bool {
        read_reg(FR) & FR_BUSY == 0
    }

    fn send(&mut self, bytes: &[u8]) {
        send(bytes);
    }

    fn wait_sent(&mut self) {
        wait_sent();
    }

    /// The receive and transmit halves, usable at the same time (for
    /// `ml302::split`, whose runner keeps a read in flight while it writes).
    pub fn split(self) -> (UartRx, UartTx) {
        (UartRx(self), UartTx(()))
    }
}

/// Puts `bytes` into the transmit FIFO, waiting for room.
fn send(bytes: &[u8]) {
    for &b in bytes {
        while read_reg(FR) & FR_TXFF != 0 {}
        write_reg(DR, u32::from(b));
    }
}

/// Waits until the transmitter has sent everything.
fn wait_sent() {
    while read_reg(FR) & FR_BUSY != 0 {}
}

/// The receive half of UART0: the interrupt-fed ring.
pub struct UartRx(Uart);

/// The transmit half of UART0 (the transmit FIFO's registers).
pub struct UartTx(());

impl embedded_io::ErrorType for UartRx {
    type Error = Infallible;
}

impl embedded_io_async::Read for UartRx {
    /// As [`Uart`]'s: waits until the RX interrupt has put a byte into the ring.
    async fn read(&mut self, buf: &mut [u8]) -> Result<usize, Infallible> {
        embedded_io_async::Read::read(&mut self.0, buf).await
    }
}

impl embedded_io::ErrorType for UartTx {
    type Error = Infallible;
}

impl embedded_io_async::Write for UartTx {
    async fn write(&mut self, buf: &[u8]) -> Result<usize, Infallible> {
        send(buf);
        Ok(buf.len())
    }

    async fn write_all(&mut self, buf: &[u8]) -> Result<(), Infallible> {
        send(buf);
        Ok(())
    }

    async fn flush(&mut self) -> Result<(), Infallible> {
        wait_sent();
        Ok(())
    }
}

impl embedded_io::ErrorType for Uart {
    type Error = Infallible;
}

impl embedded_io::Read for Uart {
    /// Returns what the RX interrupt has put into the ring; when it is empty,
    /// sleeps (`wfi`) until a byte arrives, as embedded-io specifies. A byte
    /// landing between the look and the `wfi` is seen at the next SysTick.
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, Infallible> {
        loop {
            let n = self.drain(buf);
            if n > 0 || buf.is_empty() {
                return Ok(n);
            }
            cortex_m::asm::wfi();
        }
    }
}

impl embedded_io::ReadReady for Uart {
    /// Whether the ring holds a byte.
    fn read_ready(&mut self) -> Result<bool, Infallible> {
        Ok(self.rx.ready())
    }
}

impl embedded_io::Write for Uart {
    fn write(&mut self, buf: &[u8]) -> Result<usize, Infallible> {
        self.send(buf);
        Ok(buf.len())
    }

    fn write_all(&mut self, buf: &[u8]) -> Result<(), Infallible> {
        self.send(buf);
        Ok(())
    }

    fn flush(&mut self) -> Result<(), Infallible> {
        self.wait_sent();
        Ok(())
    }
}

impl embedded_io_async::Read for Uart {
    /// Waits until the RX interrupt has put at least one byte into the ring.
    async fn read(&mut self, buf: &mut [u8]) -> Result<usize, Infallible> {
        if buf.is_empty() {
            return Ok(0);
        }
        poll_fn(|cx| {
            let n = self.drain(buf);
            if n > 0 {
                return Poll::Ready(Ok(n));
            }
            RX_WAKER.register(cx.waker());
            // A byte may have arrived between the drain and the registration.
            match self.drain(buf) {
                0 => Poll::Pending,
                n => Poll::Ready(Ok(n)),
            }
        })
        .await
    }
}

impl embedded_io_async::Write for Uart {
    async fn write(&mut self, buf: &[u8]) -> Result<usize, Infallible> {
        self.send(buf);
        Ok(buf.len())
    }

    async fn write_all(&mut self, buf: &[u8]) -> Result<(), Infallible> {
        self.send(buf);
        Ok(())
    }

    async fn flush(&mut self) -> Result<(), Infallible> {
        self.wait_sent();
        Ok(())
    }
}

/// UART0 through `embedded_hal_nb::serial::{Read, Write}`: a byte per call,
/// `WouldBlock` while the receive ring is empty or the transmit FIFO full — the
/// shape of many HALs' serial ports. `ml302::nb::NbSerial` makes it a port of
/// the blocking client again.
pub struct NbUart(Uart);

impl NbUart {
    /// The nb face of `uart`.
    pub fn new(uart: Uart) -> Self {
        Self(uart)
    }
}

impl embedded_hal_nb::serial::ErrorType for NbUart {
    type Error = Infallible;
}

impl embedded_hal_nb::serial::Read<u8> for NbUart {
    fn read(&mut self) -> nb::Result<u8, Infallible> {
        self.0.rx.dequeue().ok_or(nb::Error::WouldBlock)
    }
}

impl embedded_hal_nb::serial::Write<u8> for NbUart {
    fn write(&mut self, word: u8) -> nb::Result<(), Infallible> {
        if self.0.try_send(word) {
            Ok(())
        } else {
            Err(nb::Error::WouldBlock)
        }
    }

    fn flush(&mut self) -> nb::Result<(), Infallible> {
        if self.0.sent() {
            Ok(())
        } else {
            Err(nb::Error::WouldBlock)
        }
    }
}

/// One waker, registered by a future and woken by an interrupt handler.
pub struct WakerSlot(Mutex<Cell<Option<Waker>>>);

impl WakerSlot {
    /// An empty slot.
    pub const fn new() -> Self {
        Self(Mutex::new(Cell::new(None)))
    }

    /// Stores `waker` (replacing a different one).
    pub fn register(&self, waker: &Waker) {
        critical_section::with(|cs| {
            let cell = self.0.borrow(cs);
            match cell.take() {
                Some(w) if w.will_wake(waker) => cell.set(Some(w)),
                _ => cell.set(Some(waker.clone())),
            }
        });
    }

    /// Wakes and forgets the stored waker, if any.
    pub fn wake(&self) {
        if let Some(w) = critical_section::with(|cs| self.0.borrow(cs).take()) {
            w.wake();
        }
    }
}

impl Default for WakerSlot {
    fn default() -> Self {
        Self::new()
    }
}
