//! Value formatting as the reference prints it (LANGUAGE.md §7). The implementation lives in
//! `arenas::format`; this module re-exports the scalar formatters for the existing vm code.

pub use arenas::format::{bool_str, float_nested, float_top};

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
            (1e20, "1e+20"),
            (1e-5, "1e-05"),
            (1e-4, "0.0001"),
            (123456.789, "123456.789"),
            (1234567.5, "1.2345675e+06"),
            (-0.5, "-0.5"),
            (0.1 + 0.2, "0.30000000000000004"),
            (1.0 / 3.0, "0.3333333333333333"),
            (-1.5e300, "-1.5e+300"),
            (5e-324, "5e-324"),
            (f64::MAX, "1.7976931348623157e+308"),
            (0.0, "0"),
            (-0.0, "-0"),
            (100.0, "100"),
            (1e15 + 0.3, "1.0000000000000002e+15"),
            (1e15 + 1.25, "1.0000000000000012e+15"),
            (1e14 + 0.02, "1.0000000000000002e+14"),
        ];
        for (x, want) in cases {
            assert_eq!(float_top(x), want, "float_top({x:e})");
        }
        // Go's 'g' switches to exponent form at a decimal exponent of 6.
        assert_eq!(float_top(12345678.0), "1.2345678e+07");
        assert_eq!(float_top(1000000.0), "1e+06");
        assert_eq!(float_top(100000.0), "100000");
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
