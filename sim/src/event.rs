//! What the module thread is told: serial input, broker-link events, faults and
//! the end of the simulation. The serial readers, the link threads and the
//! [`Simulator`](crate::Simulator) handle send these; only the module thread reads them.

use crate::config::Fault;
use crate::mqtt::LinkEvent;

/// Input of the module thread.
#[derive(Debug)]
pub(crate) enum CoreEvent {
    /// Bytes from the serial line.
    Input(Vec<u8>),
    /// Something happened on broker link number `.0`.
    Link(u64, LinkEvent),
    /// A fault to inject.
    Fault(Fault),
    /// Power off for good (simulator shutdown).
    Shutdown,
}
