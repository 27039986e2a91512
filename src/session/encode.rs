//! Turns an [`Op`] into the typed command and its bytes: the only place the
//! session touches `crate::command`.
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use crate::command::{self, Command, PublishMode};
use crate::error::Error;
use crate::text::{ClientId, Host, Password, TopicFilter, User, Version};

use super::Op;

/// A command line written into the session's buffer.
pub(super) struct Encoded {
    /// Its length in bytes.
    pub(super) len: usize,
    /// Its host-side time-out (spec §1.3).
    pub(super) timeout_ms: u32,
    /// Whether it is a length-mode publish (payload after a `>` prompt).
    pub(super) length_mode: bool,
}

/// Writes `c`'s line into `buf` and gives its time-out: the line's length, or
/// why nothing may be sent, is checked once by [`encode`] for every command.
fn line<C: Command>(c: &C, buf: &mut [u8], ack_timeout_s: u16) -> (Result<usize, Error>, u32) {
    (c.encode(buf), c.timeout_ms(ack_timeout_s))
}

/// Validates `op` and writes its command line into `buf`. A length-mode
/// publish may carry up to `payload_cap` bytes (the client's `PAYLOAD`), never
/// more than the module takes for its topic (`2048 − 7 − topic_len`, spec §1.3).
pub(super) fn encode(
    op: &Op<'_>,
    has_user: bool,
    has_password: bool,
    ack_timeout_s: u16,
    payload_cap: usize,
    buf: &mut [u8],
) -> Result<Encoded, Error> {
    let ack = ack_timeout_s;
    let mut length_mode = false;
    let (len, timeout_ms) = match op {
        Op::At => line(&command::At, buf, ack),
        Op::EchoOff => line(&command::EchoOff, buf, ack),
        Op::NumericErrors => line(&command::NumericErrors, buf, ack),
        Op::Configure(cfg) => {
            let c = command::Configure::new(
                Host::new(cfg.host)?,
                cfg.port,
                ClientId::new(cfg.client_id)?,
            )
            .keep_alive(cfg.keep_alive_s)
            .credentials(User::new(cfg.user)?, Password::new(cfg.password)?)
            .clean_session(cfg.clean_session)
            .version(Version::new(cfg.version)?)
            .encrypt(cfg.encrypt);
            line(&c, buf, ack)
        }
        Op::QueryConfig => line(&command::QueryConfig, buf, ack),
        Op::SetAckTimeout(s) => line(&command::SetAckTimeout::new(*s), buf, ack),
        Op::QueryAckTimeout => line(&command::QueryAckTimeout, buf, ack),
        Op::SetReconnect(on) => line(&command::SetReconnect::new(*on), buf, ack),
        Op::QueryReconnect => line(&command::QueryReconnect, buf, ack),
        Op::SetPingEcho(on) => line(&command::SetPingEcho::new(*on), buf, ack),
        Op::QueryPingEcho => line(&command::QueryPingEcho, buf, ack),
        Op::Open(will) => {
            let will = match will {
                Some(w) => Some(command::Will::new(w.topic, w.message, w.qos, w.retain)?),
                None => None,
            };
            line(&command::Open::new(has_user, has_password, will)?, buf, ack)
        }
        Op::QueryState => line(&command::QueryState, buf, ack),
        Op::Subscribe(topic, qos) => line(
            &command::Subscribe::new(TopicFilter::new(topic)?, *qos),
            buf,
            ack,
        ),
        Op::QuerySubscriptions => line(&command::QuerySubscriptions, buf, ack),
        Op::Unsubscribe(topic) => line(
            &command::Unsubscribe::new(TopicFilter::new(topic)?),
            buf,
            ack,
        ),
        Op::Publish {
            topic,
            payload,
            qos,
            retain,
        } => {
            let cap = payload_cap
                .min(command::publish::max_length_cap(topic.len()))
                .max(1);
            let c = command::Publish::with_length_cap(topic, payload, *qos, *retain, cap)?;
            length_mode = c.mode() == PublishMode::Length;
            line(&c, buf, ack)
        }
        Op::Disconnect => line(&command::Disconnect, buf, ack),
        Op::Delete => line(&command::Delete, buf, ack),
    };
    Ok(Encoded {
        len: len?,
        timeout_ms,
        length_mode,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{Field, ValidationError};
    use crate::QoS;

    fn publish(topic: &str, len: usize, cap: usize) -> Result<Encoded, Error> {
        let payload = [0u8; 2100];
        let op = Op::Publish {
            topic,
            payload: payload.get(..len).unwrap_or_default(),
            qos: QoS::AtLeastOnce,
            retain: false,
        };
        let mut buf = [0u8; 128];
        encode(&op, false, false, 10, cap, &mut buf)
    }

    fn too_long(max: usize) -> Error {
        Error::Invalid(ValidationError::TooLong {
            field: Field::Payload,
            max,
        })
    }

    #[test]
    fn a_large_payload_buffer_reaches_the_modules_cap_and_no_further() {
        // 2048 - 7 - 5 for the 5-byte topic.
        let e = publish("big/t", 2036, 4096).map(|e| e.length_mode);
        assert!(matches!(e, Ok(true)));
        assert_eq!(publish("big/t", 2037, 4096).err(), Some(too_long(2036)));
    }

    #[test]
    fn a_small_payload_buffer_is_the_cap() {
        assert!(publish("t", 1024, 1024).is_ok());
        assert_eq!(publish("t", 1025, 1024).err(), Some(too_long(1024)));
    }
}
