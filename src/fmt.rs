//! Numbers and money as people write them, shared by every output that shows a figure
//! (the cost tables, the plot, lint's budget rule).

/// `1 request`, `3 requests`.
pub fn plural(n: u64, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{} {noun}s", group(n))
    }
}

/// `1234567` → `1,234,567`.
pub fn group(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A number as people write it: grouped integers, otherwise up to 4 decimals.
pub fn number(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        let sign = if value < 0.0 { "-" } else { "" };
        return format!("{sign}{}", group(value.abs() as u64));
    }
    let text = format!("{value:.4}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// Money with cents and grouped dollars: `$1,234.50`.
///
/// Beyond what whole cents in a `u64` hold, the dollars are written from the float itself,
/// so a large figure is shown as it is, never saturated to 2^64 cents; a figure that is not
/// finite (which the cost model refuses to produce) is said in words rather than as `NaN`.
pub fn usd(value: f64) -> String {
    if !value.is_finite() {
        return "an amount too large to compute".to_string();
    }
    if value.abs() >= 1e15 {
        let sign = if value < 0.0 { "-" } else { "" };
        let digits = format!("{:.0}", value.abs());
        let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                grouped.push(',');
            }
            grouped.push(c);
        }
        return format!("{sign}${grouped}");
    }
    let cents = (value.abs() * 100.0).round() as u64;
    let sign = if value < 0.0 && cents > 0 { "-" } else { "" };
    format!("{sign}${}.{:02}", group(cents / 100), cents % 100)
}

/// A difference with its sign: `+$3.00`, `-$3.00`, `$0.00`.
pub fn signed_usd(value: f64) -> String {
    if value > 0.0 && (value * 100.0).round() > 0.0 {
        format!("+{}", usd(value))
    } else {
        usd(value)
    }
}

/// Small amounts (per call, per request) keep their significant digits: `$0.000282`.
pub fn usd_small(value: f64) -> String {
    if value == 0.0 {
        return "$0".into();
    }
    if value >= 1.0 {
        return usd(value);
    }
    format!("${value:.6}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_money_read_like_people_write_them() {
        assert_eq!(group(0), "0");
        assert_eq!(group(1_234_567), "1,234,567");
        assert_eq!(number(30_000.0), "30,000");
        assert_eq!(number(2.5), "2.5");
        assert_eq!(usd(541.8), "$541.80");
        assert_eq!(usd(172.800_000_000_01), "$172.80");
        assert_eq!(usd(12_345.675), "$12,345.68");
        assert_eq!(usd(-3.0), "-$3.00");
        assert_eq!(usd_small(0.000_282_4), "$0.000282");
        assert_eq!(usd_small(0.0003), "$0.000300");
        assert_eq!(usd_small(0.0), "$0");
        // Beyond 2^64 cents: written from the float, not saturated.
        assert_eq!(usd(3e20), "$300,000,000,000,000,000,000");
        assert!(!usd(f64::INFINITY).contains("inf"));
    }
}
