//! The typed tree.
