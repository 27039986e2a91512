//! The host serial-port adapter (feature `std`): opens a USB-serial modem by path
//! with explicit settings and exposes it through the `embedded-io` traits the
//! clients take.
//!
//! Settings: the given baud rate, 8 data bits, no parity, 1 stop bit, no flow
//! control. `read_ready` asks the driver how many bytes wait
//! (`bytes_to_read`), so the blocking client reads only what is there; a `read`
//! with nothing to deliver still ends after a short time-out
//! (`ErrorKind::TimedOut`) for callers that read without asking.
//! Built without libudev (`serialport` with default features off).

use std::io::{Read as _, Write as _};
use std::time::Duration;

/// Read time-out of the port: how long one `read` may wait for the first byte.
pub const READ_TIMEOUT: Duration = Duration::from_millis(10);

/// A serial port opened with the driver's settings.
pub struct SerialPort {
    inner: Box<dyn serialport::SerialPort>,
    path: String,
}

impl core::fmt::Debug for SerialPort {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SerialPort")
            .field("path", &self.path)
            .finish()
    }
}

/// Why a port could not be opened or used.
#[derive(Debug, thiserror::Error)]
pub enum SerialError {
    /// The device does not exist.
    #[error("{path}: no such device")]
    NotFound {
        /// The path given.
        path: String,
    },
    /// The device exists but could not be opened (busy, permissions, not a tty).
    #[error("{path}: {reason}")]
    Open {
        /// The path given.
        path: String,
        /// What the system said.
        reason: String,
    },
}

impl SerialPort {
    /// Opens `path` at `baud`, 8N1, no flow control.
    pub fn open(path: &str, baud: u32) -> Result<Self, SerialError> {
        if !std::path::Path::new(path).exists() {
            return Err(SerialError::NotFound {
                path: path.to_owned(),
            });
        }
        let inner = serialport::new(path, baud)
            .data_bits(serialport::DataBits::Eight)
            .parity(serialport::Parity::None)
            .stop_bits(serialport::StopBits::One)
            .flow_control(serialport::FlowControl::None)
            .timeout(READ_TIMEOUT)
            .open()
            .map_err(|e| SerialError::Open {
                path: path.to_owned(),
                reason: e.description,
            })?;
        Ok(Self {
            inner,
            path: path.to_owned(),
        })
    }

    /// The device path.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// Discards anything received but not yet read.
    pub fn clear_input(&mut self) -> std::io::Result<()> {
        self.inner
            .clear(serialport::ClearBuffer::Input)
            .map_err(std::io::Error::other)
    }
}

/// An I/O error of the port, with its `embedded-io` kind.
#[derive(Debug)]
pub struct PortError(std::io::Error);

impl core::fmt::Display for PortError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for PortError {}

impl embedded_io::Error for PortError {
    fn kind(&self) -> embedded_io::ErrorKind {
        match self.0.kind() {
            std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock => {
                embedded_io::ErrorKind::TimedOut
            }
            std::io::ErrorKind::Interrupted => embedded_io::ErrorKind::Interrupted,
            std::io::ErrorKind::NotFound => embedded_io::ErrorKind::NotFound,
            std::io::ErrorKind::PermissionDenied => embedded_io::ErrorKind::PermissionDenied,
            std::io::ErrorKind::BrokenPipe => embedded_io::ErrorKind::BrokenPipe,
            _ => embedded_io::ErrorKind::Other,
        }
    }
}

impl embedded_io::ErrorType for SerialPort {
    type Error = PortError;
}

impl embedded_io::Read for SerialPort {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, Self::Error> {
        self.inner.read(buf).map_err(PortError)
    }
}

impl embedded_io::ReadReady for SerialPort {
    /// Whether the driver holds received bytes (`bytes_to_read() > 0`).
    fn read_ready(&mut self) -> Result<bool, Self::Error> {
        self.inner
            .bytes_to_read()
            .map(|n| n > 0)
            .map_err(|e| PortError(e.into()))
    }
}

impl embedded_io::Write for SerialPort {
    fn write(&mut self, buf: &[u8]) -> Result<usize, Self::Error> {
        self.inner.write(buf).map_err(PortError)
    }

    fn flush(&mut self) -> Result<(), Self::Error> {
        self.inner.flush().map_err(PortError)
    }
}
