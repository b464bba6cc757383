//! Storing one hole's value: the only place that writes into copied stencil code.

use stencils::HoleKind;

/// Store `value` (the hole's symbol value plus its addend) into `buf` at `at`, according to
/// `kind`. `place` is the run-time address of `buf[at]` (for `Rel32`). A value that does not
/// fit the hole's width is an error, never silently truncated.
pub fn apply(
    buf: &mut [u8],
    at: usize,
    kind: HoleKind,
    value: u64,
    place: u64,
) -> Result<(), String> {
    match kind {
        HoleKind::Abs64 => write(buf, at, &value.to_le_bytes()),
        HoleKind::Abs32 => {
            let v = u32::try_from(value)
                .map_err(|_| format!("value {value:#x} does not fit an unsigned 32-bit hole"))?;
            write(buf, at, &v.to_le_bytes())
        }
        HoleKind::Abs32S => {
            let v = i32::try_from(value as i64)
                .map_err(|_| format!("value {} does not fit a signed 32-bit hole", value as i64))?;
            write(buf, at, &v.to_le_bytes())
        }
        HoleKind::Abs8 => {
            let v = u8::try_from(value)
                .map_err(|_| format!("value {value:#x} does not fit an 8-bit hole"))?;
            write(buf, at, &[v])
        }
        HoleKind::Rel32 => {
            let d = (value as i64).wrapping_sub(place as i64);
            let v = i32::try_from(d)
                .map_err(|_| format!("displacement {d:#x} does not fit a 32-bit relative hole"))?;
            write(buf, at, &v.to_le_bytes())
        }
    }
}

fn write(buf: &mut [u8], at: usize, bytes: &[u8]) -> Result<(), String> {
    let dst = buf
        .get_mut(at..at + bytes.len())
        .ok_or_else(|| format!("hole at {at} outside the code"))?;
    dst.copy_from_slice(bytes);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_are_checked() {
        let mut b = [0u8; 8];
        apply(&mut b, 0, HoleKind::Abs32, u32::MAX as u64, 0).unwrap();
        assert_eq!(b[..4], [0xff; 4]);
        assert!(apply(&mut b, 0, HoleKind::Abs32, 1 << 32, 0).is_err());
        apply(&mut b, 0, HoleKind::Abs32S, (-1i64) as u64, 0).unwrap();
        apply(&mut b, 0, HoleKind::Abs32S, i32::MIN as i64 as u64, 0).unwrap();
        assert_eq!(i32::from_le_bytes(b[..4].try_into().unwrap()), i32::MIN);
        assert!(apply(&mut b, 0, HoleKind::Abs32S, 1 << 31, 0).is_err());
        apply(&mut b, 0, HoleKind::Abs8, 255, 0).unwrap();
        assert_eq!(b[0], 255);
        assert!(apply(&mut b, 0, HoleKind::Abs8, 256, 0).is_err());
        assert!(apply(&mut b, 0, HoleKind::Abs32S, (i32::MIN as i64 - 1) as u64, 0).is_err());
        apply(&mut b, 0, HoleKind::Rel32, 0x1000, 0x2000).unwrap();
        assert_eq!(i32::from_le_bytes(b[..4].try_into().unwrap()), -0x1000);
        assert!(apply(&mut b, 0, HoleKind::Rel32, 0x1_0000_0000, 0).is_err());
        apply(&mut b, 0, HoleKind::Abs64, 0x0123_4567_89ab_cdef, 0).unwrap();
        assert_eq!(u64::from_le_bytes(b), 0x0123_4567_89ab_cdef);
        assert!(apply(&mut b, 6, HoleKind::Abs32, 0, 0).is_err());
    }
}
