//! The benchmark streams: deterministic modem output of a chosen size, with the
//! counts a decoder of it must report.

use core::fmt::Write as _;
use core::str::FromStr;

use crate::Counts;

/// The content of a benchmark stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mix {
    /// Responses and URCs whose payloads hold no CR or LF: any line-based parser
    /// copes.
    A,
    /// As [`Mix::A`], plus `+MQTTPUBLISH` payloads of up to 1024 arbitrary bytes
    /// holding CR, LF, quotes, commas, `\r\nOK\r\n` and a whole fake
    /// `+MQTTPUBLISH` frame: only length framing copes.
    B,
}

impl FromStr for Mix {
    type Err = String;

    /// `a` or `b`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "a" | "A" => Ok(Self::A),
            "b" | "B" => Ok(Self::B),
            _ => Err(format!("unknown mix {s:?} (a or b)")),
        }
    }
}

/// SplitMix64: small, fast and the same on every platform.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `lo..=hi` (the bias of a 64-bit multiply-shift is negligible).
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        let span = hi - lo + 1;
        lo + ((u128::from(self.next()) * u128::from(span)) >> 64) as u64
    }

    fn coin(&mut self) -> bool {
        self.next() >> 63 == 1
    }

    fn pick<T: Copy>(&mut self, from: &[T]) -> T {
        from[self.range(0, from.len() as u64 - 1) as usize]
    }
}

/// `+CME ERROR` codes that end a command: 600–621 but 609 and 619, which only
/// ever arrive unsolicited (spec §3.9) and count as `urc_other`.
const FINAL_CME: [u16; 20] = [
    600, 601, 602, 603, 604, 605, 606, 607, 608, 610, 611, 612, 613, 614, 615, 616, 617, 618, 620,
    621,
];

/// Byte strings planted in the binary payloads of mix b.
const NEEDLES: [&[u8]; 4] = [
    b"\r\nOK\r\n",
    b"\"",
    b",",
    b"\r\n+MQTTPUBLISH: 0,0,0,0,\"x\",3,abc\r\n",
];

/// Appends one `+MQTTPUBLISH` frame, in either spelling the manual prints:
/// chapter 2 (space after the colon, quoted topic) or chapter 3 (no space, bare
/// topic), chosen at random.
fn publish(rng: &mut Rng, out: &mut Vec<u8>, topic: &str, payload: &[u8], qos: u8) {
    let pkid = if qos > 0 { rng.range(1, 65535) } else { 0 };
    let len = payload.len();
    let head = if rng.coin() {
        format!("\r\n+MQTTPUBLISH: 0,{qos},0,{pkid},\"{topic}\",{len},")
    } else {
        format!("\r\n+MQTTPUBLISH:0,{qos},0,{pkid},{topic},{len},")
    };
    out.extend_from_slice(head.as_bytes());
    out.extend_from_slice(payload);
    out.extend_from_slice(b"\r\n");
}

/// A binary payload of mix b: random bytes with each needle written over them
/// at a random place (cut short at the end of the payload).
fn binary_payload(rng: &mut Rng) -> Vec<u8> {
    let n = rng.pick(&[1usize, 17, 256, 1024]);
    let mut body: Vec<u8> = (0..n).map(|_| rng.next() as u8).collect();
    for needle in NEEDLES {
        let at = rng.range(0, n.saturating_sub(needle.len()) as u64) as usize;
        let k = needle.len().min(n - at);
        body[at..at + k].copy_from_slice(&needle[..k]);
    }
    body
}

/// A deterministic stream of modem output of about `size` bytes (the first whole
/// item at or past `size` ends it), and its counts.
///
/// Items repeat in a cycle of eight: a `+MQTTPUBLISH` of a small JSON payload
/// (on one of four topics, QoS 0–2); `+MQTTPUBACK` and `OK`; `+MQTTPINGRSP: OK`;
/// `+MQTTSUBACK` and `OK`; another JSON `+MQTTPUBLISH`; a final `+CME ERROR`
/// (not 609 or 619); a `+MQTTPUBLISH` whose payload depends on the mix (mix a:
/// `abc"xxxx"abc`; mix b: a binary payload, see [`Mix::B`]); `OK`. Each item
/// starts with CR LF, as the modem sends them. The same `mix` and `size` always
/// give the same bytes.
pub fn make_stream(mix: Mix, size: usize) -> (Vec<u8>, Counts) {
    let mut rng = Rng(302);
    let mut data = Vec::with_capacity(size + 1100);
    let mut c = Counts::default();
    let mut i: u64 = 0;
    while data.len() < size {
        match i % 8 {
            0 | 4 => {
                let topic = rng.pick(&["dev/gsm/u", "sensors/room-12/temp", "pyr", "$SYS/x"]);
                // A temperature in hundredths, -20.00 to 40.00.
                let t = rng.range(0, 6000) as i64 - 2000;
                let mut p = String::new();
                let sign = if t < 0 { "-" } else { "" };
                let _ = write!(
                    p,
                    "{{\"temp\": {sign}{}.{:02}, \"seq\": {i}}}",
                    t.abs() / 100,
                    t.abs() % 100
                );
                let qos = rng.range(0, 2) as u8;
                publish(&mut rng, &mut data, topic, p.as_bytes(), qos);
                c.urc_publish += 1;
            }
            1 => {
                let id = rng.range(1, 65535);
                data.extend_from_slice(format!("\r\n+MQTTPUBACK: 0,{id}\r\n\r\nOK\r\n").as_bytes());
                c.response_ok += 1;
            }
            2 => {
                data.extend_from_slice(b"\r\n+MQTTPINGRSP: OK\r\n");
                c.urc_other += 1;
            }
            3 => {
                let id = rng.range(1, 65535);
                data.extend_from_slice(
                    format!("\r\n+MQTTSUBACK: {id},1,\"pyr\"\r\n\r\nOK\r\n").as_bytes(),
                );
                c.response_ok += 1;
            }
            5 => {
                let code = rng.pick(&FINAL_CME);
                data.extend_from_slice(format!("\r\n+CME ERROR: {code}\r\n").as_bytes());
                c.response_error += 1;
            }
            6 => {
                match mix {
                    Mix::A => publish(&mut rng, &mut data, "test", b"abc\"xxxx\"abc", 0),
                    Mix::B => {
                        let body = binary_payload(&mut rng);
                        publish(&mut rng, &mut data, "bin/blob", &body, 1);
                    }
                }
                c.urc_publish += 1;
            }
            _ => {
                data.extend_from_slice(b"\r\nOK\r\n");
                c.response_ok += 1;
            }
        }
        i += 1;
    }
    c.bytes = data.len() as u64;
    (data, c)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::OwnedFrame;
    use ml302::digest::Digester;

    fn decode(data: &[u8], chunk: usize) -> Vec<OwnedFrame> {
        let mut d: Digester = Digester::new();
        let mut out = Vec::new();
        for piece in data.chunks(chunk) {
            let mut rest = piece;
            while !rest.is_empty() {
                let (used, f) = d.feed(rest);
                rest = &rest[used..];
                out.extend(f.map(OwnedFrame::from));
            }
        }
        out
    }

    #[test]
    fn same_arguments_same_bytes_and_size_as_asked() {
        for mix in [Mix::A, Mix::B] {
            let (one, c1) = make_stream(mix, 20_000);
            let (two, c2) = make_stream(mix, 20_000);
            assert_eq!(one, two);
            assert_eq!(c1, c2);
            assert!(
                one.len() >= 20_000 && one.len() < 20_000 + 1100,
                "{}",
                one.len()
            );
            assert_eq!(c1.bytes, one.len() as u64);
        }
        assert_eq!(make_stream(Mix::A, 0), (Vec::new(), Counts::default()));
        assert_ne!(make_stream(Mix::A, 5000).0, make_stream(Mix::B, 5000).0);
    }

    #[test]
    fn digester_counts_equal_the_generators() {
        for mix in [Mix::A, Mix::B] {
            let (data, want) = make_stream(mix, 100_000);
            let frames = decode(&data, 64);
            assert!(!frames.iter().any(|f| matches!(f, OwnedFrame::Malformed(_))));
            let mut got = Counts::of_frames(&frames);
            got.bytes = data.len() as u64;
            assert_eq!(got, want, "mix {mix:?}");
            assert!(want.urc_publish > 0 && want.urc_other > 0);
            assert!(want.response_ok > 0 && want.response_error > 0);
        }
    }

    #[test]
    fn mix_b_payloads_hold_what_only_length_framing_survives() {
        let (data, _) = make_stream(Mix::B, 200_000);
        let payloads: Vec<Vec<u8>> = decode(&data, 512)
            .into_iter()
            .filter_map(|f| match f {
                OwnedFrame::Publish { topic, payload, .. } if topic == "bin/blob" => Some(payload),
                _ => None,
            })
            .collect();
        let holds = |n: &[u8]| payloads.iter().any(|p| p.windows(n.len()).any(|w| w == n));
        for needle in NEEDLES {
            assert!(holds(needle), "no payload holds {needle:?}");
        }
        assert!(payloads.iter().any(|p| p.len() == 1024));
        // Mix a: nothing of the kind.
        let (a, _) = make_stream(Mix::A, 200_000);
        assert!(!decode(&a, 512).iter().any(|f| matches!(
            f,
            OwnedFrame::Publish { payload, .. } if payload.contains(&b'\r') || payload.contains(&b'\n')
        )));
    }

    #[test]
    fn mix_parses() {
        assert_eq!("a".parse(), Ok(Mix::A));
        assert_eq!("b".parse(), Ok(Mix::B));
        assert!("c".parse::<Mix>().is_err());
    }
}
