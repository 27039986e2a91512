//! Enables the simulator's AT-line parser (`sim/src/at.rs`) in the fuzz crate when
//! the file exists, so that the other targets still build without it.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(has_sim_at)");
    let at = std::path::Path::new("../sim/src/at.rs");
    println!("cargo::rerun-if-changed=../sim/src/at.rs");
    if at.exists() {
        println!("cargo::rustc-cfg=has_sim_at");
    }
}
