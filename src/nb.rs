//! UARTs of `embedded-hal-nb` as ports of the blocking client (feature `nb`).
//!
//! Many HALs offer their serial ports only through the nb-based traits
//! [`embedded_hal_nb::serial::Read`] and [`Write`](embedded_hal_nb::serial::Write),
//! one word at a time, answering `WouldBlock` while nothing is there.
//! [`NbSerial`] turns such a UART into the `embedded_io::{Read, ReadReady, Write}`
//! port that [`crate::blocking::Client`] takes:
//!
//! * `read_ready` asks the UART for one byte; a byte it gets is kept for the next
//!   `read` (one byte of look-ahead), `WouldBlock` is "not ready";
//! * `read` blocks for the first byte, as embedded-io specifies (the client only
//!   calls it when `read_ready` said yes), then takes what else is there without
//!   waiting;
//! * `write` and `flush` wait for the UART word by word.
//!
//! A receive error (overrun, framing, parity, noise) is returned once, after any
//! bytes read before it, as an [`NbError`] whose kind is `InvalidData` (framing,
//! parity, noise) or `Other` (overrun and the rest).
//!
//! ```
//! use embedded_hal_nb::{nb, serial};
//! use ml302::{blocking::Client, nb::NbSerial, Clock};
//!
//! // Stands for a HAL's UART: nothing ever arrives, writes go nowhere.
//! struct HalUart;
//! impl serial::ErrorType for HalUart { type Error = serial::ErrorKind; }
//! impl serial::Read for HalUart {
//!     fn read(&mut self) -> nb::Result<u8, Self::Error> { Err(nb::Error::WouldBlock) }
//! }
//! impl serial::Write for HalUart {
//!     fn write(&mut self, _word: u8) -> nb::Result<(), Self::Error> { Ok(()) }
//!     fn flush(&mut self) -> nb::Result<(), Self::Error> { Ok(()) }
//! }
//! struct Ticks(u64);
//! impl Clock for Ticks {
//!     fn now_ms(&mut self) -> u64 { self.0 += 1; self.0 }
//! }
//!
//! let mut client: Client<_, _, 512, 1024, 1, 2> = Client::new(NbSerial::new(HalUart), Ticks(0));
//! // A silent modem: the start-up ends with its own time-out.
//! assert_eq!(client.start(), Err(ml302::Error::Timeout));
//! ```

use core::fmt;

use embedded_hal_nb::nb;
use embedded_hal_nb::serial;

/// An `embedded-hal-nb` UART as an `embedded-io` port (see the module docs).
#[derive(Debug)]
pub struct NbSerial<S: serial::ErrorType> {
    uart: S,
    /// A byte `read_ready` took from the UART and `read` has not handed out.
    ahead: Option<u8>,
    /// A receive error met after bytes already read; reported by the next call.
    error: Option<S::Error>,
}

impl<S: serial::ErrorType> NbSerial<S> {
    /// The port over `uart`.
    pub const fn new(uart: S) -> Self {
        Self {
            uart,
            ahead: None,
            error: None,
        }
    }

    /// Gives the UART back (with a byte read ahead, if any).
    pub fn release(self) -> (S, Option<u8>) {
        (self.uart, self.ahead)
    }
}

/// A serial error of the UART, with its `embedded-io` kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NbError<E>(pub E);

impl<E: serial::Error> fmt::Display for NbError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "UART error: {:?}", self.0.kind())
    }
}

impl<E: serial::Error> core::error::Error for NbError<E> {}

impl<E: serial::Error> embedded_io::Error for NbError<E> {
    fn kind(&self) -> embedded_io::ErrorKind {
        match self.0.kind() {
            serial::ErrorKind::FrameFormat
            | serial::ErrorKind::Parity
            | serial::ErrorKind::Noise => embedded_io::ErrorKind::InvalidData,
            _ => embedded_io::ErrorKind::Other,
        }
    }
}

impl<S: serial::ErrorType> embedded_io::ErrorType for NbSerial<S> {
    type Error = NbError<S::Error>;
}

impl<S: serial::Read<u8>> NbSerial<S> {
    /// The next byte: the one read ahead, else the UART's (`WouldBlock` when
    /// nothing is there).
    fn next(&mut self) -> nb::Result<u8, S::Error> {
        if let Some(e) = self.error.take() {
            return Err(nb::Error::Other(e));
        }
        match self.ahead.take() {
            Some(b) => Ok(b),
            None => self.uart.read(),
        }
    }
}

impl<S: serial::Read<u8>> embedded_io::ReadReady for NbSerial<S> {
    fn read_ready(&mut self) -> Result<bool, Self::Error> {
        if self.ahead.is_some() || self.error.is_some() {
            return Ok(true);
        }
        match self.uart.read() {
            Ok(b) => {
                self.ahead = Some(b);
                Ok(true)
            }
            Err(nb::Error::WouldBlock) => Ok(false),
            Err(nb::Error::Other(e)) => Err(NbError(e)),
        }
    }
}

impl<S: serial::Read<u8>> embedded_io::Read for NbSerial<S> {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, Self::Error> {
        let mut n = 0;
        for slot in buf.iter_mut() {
            let byte = if n == 0 {
                // Blocks until the first byte, as embedded-io specifies.
                loop {
                    match self.next() {
                        Err(nb::Error::WouldBlock) => {}
                        other => break other,
                    }
                }
            } else {
                self.next()
            };
            match byte {
                Ok(b) => {
                    *slot = b;
                    n += 1;
                }
                Err(nb::Error::WouldBlock) => break,
                Err(nb::Error::Other(e)) if n == 0 => return Err(NbError(e)),
                Err(nb::Error::Other(e)) => {
                    self.error = Some(e);
                    break;
                }
            }
        }
        Ok(n)
    }
}

impl<S: serial::Write<u8>> embedded_io::Write for NbSerial<S> {
    fn write(&mut self, buf: &[u8]) -> Result<usize, Self::Error> {
        for &b in buf {
            nb::block!(self.uart.write(b)).map_err(NbError)?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> Result<(), Self::Error> {
        nb::block!(self.uart.flush()).map_err(NbError)
    }
}
