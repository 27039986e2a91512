//! The digester's two routes — the fast paths (`feed`, with the default
//! `fast-digest` feature) and the reference machine alone (`feed_reference`) —
//! yield identical frames for every chunking of any input, and switching routes
//! between calls changes nothing.

use ml302::digest::Digester;
use proptest::prelude::*;

/// How each call is fed: chunk sizes (cycled; 0 means "the rest") and, per call,
/// whether the reference route takes it.
#[derive(Debug, Clone)]
struct Plan {
    cuts: Vec<usize>,
    routes: Vec<bool>,
}

/// Frames of `input` fed by `plan`, as text (`Debug` of each frame).
fn frames<const L: usize, const P: usize>(input: &[u8], plan: &Plan, prompt: bool) -> Vec<String> {
    let mut d: Digester<L, P> = Digester::new();
    d.expect_prompt(prompt);
    let mut out = Vec::new();
    let (mut at, mut call) = (0usize, 0usize);
    while at < input.len() {
        let want = plan.cuts[call % plan.cuts.len()];
        let end = if want == 0 {
            input.len()
        } else {
            (at + want).min(input.len())
        };
        let mut rest = &input[at..end];
        while !rest.is_empty() {
            let reference = plan.routes[call % plan.routes.len()];
            call += 1;
            let (used, frame) = if reference {
                d.feed_reference(rest)
            } else {
                d.feed(rest)
            };
            assert!(
                (1..=rest.len()).contains(&used),
                "used {used} of {}",
                rest.len()
            );
            if let Some(f) = frame {
                out.push(format!("{f:?}"));
            }
            rest = &rest[used..];
        }
        at = end;
    }
    assert_eq!(d.stats().bytes, input.len() as u64);
    out
}

/// Pieces that lead the digester through every state, fast path and error.
fn fragment() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        Just(b"\r\n".to_vec()),
        Just(b"\r\nOK\r\n".to_vec()),
        Just(b"OK +MQTTSUBACK: 1,0,\"t\"\r\n".to_vec()),
        Just(b"OK  \r\n".to_vec()),
        Just(b"\r\n+CME ERROR: 603\r\n".to_vec()),
        Just(b"+CME ERROR: SIM failure\r\n".to_vec()),
        Just(b"ERROR\r\n".to_vec()),
        Just(b"\r\n+MQTTPUBACK: 0,7\r\n".to_vec()),
        Just(b"> ".to_vec()),
        Just(b"\r\n+MQTTPUBLISH: 0,1,0,77,\"a/b\",3,x\ry\r\n".to_vec()),
        Just(b"\r\n+MQTTPUBLISH:0,2,1,9,pyr,5\r\nOK\r\n\r\n".to_vec()),
        Just(b"+MQTTPUBLISH: 0,0,0,0,t,0,\r\n".to_vec()),
        Just(b"+MQTTPUBLISH: 0,0,0,0,\"t\"x,1,a\r\n".to_vec()),
        Just(b"+MQTTPUBLISH: 0,3,0,0,t,1,a\r\n".to_vec()),
        Just(b"+MQTTPUBLISH: 0,0,0,0,t,70,".to_vec()),
        Just(b"+MQTTPUBLISH: 0,0,0,0,\"t/\xff\",1,a\r\n".to_vec()),
        Just(b"+MQTTPUB".to_vec()),
        Just(b"O".to_vec()),
        Just(b"+".to_vec()),
        Just(vec![b'x'; 40]),
        proptest::collection::vec(any::<u8>(), 0..24),
        proptest::collection::vec(
            prop_oneof![
                Just(b'\r'),
                Just(b'\n'),
                Just(b','),
                Just(b'"'),
                any::<u8>()
            ],
            0..24
        ),
    ]
}

fn input() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(fragment(), 0..24).prop_map(|v| v.concat())
}

fn plan() -> impl Strategy<Value = Plan> {
    (
        proptest::collection::vec(prop_oneof![Just(0usize), 1usize..4, 1usize..80], 1..6),
        proptest::collection::vec(any::<bool>(), 1..6),
    )
        .prop_map(|(cuts, routes)| Plan { cuts, routes })
}

/// Whole input, reference route only: what every other way must give.
fn reference_whole() -> Plan {
    Plan {
        cuts: vec![0],
        routes: vec![true],
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn fast_and_reference_routes_agree_at_every_chunking(
        input in input(),
        plan in plan(),
        prompt in any::<bool>(),
    ) {
        let want = frames::<1024, 1024>(&input, &reference_whole(), prompt);
        let fast_only = Plan { cuts: plan.cuts.clone(), routes: vec![false] };
        prop_assert_eq!(&frames::<1024, 1024>(&input, &fast_only, prompt), &want);
        prop_assert_eq!(&frames::<1024, 1024>(&input, &plan, prompt), &want);
        let bytes = Plan { cuts: vec![1], routes: vec![false] };
        prop_assert_eq!(&frames::<1024, 1024>(&input, &bytes, prompt), &want);
    }

    #[test]
    fn small_buffers_agree_too(input in input(), plan in plan(), prompt in any::<bool>()) {
        let want = frames::<32, 16>(&input, &reference_whole(), prompt);
        prop_assert_eq!(&frames::<32, 16>(&input, &plan, prompt), &want);
        let want = frames::<8, 4>(&input, &reference_whole(), prompt);
        prop_assert_eq!(&frames::<8, 4>(&input, &plan, prompt), &want);
    }
}
