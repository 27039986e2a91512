//! The outbound queue: publishes accepted while the link is down and sent, in
//! order, once it is back; every message's fate reported.
//!
//! An [`Outbox`] is plain static memory sized by const generics (no
//! allocation), owned by the caller beside the client, so it survives anything
//! that happens to the module: a lost broker connection, a PDP context taken
//! down, a reboot, a new client on a reopened port. [`Outbox::push`] validates
//! a publish and queues it with a [`MessageId`]; the client's `flush_outbox`
//! (on every face) sends queued messages oldest first while the link is up.
//! Each message ends in exactly one [`Report`], read with
//! [`Outbox::next_report`]: delivered (with the broker's packet id), failed
//! (with the error, for a reason no retry can fix) or expired (older than
//! [`Outbox::with_max_age_ms`]). Reports share the outbox's capacity with the
//! queued messages, so none is ever dropped: a full outbox refuses the next
//! push with [`Error::QueueFull`] until reports are read or messages leave.
//!
//! # What each QoS can promise over an AT interface
//!
//! The module, not the host, runs MQTT: the host only learns a publish's
//! outcome from the module's answer (`OK`, then `+MQTTPUBACK` /
//! `+MQTTPUBCOMP`). When that answer does not come (ACK time-out, the link
//! broke, the module rebooted, nothing on the line), the outcome is unknown and
//! the outbox sends the message again once the link is back (republication):
//!
//! - **QoS 0**: at most once per attempt; a message sent when the link was
//!   silently broken may be lost, and one retried after an unknown outcome may
//!   arrive twice.
//! - **QoS 1**: at least once, as long as the message leaves the outbox before
//!   it expires: a retry after an unknown outcome may duplicate it (the
//!   subscriber deduplicates, for example by a sequence number in the payload).
//! - **QoS 2**: exactly once *only while the module keeps its MQTT session*.
//!   The module holds the QoS 2 packet state (PUBREC/PUBREL) itself and the AT
//!   interface offers no way to resume it: a retry is a new PUBLISH with a new
//!   packet id, so after a module restart, a deleted client (`AT+MQTTDEL`) or
//!   a clean session it can arrive twice, like QoS 1. `+CME ERROR: 611`
//!   (PUBCOMP failed) means the broker already took the message: it is
//!   reported delivered and not sent again.
//!
//! A publish refused for a reason a retry cannot fix (an invalid topic or
//! payload, `+CME ERROR: 601`) is refused by `push` when it can be seen there,
//! and otherwise fails at its first attempt; it is never retried.
//!
//! ```
//! use ml302::outbox::{Outbox, Report};
//! use ml302::QoS;
//!
//! // Four messages of up to 64-byte topics and 256-byte payloads.
//! let mut outbox: Outbox<4, 64, 256> = Outbox::new().with_max_age_ms(60_000);
//! let id = outbox.push("dev/t", b"21.5", QoS::AtLeastOnce, false, 0)?;
//! assert_eq!(outbox.len(), 1);
//! // ... later, with the link up: `client.flush_outbox(&mut outbox)?;`
//! // Nothing was sent here; after a minute the message expires:
//! outbox.expire(60_001);
//! assert_eq!(outbox.next_report(), Some(Report::Expired { id, attempts: 0 }));
//! # Ok::<(), ml302::Error>(())
//! ```
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

#[macro_use]
mod flush;

use heapless::{Deque, String, Vec};

use crate::command::publish::{max_length_cap, Publish};
use crate::error::{CmeError, Error, ValidationError};
use crate::session::Published;
use crate::types::QoS;

/// The id an [`Outbox`] gives a queued message, unique within that outbox
/// (it counts up from 1 and wraps after 2³² messages).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct MessageId(pub u32);

/// The fate of a queued message: exactly one per message.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Report {
    /// The module confirmed the publish (`OK` at QoS 0; `+MQTTPUBACK` /
    /// `+MQTTPUBCOMP` at QoS 1 / 2, whose packet id is given).
    Delivered {
        /// The message.
        id: MessageId,
        /// The broker's packet id (`None` at QoS 0, or after `+CME ERROR: 611`).
        packet_id: Option<u16>,
        /// How many times it was sent (more than 1: it may have arrived twice).
        attempts: u16,
    },
    /// Refused for a reason no retry can fix, or out of attempts
    /// ([`Outbox::with_max_attempts`]).
    Failed {
        /// The message.
        id: MessageId,
        /// Why.
        error: Error,
        /// How many times it was sent (0: refused before any byte was written
        /// or never tried). When more than 0, it may have arrived anyway.
        attempts: u16,
    },
    /// Older than [`Outbox::with_max_age_ms`] before it could be delivered.
    Expired {
        /// The message.
        id: MessageId,
        /// How many times it was sent (when more than 0, it may have arrived).
        attempts: u16,
    },
}

impl Report {
    /// The message the report is about.
    pub const fn id(&self) -> MessageId {
        match self {
            Report::Delivered { id, .. }
            | Report::Failed { id, .. }
            | Report::Expired { id, .. } => *id,
        }
    }
}

/// One queued message.
struct Entry<const TOPIC: usize, const PAYLOAD: usize> {
    id: MessageId,
    topic: String<TOPIC>,
    payload: Vec<u8, PAYLOAD>,
    qos: QoS,
    retain: bool,
    queued_at_ms: u64,
    attempts: u16,
}

/// The oldest queued message, lent to the face that sends it.
pub(crate) struct Head<'a> {
    pub(crate) topic: &'a str,
    pub(crate) payload: &'a [u8],
    pub(crate) qos: QoS,
    pub(crate) retain: bool,
}

/// What the face does after an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Next {
    /// The message left the queue: go on with the next one.
    Continue,
    /// The message stays (the link is not there for it): stop flushing.
    Stop,
}

/// A bounded queue of publishes (module docs): up to `N` messages and reports,
/// topics of up to `TOPIC` bytes, payloads of up to `PAYLOAD` bytes (keep it no
/// larger than the client's own `PAYLOAD`, or the longer ones fail when sent).
///
/// RAM: about `N × (TOPIC + PAYLOAD + 40)` bytes (`tests/ram.rs` measures it).
pub struct Outbox<const N: usize = 8, const TOPIC: usize = 128, const PAYLOAD: usize = 256> {
    queue: Deque<Entry<TOPIC, PAYLOAD>, N>,
    reports: Deque<Report, N>,
    last_id: u32,
    max_age_ms: Option<u64>,
    max_attempts: Option<u16>,
}

impl<const N: usize, const TOPIC: usize, const PAYLOAD: usize> Default
    for Outbox<N, TOPIC, PAYLOAD>
{
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize, const TOPIC: usize, const PAYLOAD: usize> core::fmt::Debug
    for Outbox<N, TOPIC, PAYLOAD>
{
    // Payloads may be private: only the shape is shown.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Outbox")
            .field("queued", &self.queue.len())
            .field("reports", &self.reports.len())
            .field("capacity", &N)
            .finish()
    }
}

impl<const N: usize, const TOPIC: usize, const PAYLOAD: usize> Outbox<N, TOPIC, PAYLOAD> {
    /// An empty outbox; messages never expire and are retried without limit.
    pub const fn new() -> Self {
        Self {
            queue: Deque::new(),
            reports: Deque::new(),
            last_id: 0,
            max_age_ms: None,
            max_attempts: None,
        }
    }

    /// Messages queued for longer than `ms` (by the clock given to
    /// [`Outbox::push`] and the client's clock) expire, reported as
    /// [`Report::Expired`].
    pub const fn with_max_age_ms(mut self, ms: u64) -> Self {
        self.max_age_ms = Some(ms);
        self
    }

    /// A message sent `n` times without a known outcome fails with the last
    /// error instead of being sent again (`n` ≥ 1; the default is no limit:
    /// the queue keeps its order and waits for the link).
    pub const fn with_max_attempts(mut self, n: u16) -> Self {
        self.max_attempts = Some(if n == 0 { 1 } else { n });
        self
    }

    /// Validates a publish and queues it, at time `now_ms` (the client's clock).
    ///
    /// Errors, nothing queued: [`Error::Invalid`] for a topic or payload the
    /// module would refuse (or longer than this outbox's `TOPIC` / `PAYLOAD`),
    /// [`Error::QueueFull`] when messages and unread reports fill the outbox.
    pub fn push(
        &mut self,
        topic: &str,
        payload: &[u8],
        qos: QoS,
        retain: bool,
        now_ms: u64,
    ) -> Result<MessageId, Error> {
        let cap = PAYLOAD.min(max_length_cap(topic.len())).max(1);
        Publish::with_length_cap(topic, payload, qos, retain, cap)?;
        if self.queue.len().saturating_add(self.reports.len()) >= N {
            return Err(Error::QueueFull);
        }
        let topic =
            String::try_from(topic).map_err(|_| too_long(crate::error::Field::Topic, TOPIC))?;
        let payload = Vec::from_slice(payload)
            .map_err(|_| too_long(crate::error::Field::Payload, PAYLOAD))?;
        self.last_id = self.last_id.wrapping_add(1).max(1);
        let id = MessageId(self.last_id);
        let entry = Entry {
            id,
            topic,
            payload,
            qos,
            retain,
            queued_at_ms: now_ms,
            attempts: 0,
        };
        self.queue.push_back(entry).map_err(|_| Error::QueueFull)?;
        Ok(id)
    }

    /// Messages waiting to be sent.
    pub fn len(&self) -> usize {
        self.queue.len()
    }

    /// Whether no message waits.
    pub fn is_empty(&self) -> bool {
        self.queue.is_empty()
    }

    /// Reports not read yet.
    pub fn reports_pending(&self) -> usize {
        self.reports.len()
    }

    /// Room left for pushes (messages and unread reports share `N`).
    pub fn free(&self) -> usize {
        N.saturating_sub(self.queue.len().saturating_add(self.reports.len()))
    }

    /// The next report, oldest first.
    pub fn next_report(&mut self) -> Option<Report> {
        self.reports.pop_front()
    }

    /// The id of the oldest queued message.
    pub fn front_id(&self) -> Option<MessageId> {
        self.queue.front().map(|e| e.id)
    }

    /// Reports every message queued for longer than the maximum age as
    /// expired (the flush does this before sending).
    pub fn expire(&mut self, now_ms: u64) {
        let Some(max) = self.max_age_ms else { return };
        // Oldest first: stop at the first message still young enough.
        while let Some(e) = self.queue.front() {
            if now_ms.saturating_sub(e.queued_at_ms) <= max {
                break;
            }
            let (id, attempts) = (e.id, e.attempts);
            self.finish(Report::Expired { id, attempts });
        }
    }

    /// The oldest message, to be sent.
    pub(crate) fn head(&self) -> Option<Head<'_>> {
        self.queue.front().map(|e| Head {
            topic: e.topic.as_str(),
            payload: e.payload.as_slice(),
            qos: e.qos,
            retain: e.retain,
        })
    }

    /// Records the result of sending the oldest message.
    pub(crate) fn on_attempt(&mut self, result: Result<Published, Error>) -> Next {
        let Some(e) = self.queue.front_mut() else {
            return Next::Stop;
        };
        let id = e.id;
        if !was_sent(&result) {
            // Refused before it reached the module (not connected, busy):
            // no attempt, nothing to report.
            return match result {
                Err(error) if refuses_message(&error) => {
                    let attempts = e.attempts;
                    self.finish(Report::Failed {
                        id,
                        error,
                        attempts,
                    });
                    Next::Continue
                }
                _ => Next::Stop,
            };
        }
        e.attempts = e.attempts.saturating_add(1);
        let attempts = e.attempts;
        match result {
            Ok(p) => {
                self.finish(Report::Delivered {
                    id,
                    packet_id: p.packet_id,
                    attempts,
                });
                Next::Continue
            }
            // The broker holds a QoS 2 message once PUBREC came (spec §4: 611).
            Err(Error::Cme(CmeError::PubCompFailed)) => {
                self.finish(Report::Delivered {
                    id,
                    packet_id: None,
                    attempts,
                });
                Next::Continue
            }
            Err(error) if refuses_message(&error) => {
                self.finish(Report::Failed {
                    id,
                    error,
                    attempts,
                });
                Next::Continue
            }
            Err(error) => match self.max_attempts {
                Some(max) if attempts >= max => {
                    self.finish(Report::Failed {
                        id,
                        error,
                        attempts,
                    });
                    Next::Continue
                }
                _ => Next::Stop,
            },
        }
    }

    /// Takes the oldest message out with its report. The report always fits:
    /// messages and reports together never exceed `N`.
    fn finish(&mut self, report: Report) {
        if self.queue.pop_front().is_some() {
            // Cannot fail (see above); were it to, the report would still
            // not be lost silently: the message would stay queued.
            let _ = self.reports.push_back(report);
        }
    }
}

fn too_long(field: crate::error::Field, max: usize) -> Error {
    Error::Invalid(ValidationError::TooLong { field, max })
}

/// Whether the command may have reached the module: an error the session
/// raises before writing anything (or one a reply proves harmless) says no.
fn was_sent(result: &Result<Published, Error>) -> bool {
    !matches!(
        result,
        Err(Error::InvalidState | Error::Busy | Error::Invalid(_) | Error::QueueFull)
    )
}

/// Errors about the message itself: sending it again cannot help.
fn refuses_message(error: &Error) -> bool {
    matches!(
        error,
        Error::Invalid(_) | Error::Cme(CmeError::InvalidParameter)
    )
}

#[cfg(test)]
mod tests;
