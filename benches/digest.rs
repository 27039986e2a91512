//! Digester throughput (ns/byte through `Throughput::Bytes`) on the benchmark
//! streams of `ml302-testkit` (mix `a`: line-safe payloads; mix `b`: binary
//! payloads that only length framing survives), fed in chunks of 1, 64 and 512
//! bytes; and atat's stock `AtDigester` on stream `a` at the same chunk sizes,
//! driven the way `atat::Ingress` drives it (append, digest until nothing is
//! consumed, shift the rest down).
//!
//! ```text
//! cargo bench --bench digest            # full run
//! cargo bench --bench digest -- --test  # quick check: every benchmark once
//! ```
//!
//! The streams (1 MiB each) are generated in memory by `ml302_testkit::make_stream`;
//! before measuring, each is decoded once and its counts checked against the
//! generator's.

use std::hint::black_box;

use atat::digest::{parser, AtDigester, DigestResult, Digester as _, ParseError, Parser};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use ml302::digest::{Digester, Frame};
use ml302_testkit::{make_stream, Counts, Mix};

const CHUNKS: [usize; 3] = [1, 64, 512];

/// Generates stream `mix` (1 MiB) and checks that the digester counts in it what
/// the generator put there, so that a broken digester is not measured.
fn stream(mix: Mix) -> Vec<u8> {
    let (data, want) = make_stream(mix, 1 << 20);
    let mut d: Digester = Digester::new();
    let mut got = Counts {
        bytes: data.len() as u64,
        ..Counts::default()
    };
    let mut rest = &data[..];
    while !rest.is_empty() {
        let (used, frame) = d.feed(rest);
        rest = &rest[used..];
        if let Some(f) = frame {
            got.add(&f);
        }
    }
    assert_eq!(got, want, "stream {mix:?}: the digester's counts differ");
    data
}

/// Feeds `data` in `chunk`-byte pieces through our digester; returns the number
/// of frames (so the work cannot be optimised away).
fn run_ml302(data: &[u8], chunk: usize) -> usize {
    let mut d: Digester = Digester::new();
    let mut frames = 0usize;
    for piece in data.chunks(chunk) {
        let mut rest = piece;
        while !rest.is_empty() {
            let (used, frame) = d.feed(rest);
            rest = &rest[used..];
            if let Some(f) = frame {
                frames += 1;
                black_box(&f);
                if let Frame::Publish(p) = f {
                    black_box(p.payload.len());
                }
            }
        }
    }
    frames
}

/// The URC prefixes of the ML302, for atat's digester.
struct MqttUrcs;

impl Parser for MqttUrcs {
    fn parse(buf: &[u8]) -> Result<(&[u8], usize), ParseError> {
        const TOKENS: [&[u8]; 8] = [
            b"+MQTTPUBLISH",
            b"+MQTTPINGRSP",
            b"+MQTTPINGRESP",
            b"+MQTTPUBREL",
            b"+MQTTTO",
            b"+MQTTREC",
            b"+MQTTDISC",
            b"+MQTTOPEN",
        ];
        for token in TOKENS {
            let urc = parser::urc_helper::<_, atat::nom::error::Error<&[u8]>>(token);
            if let Some(r) = parser::try_urc(urc, buf) {
                return r;
            }
        }
        Err(ParseError::NoMatch)
    }
}

/// Feeds `data` in `chunk`-byte pieces through atat's `AtDigester`, the way
/// `atat::Ingress` does; returns the number of results it reported.
fn run_atat(data: &[u8], chunk: usize) -> usize {
    let mut d = AtDigester::<MqttUrcs>::new();
    let mut buf = [0u8; 4096];
    let mut len = 0usize;
    let mut results = 0usize;
    for piece in data.chunks(chunk) {
        if len + piece.len() > buf.len() {
            // atat's ingress would report an overflow; start afresh.
            len = 0;
        }
        buf[len..len + piece.len()].copy_from_slice(piece);
        len += piece.len();
        loop {
            let (res, used) = d.digest(&buf[..len]);
            if !matches!(res, DigestResult::None) {
                results += 1;
                black_box(&res);
            }
            if used == 0 {
                break;
            }
            buf.copy_within(used..len, 0);
            len -= used;
        }
    }
    results
}

fn digest(c: &mut Criterion) {
    let streams: Vec<(&str, Vec<u8>)> = vec![("a", stream(Mix::A)), ("b", stream(Mix::B))];
    if let Some((_, a)) = streams.iter().find(|(m, _)| *m == "a") {
        // Frames vs atat's results: atat merges information lines with their
        // final result and, from chunk 64 on, several frames into one.
        for chunk in CHUNKS {
            eprintln!(
                "stream a, chunk {chunk}: ml302 {} frames, atat {} results",
                run_ml302(a, chunk),
                run_atat(a, chunk)
            );
        }
    }

    let mut g = c.benchmark_group("digest");
    g.sample_size(10);
    for (mix, data) in &streams {
        g.throughput(Throughput::Bytes(data.len() as u64));
        for chunk in CHUNKS {
            g.bench_with_input(
                BenchmarkId::new(format!("ml302/{mix}"), chunk),
                &chunk,
                |b, &chunk| b.iter(|| run_ml302(black_box(data), chunk)),
            );
            if *mix == "a" {
                g.bench_with_input(
                    BenchmarkId::new(format!("atat/{mix}"), chunk),
                    &chunk,
                    |b, &chunk| b.iter(|| run_atat(black_box(data), chunk)),
                );
            }
        }
    }
    g.finish();
}

criterion_group!(benches, digest);
criterion_main!(benches);
