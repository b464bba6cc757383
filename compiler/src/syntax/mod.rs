//! Lexer, parser and the untyped syntax tree.
