//! Value formatting as the reference prints it (LANGUAGE.md §7).

/// A float at top level (`print(x)`, `str(x)`): Go's `fmt.Sprint(float64)`, i.e. `%v` =
/// `strconv.FormatFloat(x, 'g', -1, 64)` with the shortest round-trip digits; exponent form
/// when the decimal exponent is < -4 or >= 21.
pub fn float_top(x: f64) -> String {
    if let Some(s) = non_finite(x) {
        return s.into();
    }
    if x == 0.0 {
        return if x.is_sign_negative() { "-0" } else { "0" }.into();
    }
    let (neg, digits, exp) = shortest_digits(x);
    let sign = if neg { "-" } else { "" };
    // `exp` is the decimal exponent of the first digit: x = d1.d2d3... * 10^exp
    if !(-4..21).contains(&exp) {
        let mut m = String::new();
        m.push_str(&digits[..1]);
        if digits.len() > 1 {
            m.push('.');
            m.push_str(&digits[1..]);
        }
        let esign = if exp < 0 { '-' } else { '+' };
        let e = exp.unsigned_abs();
        return format!("{sign}{m}e{esign}{e:02}");
    }
    format!("{sign}{}", place_point(&digits, exp))
}

/// A float inside a container: Go's `strconv.FormatFloat(x, 'f', -1, 64)` plus `.0` when the
/// result has no decimal point (never exponent form).
pub fn float_nested(x: f64) -> String {
    if let Some(s) = non_finite(x) {
        return s.into();
    }
    if x == 0.0 {
        return if x.is_sign_negative() { "-0.0" } else { "0.0" }.into();
    }
    let (neg, digits, exp) = shortest_digits(x);
    let mut s = String::from(if neg { "-" } else { "" });
    s.push_str(&place_point(&digits, exp));
    if !s.contains('.') {
        s.push_str(".0");
    }
    s
}

/// Go's spelling of NaN and the infinities.
fn non_finite(x: f64) -> Option<&'static str> {
    if x.is_nan() {
        Some("NaN")
    } else if x.is_infinite() {
        Some(if x > 0.0 { "+Inf" } else { "-Inf" })
    } else {
        None
    }
}

/// Shortest round-trip decimal digits of |x| (no leading/trailing zeros) and the decimal
/// exponent of the first digit. Rust's `{:e}` formatting yields exactly the shortest digits.
fn shortest_digits(x: f64) -> (bool, String, i32) {
    let split = |s: &str| -> (String, i32) {
        let (mant, exp) = s.split_once('e').expect("{:e} always has an exponent");
        let digits = mant.chars().filter(|c| *c != '.').collect();
        (digits, exp.parse().expect("exponent is an integer"))
    };
    let a = x.abs();
    let (digits, exp) = split(&format!("{a:e}"));
    // Among the shortest digit strings that round-trip, Go picks the one closest to the
    // exact value (ties to even). Rust's shortest form may pick the other neighbour on an
    // exact tie (1e15 + 0.3 = ...000.25 gives ...000.3, Go prints ...000.2), so prefer the
    // correctly rounded string of the same length when it also round-trips.
    let n = digits.len();
    let rounded = format!("{a:.prec$e}", prec = n - 1);
    if rounded.parse::<f64>() == Ok(a) {
        let (d2, e2) = split(&rounded);
        return (x < 0.0, d2.trim_end_matches('0').to_string(), e2);
    }
    (x < 0.0, digits, exp)
}

/// Lay out `digits` (first digit has decimal exponent `exp`) in plain positional notation.
fn place_point(digits: &str, exp: i32) -> String {
    let n = digits.len() as i32;
    if exp < 0 {
        format!("0.{}{}", "0".repeat((-exp - 1) as usize), digits)
    } else if exp + 1 >= n {
        format!("{}{}", digits, "0".repeat((exp + 1 - n) as usize))
    } else {
        let (a, b) = digits.split_at((exp + 1) as usize);
        format!("{a}.{b}")
    }
}

/// `true` / `false`.
pub fn bool_str(b: bool) -> &'static str {
    if b {
        "true"
    } else {
        "false"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn top_level_floats_match_go() {
        let cases = [
            (3.0, "3"),
            (0.1, "0.1"),
            (2.5, "2.5"),
            (1e21, "1e+21"),
            (1e20, "100000000000000000000"),
            (1e-5, "1e-05"),
            (1e-4, "0.0001"),
            (123456.789, "123456.789"),
            (-0.5, "-0.5"),
            (0.1 + 0.2, "0.30000000000000004"),
            (1.0 / 3.0, "0.3333333333333333"),
            (-1.5e300, "-1.5e+300"),
            (5e-324, "5e-324"),
            (f64::MAX, "1.7976931348623157e+308"),
            (0.0, "0"),
            (-0.0, "-0"),
            (100.0, "100"),
            (1e15 + 0.3, "1000000000000000.2"),
            (1e15 + 1.25, "1000000000000001.2"),
        ];
        for (x, want) in cases {
            assert_eq!(float_top(x), want, "float_top({x:e})");
        }
        // Go switches to exponent form only at exp >= 21, so this stays positional.
        assert_eq!(float_top(12345678.0), "12345678");
        assert_eq!(float_top(f64::INFINITY), "+Inf");
        assert_eq!(float_top(f64::NEG_INFINITY), "-Inf");
        assert_eq!(float_top(f64::NAN), "NaN");
    }

    #[test]
    fn nested_floats_match_go() {
        assert_eq!(float_nested(3.0), "3.0");
        assert_eq!(float_nested(2.5), "2.5");
        assert_eq!(float_nested(1e21), "1000000000000000000000.0");
        assert_eq!(float_nested(1e-5), "0.00001");
        assert_eq!(float_nested(-7.0), "-7.0");
    }
}
