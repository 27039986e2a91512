//! Finding line ends and delimiters: the only searches the digester makes.
//!
//! The plain versions here read a byte at a time. With the `fast-digest`
//! feature, [`super::fast`] puts a word-at-a-time [`find_eol`] in place of the
//! plain one (its versions are tested against these). [`find_delim`], the
//! header reader's search, stays byte by byte on every route: topics are short,
//! the fast paths take the usual ones whole with their own search, and the
//! word-at-a-time search inlined into the header reader cost 596 bytes of flash
//! in the default firmware build, for no measurable speed (the fast route and
//! the `reference` column of `scripts/bench-callgrind.sh` within 0.5% at
//! chunks 64 and 512).
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

/// Whether `b` ends a line.
#[inline]
pub(crate) const fn is_eol(b: u8) -> bool {
    b == b'\r' || b == b'\n'
}

/// Position of the first CR or LF, byte by byte.
#[cfg_attr(feature = "fast-digest", allow(dead_code))]
pub(crate) fn plain_find_eol(hay: &[u8]) -> Option<usize> {
    hay.iter().position(|&b| is_eol(b))
}

/// Position of the first `delim`, CR or LF, byte by byte (the header reader's
/// search on every route).
pub(crate) fn plain_find_delim(delim: u8, hay: &[u8]) -> Option<usize> {
    hay.iter().position(|&b| b == delim || is_eol(b))
}

pub(crate) use plain_find_delim as find_delim;
#[cfg(not(feature = "fast-digest"))]
pub(crate) use plain_find_eol as find_eol;

#[cfg(feature = "fast-digest")]
pub(crate) use super::fast::scan::find_eol;
