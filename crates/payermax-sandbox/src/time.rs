//! The sandbox's clock (injectable, for the `requestTime` window) and the
//! RFC 3339 reading and writing it needs.

use std::fmt;
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Where the sandbox reads "now" from: the `requestTime` window, refund
/// finish times and refund numbers use it. Settlement and notification
/// delays run on tokio's timer.
pub trait Clock: Send + Sync + fmt::Debug + 'static {
    /// Milliseconds since the Unix epoch.
    fn now_millis(&self) -> i64;
}

/// The machine's clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_millis(&self) -> i64 {
        let since = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or(Duration::ZERO);
        i64::try_from(since.as_millis()).unwrap_or(i64::MAX)
    }
}

/// A clock that stands still until told to move; for tests of the
/// two-minute `requestTime` window.
#[derive(Debug)]
pub struct ManualClock {
    millis: Mutex<i64>,
}

impl ManualClock {
    /// A clock showing `millis` since the Unix epoch.
    pub fn new(millis: i64) -> Self {
        Self {
            millis: Mutex::new(millis),
        }
    }

    /// Sets the time.
    pub fn set_millis(&self, millis: i64) {
        *self.millis.lock().unwrap_or_else(|e| e.into_inner()) = millis;
    }

    /// Moves the time forward (or back, with a negative value).
    pub fn advance_millis(&self, delta: i64) {
        let mut m = self.millis.lock().unwrap_or_else(|e| e.into_inner());
        *m = m.saturating_add(delta);
    }
}

impl Clock for ManualClock {
    fn now_millis(&self) -> i64 {
        *self.millis.lock().unwrap_or_else(|e| e.into_inner())
    }
}

fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn digits(s: &[u8]) -> Option<i64> {
    if s.is_empty() || !s.iter().all(u8::is_ascii_digit) {
        return None;
    }
    s.iter().try_fold(0i64, |acc, b| {
        acc.checked_mul(10)?.checked_add(i64::from(b - b'0'))
    })
}

/// Reads an RFC 3339 date-time (`2022-01-17T07:01:23.737+00:00`,
/// `...:23Z`, 0 to 9 fraction digits, `Z` or a numeric offset) into Unix
/// milliseconds (fraction truncated). `None` when it is not one.
pub fn parse_rfc3339_millis(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || b[13] != b':' || b[16] != b':' {
        return None;
    }
    if !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    let (year, month, day) = (digits(&b[0..4])?, digits(&b[5..7])?, digits(&b[8..10])?);
    let (hour, minute, second) = (
        digits(&b[11..13])?,
        digits(&b[14..16])?,
        digits(&b[17..19])?,
    );
    let mut rest = &b[19..];
    let mut millis = 0i64;
    if let Some(frac) = rest.strip_prefix(b".") {
        let n = frac.iter().take_while(|c| c.is_ascii_digit()).count();
        if n == 0 || n > 9 {
            return None;
        }
        let mut ms = frac[..n].to_vec();
        ms.resize(3, b'0');
        millis = digits(&ms[..3])?;
        rest = &frac[n..];
    }
    let offset_minutes = match rest {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let h = digits(&[*h1, *h2])?;
            let m = digits(&[*m1, *m2])?;
            if h > 23 || m > 59 {
                return None;
            }
            let off = h * 60 + m;
            if *sign == b'-' { -off } else { off }
        }
        _ => return None,
    };
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let month_days = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    if !(1..=12).contains(&month)
        || day < 1
        || day > month_days[usize::try_from(month - 1).ok()?]
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let days = days_from_civil(year, month, day);
    let secs = days * 86_400 + hour * 3600 + minute * 60 + second - offset_minutes * 60;
    Some(secs * 1000 + millis)
}

/// Writes Unix milliseconds as `yyyy-MM-dd'T'HH:mm:ss.SSSZ` in UTC.
pub fn format_rfc3339_millis(millis: i64) -> String {
    let (days, ms_of_day) = (millis.div_euclid(86_400_000), millis.rem_euclid(86_400_000));
    let (y, m, d) = civil_from_days(days);
    let secs = ms_of_day / 1000;
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}Z",
        secs / 3600,
        secs / 60 % 60,
        secs % 60,
        ms_of_day % 1000
    )
}

/// Writes Unix milliseconds as `yyyyMMddHHmmss` in UTC (refund numbers).
pub fn format_compact(millis: i64) -> String {
    let (days, ms_of_day) = (millis.div_euclid(86_400_000), millis.rem_euclid(86_400_000));
    let (y, m, d) = civil_from_days(days);
    let secs = ms_of_day / 1000;
    format!(
        "{y:04}{m:02}{d:02}{:02}{:02}{:02}",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: i64 = 1_642_402_883_737; // 2022-01-17T07:01:23.737Z

    #[test]
    fn accepts_what_real_clients_send() {
        for (s, want) in [
            ("2022-01-17T07:01:23.737+00:00", T),
            ("2022-01-17T07:01:23.737Z", T),
            ("2022-01-17T07:01:23Z", T - 737),
            ("2022-01-17T07:01:23.7Z", T - 37),
            ("2022-01-17T07:01:23.73Z", T - 7),
            ("2022-01-17T07:01:23.737123456Z", T),
            ("2022-01-17T08:01:23.737+01:00", T),
            ("2022-01-17T06:31:23.737-00:30", T),
            ("2022-01-17t07:01:23.737z", T),
        ] {
            assert_eq!(parse_rfc3339_millis(s), Some(want), "{s}");
        }
    }

    #[test]
    fn rejects_non_rfc3339() {
        for s in [
            "",
            "2022-01-17",
            "2022-01-17T07:01:23",
            "2022-01-17T07:01:23.Z",
            "2022-01-17T07:01:23.1234567890Z",
            "2022-13-17T07:01:23Z",
            "2022-02-30T07:01:23Z",
            "2022-01-17T24:01:23Z",
            "2022-01-17T07:01:23+0000",
            "2022-01-17T07:01:23.737+00:00x",
            "2022-01-17T07:01:23.737+0é:00",
            "２０22-01-17T07:01:23Z",
        ] {
            assert_eq!(parse_rfc3339_millis(s), None, "{s}");
        }
    }

    #[test]
    fn formats_round_trip() {
        assert_eq!(format_rfc3339_millis(T), "2022-01-17T07:01:23.737Z");
        assert_eq!(format_compact(T), "20220117070123");
        assert_eq!(format_rfc3339_millis(0), "1970-01-01T00:00:00.000Z");
        for ms in [0, T, 951_782_400_000, 4_102_444_799_999] {
            assert_eq!(parse_rfc3339_millis(&format_rfc3339_millis(ms)), Some(ms));
        }
    }

    #[test]
    fn manual_clock_moves_only_when_told() {
        let c = ManualClock::new(T);
        assert_eq!(c.now_millis(), T);
        c.advance_millis(1000);
        assert_eq!(c.now_millis(), T + 1000);
        c.set_millis(5);
        assert_eq!(c.now_millis(), 5);
    }

    proptest::proptest! {
        #[test]
        fn any_text_parses_or_not_without_panicking(s in "\\PC{0,40}") {
            let _ = parse_rfc3339_millis(&s);
        }

        #[test]
        fn near_rfc3339_text_never_panics(
            s in "[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{0,12})?([Zz]|[+-][0-9]{2}:?[0-9]{2}|\\PC)?"
        ) {
            if let Some(ms) = parse_rfc3339_millis(&s) {
                // Whatever parses also formats and parses back to the same instant.
                proptest::prop_assert_eq!(parse_rfc3339_millis(&format_rfc3339_millis(ms)), Some(ms));
            }
        }

        #[test]
        fn format_then_parse_is_identity(ms in -62_135_596_800_000i64..253_402_300_799_999i64) {
            proptest::prop_assert_eq!(parse_rfc3339_millis(&format_rfc3339_millis(ms)), Some(ms));
        }
    }
}
