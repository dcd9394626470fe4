//! The sandbox's clock (injectable, for the `requestTime` window) and the
//! millisecond-based RFC 3339 reading and writing it needs, done by
//! [`payermax_types::Timestamp`].

use std::fmt;
use std::sync::Mutex;

use payermax_types::Timestamp;

/// Where the sandbox reads "now" from: the `requestTime` window, refund
/// finish times and refund numbers use it. Settlement and notification
/// delays run on tokio's timer.
pub trait Clock: Send + Sync + fmt::Debug + 'static {
    /// Milliseconds since the Unix epoch.
    fn now_millis(&self) -> i64;

    /// Moves the clock by `delta` milliseconds, for the control API's
    /// `clock/advance`; `false` (the default) for a clock that cannot be
    /// moved, such as the machine's.
    fn try_advance_millis(&self, delta: i64) -> bool {
        let _ = delta;
        false
    }
}

/// The machine's clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_millis(&self) -> i64 {
        Timestamp::now().unix_millis()
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

    fn try_advance_millis(&self, delta: i64) -> bool {
        self.advance_millis(delta);
        true
    }
}

/// The instant `millis` after the epoch, clamped to the years
/// [`Timestamp`] can write (0000 to 9999).
fn utc(millis: i64) -> Timestamp {
    Timestamp::from_unix_millis(millis).unwrap_or(if millis < 0 {
        Timestamp::MIN
    } else {
        Timestamp::MAX
    })
}

/// Reads an RFC 3339 date-time (`2022-01-17T07:01:23.737+00:00`,
/// `...:23Z`, 0 to 9 fraction digits, `Z` or a numeric offset) into Unix
/// milliseconds (fraction truncated). `None` when it is not one. The
/// reading is [`Timestamp`]'s, so the sandbox accepts exactly what the
/// SDK's types accept.
pub fn parse_rfc3339_millis(s: &str) -> Option<i64> {
    s.parse::<Timestamp>().ok().map(|t| t.unix_millis())
}

/// Writes Unix milliseconds as `yyyy-MM-dd'T'HH:mm:ss.SSSZ` in UTC
/// ([`Timestamp::display_z`]; clamped to years 0000 to 9999).
pub fn format_rfc3339_millis(millis: i64) -> String {
    utc(millis).display_z().to_string()
}

/// Writes Unix milliseconds as `yyyyMMddHHmmss` in UTC (refund numbers):
/// the first fourteen digits of the RFC 3339 form.
pub fn format_compact(millis: i64) -> String {
    utc(millis)
        .to_string()
        .chars()
        .filter(char::is_ascii_digit)
        .take(14)
        .collect()
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
