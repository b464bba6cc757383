//! Fuzz targets of the Mochi runtime (see `README.md`).

mod targets;
pub use targets::{differential, front_end};
