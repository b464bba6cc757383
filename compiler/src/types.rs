//! Static types.
