//! Puts `memory.x` and `device.x` where cortex-m-rt's `link.x` looks for them.

use std::{env, fs, path::PathBuf};

fn main() {
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("OUT_DIR is set by cargo"));
    for name in ["memory.x", "device.x"] {
        fs::copy(name, out.join(name)).expect("copy linker script fragment");
        println!("cargo:rerun-if-changed={name}");
    }
    println!("cargo:rustc-link-search={}", out.display());
    println!("cargo:rerun-if-changed=build.rs");
}
