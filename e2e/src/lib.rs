//! End-to-end tests of the `ml302` driver through the simulator live in `tests/`;
//! this crate has no code of its own.
