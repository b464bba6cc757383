//! Name resolution and type checking: AST -> typed tree (`crate::hir`).
