//! Lowering: typed tree (`crate::hir`) -> typed bytecode (`vm::program::Program`).
