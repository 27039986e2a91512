//! Helpers shared by the wire tests.

use ml302::digest::Frame;
use ml302::{FramingError, QoS};

/// An owned copy of a [`Frame`], so frames from different feedings compare.
#[derive(Debug, Clone, PartialEq)]
pub enum F {
    Ok,
    Error,
    Cme(u16),
    Prompt,
    Line(Vec<u8>),
    Publish {
        dup: bool,
        qos: QoS,
        retained: bool,
        packet_id: u16,
        topic: String,
        payload: Vec<u8>,
    },
    TooLarge {
        topic: String,
        len: usize,
    },
    Malformed(FramingError),
}

impl From<Frame<'_>> for F {
    fn from(f: Frame<'_>) -> Self {
        match f {
            Frame::Ok => F::Ok,
            Frame::Error => F::Error,
            Frame::Cme(n) => F::Cme(n),
            Frame::Prompt => F::Prompt,
            Frame::Line(l) => F::Line(l.to_vec()),
            Frame::Publish(p) => F::Publish {
                dup: p.dup,
                qos: p.qos,
                retained: p.retained,
                packet_id: p.packet_id,
                topic: p.topic.to_owned(),
                payload: p.payload.to_vec(),
            },
            Frame::MessageTooLarge { topic, len } => F::TooLarge {
                topic: topic.to_owned(),
                len,
            },
            Frame::Malformed(e) => F::Malformed(e),
        }
    }
}
