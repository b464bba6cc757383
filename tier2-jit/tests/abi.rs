//! The C side of the ABI (clang-measured, `stencils::ABI`) agrees with the Rust side.

#[test]
fn clang_and_rust_agree_on_the_abi() {
    if !stencils::SUPPORTED {
        return; // interpreter-only target: no table to check
    }
    let rust = vm::abi::abi_facts();
    let c: Vec<(&str, u64)> = stencils::ABI.to_vec();
    assert!(!c.is_empty());
    for (i, ((rn, rv), (cn, cv))) in rust.iter().zip(&c).enumerate() {
        assert_eq!(rn, cn, "fact {i}: names differ (abi_probe.c out of order?)");
        assert_eq!(rv, cv, "{rn}: Rust says {rv:#x}, clang measured {cv:#x}");
    }
    assert_eq!(rust.len(), c.len(), "number of ABI facts");
}
