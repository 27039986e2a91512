//! [`Counts`]: how many frames of each kind a stream holds.

use ml302::digest::Frame;
use ml302::urc::Urc;

use crate::OwnedFrame;

/// The frame counts of a stream of modem output, under the keys the benchmark
/// streams are described with.
///
/// The rules, applied by [`Counts::add`]: `urc_publish` counts `+MQTTPUBLISH`
/// frames (message-too-large included); `urc_other` every other frame that
/// [`Urc::from_frame`] reads as unsolicited (`+MQTTPINGRSP`, `+MQTTDISC`,
/// `+MQTTTO`, `+MQTTREC`, `+CME ERROR: 609` and `619`, …); `response_ok` final
/// `OK`; `response_error` `ERROR` and every other `+CME ERROR`. ACK lines that
/// belong to a command's exchange (`+MQTTPUBACK`, `+MQTTSUBACK`, …), other
/// answers, prompts and framing errors are in no key. `bytes` is the size of
/// the stream, set by whoever reads it.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    /// `+MQTTPUBLISH` frames.
    pub urc_publish: u64,
    /// Other unsolicited lines, `+CME ERROR: 609` / `619` included.
    pub urc_other: u64,
    /// Final `OK`.
    pub response_ok: u64,
    /// Final `ERROR` and `+CME ERROR` other than 609 / 619.
    pub response_error: u64,
    /// Bytes in the stream.
    pub bytes: u64,
}

impl Counts {
    /// Counts one frame (see the rules on [`Counts`]). Inlined, so that a
    /// profiling loop in another crate (`examples/digest_stream.rs`) pays no call.
    #[inline]
    pub fn add(&mut self, frame: &Frame<'_>) {
        match frame {
            Frame::Ok => self.response_ok += 1,
            Frame::Error => self.response_error += 1,
            Frame::Publish(_) | Frame::MessageTooLarge { .. } => self.urc_publish += 1,
            Frame::Cme(_) | Frame::Line(_) => match Urc::from_frame(frame) {
                Some(_) => self.urc_other += 1,
                None if matches!(frame, Frame::Cme(_)) => self.response_error += 1,
                None => {}
            },
            Frame::Prompt | Frame::Malformed(_) => {}
        }
    }

    /// Counts one owned frame, by the same rules as [`Counts::add`].
    pub fn add_owned(&mut self, frame: &OwnedFrame) {
        match frame {
            OwnedFrame::Ok => self.response_ok += 1,
            OwnedFrame::Error => self.response_error += 1,
            OwnedFrame::Publish { .. } | OwnedFrame::TooLarge { .. } => self.urc_publish += 1,
            OwnedFrame::Cme(n) => self.add(&Frame::Cme(*n)),
            OwnedFrame::Line(l) => self.add(&Frame::Line(l)),
            OwnedFrame::Prompt | OwnedFrame::Malformed(_) => {}
        }
    }

    /// The counts of `frames` (with `bytes` zero).
    pub fn of_frames<'a>(frames: impl IntoIterator<Item = &'a OwnedFrame>) -> Self {
        let mut c = Self::default();
        for f in frames {
            c.add_owned(f);
        }
        c
    }

    /// One JSON line in the format of Python's `json.dumps` on a dict of these
    /// keys (in this order, `": "` and `", "` separators), so that outputs
    /// compare as text.
    pub fn to_json(&self) -> String {
        format!(
            "{{\"urc_publish\": {}, \"urc_other\": {}, \"response_ok\": {}, \"response_error\": {}, \"bytes\": {}}}",
            self.urc_publish, self.urc_other, self.response_ok, self.response_error, self.bytes
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_is_python_json_dumps() {
        let c = Counts {
            urc_publish: 1,
            urc_other: 2,
            response_ok: 3,
            response_error: 4,
            bytes: 5,
        };
        assert_eq!(
            c.to_json(),
            r#"{"urc_publish": 1, "urc_other": 2, "response_ok": 3, "response_error": 4, "bytes": 5}"#
        );
    }

    #[test]
    fn classification_follows_the_rules() {
        let frames = [
            OwnedFrame::Ok,
            OwnedFrame::Error,
            OwnedFrame::Cme(609),
            OwnedFrame::Cme(619),
            OwnedFrame::Cme(614),
            OwnedFrame::Line(b"+MQTTPINGRSP: OK".to_vec()),
            OwnedFrame::Line(b"+MQTTDISC: OK".to_vec()),
            OwnedFrame::Line(b"+MQTTPUBACK: 0,7".to_vec()),
            OwnedFrame::Line(b"+MQTTSUBACK: 3,1,\"pyr\"".to_vec()),
            OwnedFrame::Prompt,
            OwnedFrame::TooLarge {
                topic: "t".to_owned(),
                len: 9,
            },
        ];
        let c = Counts::of_frames(&frames);
        assert_eq!(
            c,
            Counts {
                urc_publish: 1,
                urc_other: 4,
                response_ok: 1,
                response_error: 2,
                bytes: 0,
            }
        );
        // The borrowed and the owned paths agree frame by frame.
        for f in &frames {
            let mut owned = Counts::default();
            owned.add_owned(f);
            let mut borrowed = Counts::default();
            match f {
                OwnedFrame::Ok => borrowed.add(&Frame::Ok),
                OwnedFrame::Error => borrowed.add(&Frame::Error),
                OwnedFrame::Cme(n) => borrowed.add(&Frame::Cme(*n)),
                OwnedFrame::Line(l) => borrowed.add(&Frame::Line(l)),
                OwnedFrame::Prompt => borrowed.add(&Frame::Prompt),
                OwnedFrame::TooLarge { topic, len } => {
                    borrowed.add(&Frame::MessageTooLarge { topic, len: *len })
                }
                _ => unreachable!(),
            }
            assert_eq!(owned, borrowed, "{f:?}");
        }
    }
}
