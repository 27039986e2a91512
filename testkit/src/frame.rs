//! [`OwnedFrame`]: a digester frame that outlives the digester's buffers.

use ml302::digest::Frame;
use ml302::FramingError;

/// A [`Frame`] with its borrowed parts copied, so that frames from different
/// feedings (or from a reference model) compare with `==`.
///
/// `qos` is the number on the wire (0, 1 or 2 in every frame the digester
/// returns), so that a reference model can build frames from the fields it read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OwnedFrame {
    /// Final result `OK`.
    Ok,
    /// Final result `ERROR`.
    Error,
    /// `+CME ERROR: <n>`.
    Cme(u16),
    /// The `>` prompt of a length-mode publish.
    Prompt,
    /// Any other line, without its line end.
    Line(Vec<u8>),
    /// `+MQTTPUBLISH` with its length-framed payload.
    Publish {
        /// DUP flag.
        dup: bool,
        /// QoS as a number.
        qos: u8,
        /// Retained flag.
        retained: bool,
        /// Packet id.
        packet_id: u16,
        /// Topic name.
        topic: String,
        /// Payload.
        payload: Vec<u8>,
    },
    /// `+MQTTPUBLISH` larger than the payload buffer (skipped, reported).
    TooLarge {
        /// Topic name.
        topic: String,
        /// Announced payload length.
        len: usize,
    },
    /// Bytes that could not be framed.
    Malformed(FramingError),
}

impl From<&Frame<'_>> for OwnedFrame {
    fn from(f: &Frame<'_>) -> Self {
        match *f {
            Frame::Ok => Self::Ok,
            Frame::Error => Self::Error,
            Frame::Cme(n) => Self::Cme(n),
            Frame::Prompt => Self::Prompt,
            Frame::Line(l) => Self::Line(l.to_vec()),
            Frame::Publish(p) => Self::Publish {
                dup: p.dup,
                qos: p.qos.as_u8(),
                retained: p.retained,
                packet_id: p.packet_id,
                topic: p.topic.to_owned(),
                payload: p.payload.to_vec(),
            },
            Frame::MessageTooLarge { topic, len } => Self::TooLarge {
                topic: topic.to_owned(),
                len,
            },
            Frame::Malformed(e) => Self::Malformed(e),
        }
    }
}

impl From<Frame<'_>> for OwnedFrame {
    fn from(f: Frame<'_>) -> Self {
        Self::from(&f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ml302::digest::Digester;

    fn frames(wire: &[u8]) -> Vec<OwnedFrame> {
        let mut d: Digester<64, 16> = Digester::new();
        let mut out = Vec::new();
        let mut rest = wire;
        while !rest.is_empty() {
            let (used, f) = d.feed(rest);
            rest = &rest[used..];
            out.extend(f.map(OwnedFrame::from));
        }
        out
    }

    #[test]
    fn every_kind_is_copied() {
        let got = frames(
            b"\r\nOK\r\n\r\nERROR\r\n\r\n+CME ERROR: 609\r\n\r\n+MQTTPINGRSP: OK\r\n\
              \r\n+MQTTPUBLISH: 1,2,1,9,\"t/x\",3,a\"b\r\n\
              \r\n+MQTTPUBLISH:0,0,0,0,big,17,0123456789abcdefg\r\n",
        );
        assert_eq!(
            got,
            [
                OwnedFrame::Ok,
                OwnedFrame::Error,
                OwnedFrame::Cme(609),
                OwnedFrame::Line(b"+MQTTPINGRSP: OK".to_vec()),
                OwnedFrame::Publish {
                    dup: true,
                    qos: 2,
                    retained: true,
                    packet_id: 9,
                    topic: "t/x".to_owned(),
                    payload: b"a\"b".to_vec(),
                },
                OwnedFrame::TooLarge {
                    topic: "big".to_owned(),
                    len: 17,
                },
            ]
        );
    }
}
