//! Test helpers shared by the `ml302` driver's tests, examples, benchmarks, CLI and
//! fuzz targets, so that each exists once:
//!
//! * [`OwnedFrame`]: a digester [`Frame`](ml302::digest::Frame) with its borrowed
//!   parts copied, for comparing frame sequences;
//! * [`Counts`]: the frame counts of a stream (`urc_publish`, `urc_other`,
//!   `response_ok`, `response_error`, `bytes`) and the rules that classify frames
//!   into them;
//! * [`make_stream`]: the deterministic benchmark streams (mixes [`Mix::A`] and
//!   [`Mix::B`]) with the counts a decoder of them must report. The `make-stream`
//!   binary of this crate writes them to a file for scripts.
//!
//! ```
//! use ml302::digest::Digester;
//! use ml302_testkit::{make_stream, Counts, Mix};
//!
//! let (data, want) = make_stream(Mix::B, 64 * 1024);
//! let mut d: Digester = Digester::new();
//! let mut got = Counts { bytes: data.len() as u64, ..Counts::default() };
//! let mut rest = &data[..];
//! while !rest.is_empty() {
//!     let (used, frame) = d.feed(rest);
//!     rest = &rest[used..];
//!     if let Some(f) = frame {
//!         got.add(&f);
//!     }
//! }
//! assert_eq!(got, want);
//! ```

#![deny(missing_docs)]

mod counts;
mod frame;
mod stream;

pub use counts::Counts;
pub use frame::OwnedFrame;
pub use stream::{make_stream, Mix};
