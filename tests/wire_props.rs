//! Property tests of the wire layer: the digester never panics, never hangs and
//! gives the same frames however its input is chunked; `+MQTTPUBLISH` payloads
//! survive any content; line and URC decoding never panic. Plus the benchmark
//! streams of `ml302-testkit`, decoded at chunk sizes 1 and whole, against the
//! counts the generator reports.

use ml302::digest::{Digester, Frame};
use ml302::line::{parse_sub_entry, Line};
use ml302::urc::Urc;
use ml302_testkit::{make_stream, Counts, Mix};
use proptest::prelude::*;

mod wire_support;

use wire_support::F;

/// Feeds `input` cut at the given chunk sizes (cycled; 0 means "the rest"),
/// checking the `feed` contract on every call.
fn decode<const L: usize, const P: usize>(input: &[u8], cuts: &[usize], prompt: bool) -> Vec<F> {
    let mut d: Digester<L, P> = Digester::new();
    d.expect_prompt(prompt);
    let mut out = Vec::new();
    let mut at = 0;
    let mut i = 0;
    while at < input.len() {
        let want = cuts.get(i % cuts.len().max(1)).copied().unwrap_or(0);
        i += 1;
        let end = if want == 0 {
            input.len()
        } else {
            (at + want).min(input.len())
        };
        let mut rest = &input[at..end];
        while !rest.is_empty() {
            let (used, frame) = d.feed(rest);
            assert!(used >= 1, "no progress");
            assert!(used <= rest.len(), "consumed more than offered");
            rest = &rest[used..];
            if let Some(f) = frame {
                out.push(F::from(f));
            }
        }
        at = end;
    }
    assert_eq!(d.stats().bytes, input.len() as u64);
    assert_eq!(d.stats().frames as usize, out.len());
    out
}

/// Decodes whole, byte by byte and with `cuts`; asserts all three agree.
fn agree<const L: usize, const P: usize>(input: &[u8], cuts: &[usize], prompt: bool) -> Vec<F> {
    let whole = decode::<L, P>(input, &[0], prompt);
    let bytewise = decode::<L, P>(input, &[1], prompt);
    assert_eq!(bytewise, whole, "byte by byte differs from whole input");
    let cut = decode::<L, P>(input, cuts, prompt);
    assert_eq!(cut, whole, "chunking {cuts:?} differs from whole input");
    whole
}

/// Fragments that drive the digester into every state: line ends, results,
/// `+MQTTPUBLISH` header pieces, quotes, digits, prompts, and raw bytes.
fn token() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        Just(b"\r".to_vec()),
        Just(b"\n".to_vec()),
        Just(b"\r\n".to_vec()),
        Just(b"OK".to_vec()),
        Just(b"OK ".to_vec()),
        Just(b"ERROR".to_vec()),
        Just(b"+CME ERROR".to_vec()),
        Just(b": 609".to_vec()),
        Just(b"+MQTTPUBLISH:".to_vec()),
        Just(b"+MQTTPUBLISH: 0,1,0,7,".to_vec()),
        Just(b"+MQTTPUB".to_vec()),
        Just(b"+MQTTPINGRSP: OK".to_vec()),
        Just(b" ".to_vec()),
        Just(b",".to_vec()),
        Just(b"\"".to_vec()),
        Just(b">".to_vec()),
        Just(b"+".to_vec()),
        Just(b"t/x".to_vec()),
        (0u32..70000).prop_map(|n| n.to_string().into_bytes()),
        (0u8..3).prop_map(|n| vec![b'0' + n]),
        any::<u8>().prop_map(|b| vec![b]),
        proptest::collection::vec(any::<u8>(), 0..40),
    ]
}

fn soup() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(prop_oneof![4 => token(), 1 => near_publish()], 0..60)
        .prop_map(|v| v.concat())
}

/// A numeric header field: valid, out of range, too long, empty, not a number.
fn num_field() -> impl Strategy<Value = String> {
    prop_oneof![
        12 => Just("0".to_owned()),
        4 => Just("1".to_owned()),
        1 => num_edge(),
    ]
}

/// Edge cases of a numeric field.
fn num_edge() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("0".to_owned()),
        Just("1".to_owned()),
        Just("2".to_owned()),
        Just("3".to_owned()),
        Just("00000".to_owned()),
        Just("000001".to_owned()),
        Just("065535".to_owned()),
        Just("65535".to_owned()),
        Just("65536".to_owned()),
        Just("99999".to_owned()),
        Just("123456".to_owned()),
        Just("1a".to_owned()),
        Just(" 1".to_owned()),
        (0u32..70000).prop_map(|n| n.to_string()),
    ]
}

/// A topic field: quoted or bare, short or around the 512-byte and buffer
/// limits, sometimes with a stray quote, comma or line end.
fn topic_field() -> impl Strategy<Value = String> {
    let body = prop_oneof![
        (0usize..6).prop_map(|n| "t".repeat(n)),
        (8usize..70).prop_map(|n| "u".repeat(n)),
        (508usize..516).prop_map(|n| "v".repeat(n)),
        "[a-z/,\"\r]{0,6}",
    ];
    (body, 0u8..4).prop_map(|(b, q)| match q {
        0 => b,
        1 => format!("\"{b}\""),
        2 => format!("\"{b}"),
        _ => format!("\"{b}\"x"),
    })
}

/// A `+MQTTPUBLISH` frame that is valid or almost: any field may be off, the
/// length may not match the payload, the separator and terminator may be wrong.
fn near_publish() -> impl Strategy<Value = Vec<u8>> {
    (
        prop_oneof![Just(""), Just(" "), Just("   ")],
        proptest::collection::vec(num_field(), 4),
        topic_field(),
        proptest::collection::vec(any::<u8>(), 0..40),
        prop_oneof![6 => Just(None), 1 => num_edge().prop_map(Some)],
        prop_oneof![4 => Just(","), 2 => Just("\r\n"), 1 => Just("\r"), 1 => Just("\n"), 1 => Just("x")],
        prop_oneof![4 => Just("\r\n"), 1 => Just("\r"), 1 => Just("\n"), 1 => Just("XY"), 1 => Just("")],
    )
        .prop_map(|(sp, nums, topic, payload, len, sep, term)| {
            let len = len.unwrap_or_else(|| payload.len().to_string());
            let mut w = format!(
                "\r\n+MQTTPUBLISH:{sp}{},{},{},{},{topic},{len}{sep}",
                nums[0], nums[1], nums[2], nums[3]
            )
            .into_bytes();
            w.extend_from_slice(&payload);
            w.extend_from_slice(term.as_bytes());
            w
        })
}

fn cuts() -> impl Strategy<Value = Vec<usize>> {
    proptest::collection::vec(1usize..80, 1..8)
}

/// A topic from a safe alphabet (no `,`, `"`, CR, LF).
fn topic() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9/_+#$-]{1,48}"
}

/// One `+MQTTPUBLISH` frame on the wire, in the spelling chosen by `style`
/// (0: chapter 2, 1: chapter 3, 2: payload on its own line), and its frame.
fn publish_wire(style: u8, id: u16, qos: u8, topic: &str, payload: &[u8]) -> (Vec<u8>, F) {
    let head = match style {
        0 => format!(
            "\r\n+MQTTPUBLISH: 0,{qos},1,{id},\"{topic}\",{},",
            payload.len()
        ),
        1 => format!("\r\n+MQTTPUBLISH:1,{qos},0,{id},{topic},{},", payload.len()),
        _ => format!(
            "\r\n+MQTTPUBLISH: 0,{qos},0,{id},\"{topic}\",{}\r\n",
            payload.len()
        ),
    };
    let mut wire = head.into_bytes();
    wire.extend_from_slice(payload);
    wire.extend_from_slice(b"\r\n");
    let frame = F::Publish {
        dup: style == 1,
        qos,
        retained: style == 0,
        packet_id: id,
        topic: topic.to_owned(),
        payload: payload.to_vec(),
    };
    (wire, frame)
}

/// A valid exchange item on the wire and the frames it must decode to.
fn item() -> impl Strategy<Value = (Vec<u8>, Vec<F>)> {
    prop_oneof![
        Just((b"\r\nOK\r\n".to_vec(), vec![F::Ok])),
        Just((b"\r\nERROR\r\n".to_vec(), vec![F::Error])),
        (0u16..=u16::MAX).prop_map(|n| (
            format!("\r\n+CME ERROR: {n}\r\n").into_bytes(),
            vec![F::Cme(n)]
        )),
        (0u16..=u16::MAX).prop_map(|n| {
            let l = format!("+MQTTPUBACK:0,{n}");
            (
                format!("\r\n{l}\r\n\r\nOK\r\n").into_bytes(),
                vec![F::Line(l.into_bytes()), F::Ok],
            )
        }),
        Just((
            b"\r\n+MQTTPINGRSP: OK\r\n".to_vec(),
            vec![F::Line(b"+MQTTPINGRSP: OK".to_vec())]
        )),
        Just((
            b"AT+MQTTPING=0\r\r\nOK\r\n".to_vec(),
            vec![F::Line(b"AT+MQTTPING=0".to_vec()), F::Ok]
        )),
        (
            0u8..3,
            any::<u16>(),
            0u8..3,
            topic(),
            proptest::collection::vec(any::<u8>(), 0..300)
        )
            .prop_map(|(style, id, qos, t, p)| {
                let (w, f) = publish_wire(style, id, qos, &t, &p);
                (w, vec![f])
            }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic_default_buffers(input in proptest::collection::vec(any::<u8>(), 0..3000), c in cuts(), prompt in any::<bool>()) {
        agree::<1024, 1024>(&input, &c, prompt);
    }

    #[test]
    fn arbitrary_bytes_never_panic_small_buffers(input in proptest::collection::vec(any::<u8>(), 0..600), c in cuts(), prompt in any::<bool>()) {
        agree::<16, 16>(&input, &c, prompt);
        agree::<8, 4>(&input, &c, prompt);
        agree::<0, 0>(&input, &c, prompt);
    }

    #[test]
    fn near_publish_frames_are_chunking_independent(frames in proptest::collection::vec(near_publish(), 1..6), c in cuts()) {
        let input = [frames.concat(), b"\r\nOK\r\n".to_vec()].concat();
        agree::<1024, 1024>(&input, &c, false);
        agree::<64, 8>(&input, &c, false);
        agree::<16, 16>(&input, &c, false);
        agree::<20, 4>(&input, &c, false);
    }

    #[test]
    fn token_soup_is_chunking_independent(input in soup(), c in cuts(), prompt in any::<bool>()) {
        agree::<1024, 1024>(&input, &c, prompt);
        agree::<64, 8>(&input, &c, prompt);
        agree::<16, 16>(&input, &c, prompt);
        agree::<13, 2>(&input, &c, prompt);
        agree::<5, 1>(&input, &c, prompt);
    }

    #[test]
    fn line_and_urc_decoding_never_panic(input in prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..200),
        soup(),
        soup().prop_map(|s| [b"+MQTT".to_vec(), s].concat()),
    ]) {
        let line = Line::parse(&input);
        let _ = Urc::from_line(&line);
        let _ = Urc::from_frame(&Frame::Line(&input));
        let _ = Urc::parse(&input);
        let _ = parse_sub_entry(&input);
        // A non-`+MQTT` line is always text.
        if !input.starts_with(b"+MQTT") {
            prop_assert_eq!(line, Line::Text(&input));
        }
    }

    #[test]
    fn valid_stream_decodes_as_built_at_any_chunking(items in proptest::collection::vec(item(), 0..25), c in cuts()) {
        let wire: Vec<u8> = items.iter().flat_map(|(w, _)| w.clone()).collect();
        let expected: Vec<F> = items.iter().flat_map(|(_, f)| f.clone()).collect();
        prop_assert_eq!(agree::<1024, 1024>(&wire, &c, false), expected);
    }

    #[test]
    fn publish_payload_round_trip(
        style in 0u8..3,
        id in any::<u16>(),
        qos in 0u8..3,
        t in topic(),
        payload in proptest::collection::vec(any::<u8>(), 0..=1024),
        c in cuts(),
    ) {
        let (wire, frame) = publish_wire(style, id, qos, &t, &payload);
        let with_ok = [&wire[..], b"\r\nOK\r\n"].concat();
        prop_assert_eq!(agree::<1024, 1024>(&with_ok, &c, false), vec![frame.clone(), F::Ok]);
        // The same bytes through `Urc::parse`.
        let Some(Urc::Publish(p)) = Urc::parse(&wire) else {
            return Err(TestCaseError::fail("Urc::parse did not decode the publish"));
        };
        prop_assert_eq!(F::from(Frame::Publish(p)), frame);
        // Too large for a 16-byte payload buffer: skipped in step, reported.
        let small = agree::<1024, 16>(&with_ok, &c, false);
        if payload.len() > 16 {
            prop_assert_eq!(small, vec![F::TooLarge { topic: t.clone(), len: payload.len() }, F::Ok]);
        }
    }
}

// ---------------------------------------------------------------------------
// The benchmark streams of ml302-testkit.

/// Decodes stream `mix` (about `size` bytes) whole and byte by byte, checks the
/// two agree and hold no framing error, and that the frames count as the
/// generator says.
fn check_make_stream(mix: Mix, size: usize) {
    let (data, want) = make_stream(mix, size);
    let whole = decode::<1024, 1024>(&data, &[0], false);
    let bytewise = decode::<1024, 1024>(&data, &[1], false);
    assert!(
        bytewise == whole,
        "stream {mix:?}: chunk size 1 and whole input differ"
    );
    assert!(
        !whole.iter().any(|f| matches!(f, F::Malformed(_))),
        "stream {mix:?}: framing error"
    );
    let mut got = Counts::of_frames(&whole);
    got.bytes = data.len() as u64;
    assert_eq!(
        got, want,
        "stream {mix:?}: counts differ from the generator's"
    );
}

#[test]
fn make_stream_a_chunk1_equals_whole_and_counts() {
    check_make_stream(Mix::A, 50 * 1024);
}

#[test]
fn make_stream_b_chunk1_equals_whole_and_counts() {
    check_make_stream(Mix::B, 50 * 1024);
}
