//! Helpers shared by the wire tests: the owned frame of `ml302-testkit`, under
//! the short name the tests use.

pub use ml302_testkit::OwnedFrame as F;
