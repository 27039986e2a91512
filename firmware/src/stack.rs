//! The stack's high-water mark, measured.
//!
//! cortex-m-rt's `paint-stack` feature fills everything between `_stack_end`
//! (the end of `.bss`/`.uninit`; this firmware has no heap) and `_stack_start`
//! (the top of RAM) with `0xCCCC_CCCC` in the reset handler, before `.data` and
//! `.bss` are initialised and before `main`. [`peak`] scans up from the bottom
//! for the first word that is no longer paint: everything above it has been used
//! by the stack (interrupt frames included) at some point.

use core::ptr::read_volatile;

/// The paint value of cortex-m-rt.
pub const PAINT: u32 = cortex_m_rt::STACK_PAINT_VALUE;

extern "C" {
    static _stack_start: u32;
    static _stack_end: u32;
}

/// Bytes between the top of RAM and the deepest word the stack reached.
pub fn peak() -> usize {
    let top = (&raw const _stack_start) as usize;
    let mut p = (&raw const _stack_end) as usize;
    while p < top {
        // SAFETY: an aligned word of RAM between the end of the statics and the
        // top of the stack (both symbols are 4-byte aligned by the linker script).
        if unsafe { read_volatile(p as *const u32) } != PAINT {
            break;
        }
        p += 4;
    }
    top - p
}

/// Bytes available to the stack.
pub fn size() -> usize {
    (&raw const _stack_start) as usize - (&raw const _stack_end) as usize
}
