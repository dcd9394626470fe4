//! [`Timestamp`]: an instant written the way PayerMax documents it.

use std::fmt;
use std::str::FromStr;
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An instant, between `0000-01-01T00:00:00Z` and `9999-12-31T23:59:59.999999999Z`.
///
/// * Written as `yyyy-MM-dd'T'HH:mm:ss.SSS+00:00`: always UTC, always three
///   fraction digits (truncated, not rounded), the offset written `+00:00` as
///   in PayerMax's `requestTime` example.
/// * Read from RFC 3339: `T` or `t` between date and time, 0 to 9 fraction
///   digits, `Z`, `z` or a `±hh:mm` offset. The instant is kept (to the
///   nanosecond); the offset it was written with is not. Leap seconds
///   (`:60`) are rejected.
/// * `Eq`/`Ord`/`Hash` compare instants: `…T08:00:00+08:00 == …T00:00:00Z`.
///
/// ```
/// use payermax_types::Timestamp;
///
/// let t: Timestamp = "2023-10-20T03:28:23.092Z".parse()?;
/// assert_eq!(t.to_string(), "2023-10-20T03:28:23.092+00:00");
/// assert_eq!(Timestamp::from_unix_millis(t.unix_millis()), Some(t));
/// # Ok::<(), payermax_types::TimestampError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp {
    /// Seconds since the Unix epoch.
    secs: i64,
    /// Nanoseconds within the second, `0..1_000_000_000`.
    nanos: u32,
}

/// Why a text is not a [`Timestamp`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TimestampError {
    /// Not `yyyy-MM-ddTHH:mm:ss[.fraction](Z|±hh:mm)`.
    Syntax,
    /// A field is out of range (month 13, February 30, hour 24, offset 24:00,
    /// second 60, more than 9 fraction digits ...).
    OutOfRange,
    /// The instant, once the offset is applied, is outside years 0000..=9999.
    YearOutOfRange,
}

impl fmt::Display for TimestampError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TimestampError::Syntax => {
                "not an RFC 3339 timestamp (expected e.g. 2022-01-17T07:01:23.737+00:00)"
            }
            TimestampError::OutOfRange => "timestamp field out of range",
            TimestampError::YearOutOfRange => "timestamp outside years 0000 to 9999",
        })
    }
}

impl std::error::Error for TimestampError {}

/// Days from 1970-01-01 to the given proleptic Gregorian date.
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The proleptic Gregorian date of a day count from 1970-01-01.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// `0000-01-01T00:00:00Z` in Unix seconds.
const MIN_SECS: i64 = -62_167_219_200;
/// `9999-12-31T23:59:59Z` in Unix seconds.
const MAX_SECS: i64 = 253_402_300_799;

impl Timestamp {
    /// The earliest representable instant, `0000-01-01T00:00:00.000+00:00`.
    pub const MIN: Timestamp = Timestamp {
        secs: MIN_SECS,
        nanos: 0,
    };
    /// The latest representable instant, `9999-12-31T23:59:59.999999999Z`.
    pub const MAX: Timestamp = Timestamp {
        secs: MAX_SECS,
        nanos: 999_999_999,
    };

    /// The instant `millis` milliseconds after 1970-01-01T00:00:00Z, or `None`
    /// outside years 0000..=9999.
    pub fn from_unix_millis(millis: i64) -> Option<Timestamp> {
        let secs = millis.div_euclid(1000);
        let nanos = (millis.rem_euclid(1000) as u32) * 1_000_000;
        Timestamp::from_unix(secs, nanos)
    }

    /// The instant `secs` seconds and `nanos` nanoseconds after the epoch, or
    /// `None` outside years 0000..=9999 or when `nanos` is a second or more.
    pub fn from_unix(secs: i64, nanos: u32) -> Option<Timestamp> {
        ((MIN_SECS..=MAX_SECS).contains(&secs) && nanos < 1_000_000_000)
            .then_some(Timestamp { secs, nanos })
    }

    /// Milliseconds since 1970-01-01T00:00:00Z (sub-millisecond part dropped,
    /// rounding towards the past).
    pub fn unix_millis(&self) -> i64 {
        self.secs * 1000 + i64::from(self.nanos / 1_000_000)
    }

    /// Whole seconds since the epoch (rounded towards the past).
    pub fn unix_seconds(&self) -> i64 {
        self.secs
    }

    /// Nanoseconds within the second.
    pub fn subsec_nanos(&self) -> u32 {
        self.nanos
    }

    /// The system clock's current time. A clock set outside years 0000..=9999
    /// gives [`Timestamp::MIN`] or [`Timestamp::MAX`].
    pub fn now() -> Timestamp {
        Timestamp::from(SystemTime::now())
    }
}

impl From<SystemTime> for Timestamp {
    /// Clamped to [`Timestamp::MIN`]..=[`Timestamp::MAX`].
    fn from(t: SystemTime) -> Timestamp {
        match t.duration_since(UNIX_EPOCH) {
            Ok(d) => i64::try_from(d.as_secs())
                .ok()
                .and_then(|s| Timestamp::from_unix(s, d.subsec_nanos()))
                .unwrap_or(Timestamp::MAX),
            Err(e) => {
                let d = e.duration();
                let (secs, nanos) = if d.subsec_nanos() == 0 {
                    (i64::try_from(d.as_secs()).ok().map(|s| -s), 0)
                } else {
                    (
                        i64::try_from(d.as_secs()).ok().map(|s| -s - 1),
                        1_000_000_000 - d.subsec_nanos(),
                    )
                };
                secs.and_then(|s| Timestamp::from_unix(s, nanos))
                    .unwrap_or(Timestamp::MIN)
            }
        }
    }
}

impl From<Timestamp> for SystemTime {
    fn from(t: Timestamp) -> SystemTime {
        let nanos = std::time::Duration::from_nanos(u64::from(t.nanos));
        if t.secs >= 0 {
            UNIX_EPOCH + std::time::Duration::from_secs(t.secs as u64) + nanos
        } else {
            UNIX_EPOCH - std::time::Duration::from_secs(t.secs.unsigned_abs()) + nanos
        }
    }
}

impl Timestamp {
    /// Writes `yyyy-MM-dd'T'HH:mm:ss.SSS` in UTC followed by `offset`.
    fn write_with(&self, f: &mut fmt::Formatter<'_>, offset: &str) -> fmt::Result {
        let days = self.secs.div_euclid(86_400);
        let sod = self.secs.rem_euclid(86_400);
        let (y, mo, d) = civil_from_days(days);
        write!(
            f,
            "{y:04}-{mo:02}-{d:02}T{:02}:{:02}:{:02}.{:03}{offset}",
            sod / 3600,
            sod / 60 % 60,
            sod % 60,
            self.nanos / 1_000_000
        )
    }

    /// The instant written as `yyyy-MM-dd'T'HH:mm:ss.SSSZ`: the
    /// [`Display`](fmt::Display) form with `Z` instead of `+00:00`, the way
    /// PayerMax writes `notifyTime` and `refundFinishTime`.
    ///
    /// ```
    /// use payermax_types::Timestamp;
    ///
    /// let t: Timestamp = "2023-10-20T11:28:23.092+08:00".parse()?;
    /// assert_eq!(t.display_z().to_string(), "2023-10-20T03:28:23.092Z");
    /// # Ok::<(), payermax_types::TimestampError>(())
    /// ```
    pub fn display_z(&self) -> impl fmt::Display + use<> {
        struct Z(Timestamp);
        impl fmt::Display for Z {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.write_with(f, "Z")
            }
        }
        Z(*self)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write_with(f, "+00:00")
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Timestamp({})", Exact(self))
    }
}

/// The timestamp without losing precision: milliseconds as [`Display`]
/// writes them when there is nothing finer, else 6 or 9 fraction digits.
/// (Found by fuzzing: a received `...23.0921Z` serialized as `...23.092`.)
///
/// [`Display`]: fmt::Display
struct Exact<'a>(&'a Timestamp);

impl fmt::Display for Exact<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let t = self.0;
        if t.nanos % 1_000_000 == 0 {
            return fmt::Display::fmt(t, f);
        }
        let days = t.secs.div_euclid(86_400);
        let sod = t.secs.rem_euclid(86_400);
        let (y, mo, d) = civil_from_days(days);
        write!(
            f,
            "{y:04}-{mo:02}-{d:02}T{:02}:{:02}:{:02}.",
            sod / 3600,
            sod / 60 % 60,
            sod % 60
        )?;
        if t.nanos % 1_000 == 0 {
            write!(f, "{:06}+00:00", t.nanos / 1_000)
        } else {
            write!(f, "{:09}+00:00", t.nanos)
        }
    }
}

/// Reads exactly `n` ASCII digits at `*i`.
fn digits(b: &[u8], i: &mut usize, n: usize) -> Result<u32, TimestampError> {
    let end = *i + n;
    let part = b.get(*i..end).ok_or(TimestampError::Syntax)?;
    let mut v = 0u32;
    for &c in part {
        if !c.is_ascii_digit() {
            return Err(TimestampError::Syntax);
        }
        v = v * 10 + u32::from(c - b'0');
    }
    *i = end;
    Ok(v)
}

fn expect(b: &[u8], i: &mut usize, what: &[u8]) -> Result<(), TimestampError> {
    match b.get(*i) {
        Some(c) if what.contains(c) => {
            *i += 1;
            Ok(())
        }
        _ => Err(TimestampError::Syntax),
    }
}

impl FromStr for Timestamp {
    type Err = TimestampError;

    fn from_str(s: &str) -> Result<Timestamp, TimestampError> {
        let b = s.as_bytes();
        let mut i = 0;
        let year = digits(b, &mut i, 4)?;
        expect(b, &mut i, b"-")?;
        let month = digits(b, &mut i, 2)?;
        expect(b, &mut i, b"-")?;
        let day = digits(b, &mut i, 2)?;
        expect(b, &mut i, b"Tt")?;
        let hour = digits(b, &mut i, 2)?;
        expect(b, &mut i, b":")?;
        let minute = digits(b, &mut i, 2)?;
        expect(b, &mut i, b":")?;
        let second = digits(b, &mut i, 2)?;
        let mut nanos = 0u32;
        if b.get(i) == Some(&b'.') {
            i += 1;
            let start = i;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            let n = i - start;
            if n == 0 {
                return Err(TimestampError::Syntax);
            }
            if n > 9 {
                return Err(TimestampError::OutOfRange);
            }
            let mut j = start;
            nanos = digits(b, &mut j, n)? * 10u32.pow((9 - n) as u32);
        }
        let offset_secs: i64 = match b.get(i) {
            Some(b'Z' | b'z') => {
                i += 1;
                0
            }
            Some(&sign @ (b'+' | b'-')) => {
                i += 1;
                let oh = digits(b, &mut i, 2)?;
                expect(b, &mut i, b":")?;
                let om = digits(b, &mut i, 2)?;
                if oh > 23 || om > 59 {
                    return Err(TimestampError::OutOfRange);
                }
                let o = i64::from(oh * 3600 + om * 60);
                if sign == b'-' { -o } else { o }
            }
            _ => return Err(TimestampError::Syntax),
        };
        if i != b.len() {
            return Err(TimestampError::Syntax);
        }
        let year = i64::from(year);
        if !(1..=12).contains(&month)
            || day == 0
            || day > days_in_month(year, month)
            || hour > 23
            || minute > 59
            || second > 59
        {
            return Err(TimestampError::OutOfRange);
        }
        let secs = days_from_civil(year, month, day) * 86_400
            + i64::from(hour * 3600 + minute * 60 + second)
            - offset_secs;
        Timestamp::from_unix(secs, nanos).ok_or(TimestampError::YearOutOfRange)
    }
}

/// Writes the [`Display`](fmt::Display) form (milliseconds), or 6 or 9
/// fraction digits when the value has a finer part, so that nothing read is
/// lost when written back.
impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&Exact(self))
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Timestamp, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Timestamp;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an RFC 3339 timestamp string")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Timestamp, E> {
                v.parse().map_err(|e| E::custom(format_args!("{e}: {v:?}")))
            }
        }
        deserializer.deserialize_str(V)
    }
}

#[cfg(feature = "schemars")]
impl schemars::JsonSchema for Timestamp {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        std::borrow::Cow::Borrowed("Timestamp")
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "type": "string", "format": "date-time" })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn writes_the_documented_form() {
        assert_eq!(
            ts("2022-01-17T07:01:23.737+00:00").to_string(),
            "2022-01-17T07:01:23.737+00:00"
        );
        assert_eq!(
            ts("2023-10-20T03:28:23Z").to_string(),
            "2023-10-20T03:28:23.000+00:00"
        );
        assert_eq!(
            ts("2023-10-20T03:28:23.1Z").to_string(),
            "2023-10-20T03:28:23.100+00:00"
        );
        assert_eq!(
            ts("2023-10-20T03:28:23.123456789Z").to_string(),
            "2023-10-20T03:28:23.123+00:00"
        );
        assert_eq!(Timestamp::MIN.to_string(), "0000-01-01T00:00:00.000+00:00");
        assert_eq!(Timestamp::MAX.to_string(), "9999-12-31T23:59:59.999+00:00");
    }

    #[test]
    fn display_z_writes_zulu() {
        for (text, z) in [
            ("2022-01-17T07:01:23.737+00:00", "2022-01-17T07:01:23.737Z"),
            ("1970-01-01T00:00:00Z", "1970-01-01T00:00:00.000Z"),
            ("2024-03-01T01:30:00.5-05:30", "2024-03-01T07:00:00.500Z"),
            ("0000-01-01T00:00:00Z", "0000-01-01T00:00:00.000Z"),
        ] {
            let t = ts(text);
            assert_eq!(t.display_z().to_string(), z);
            assert_eq!(ts(z), t);
        }
        assert_eq!(
            Timestamp::MAX.display_z().to_string(),
            "9999-12-31T23:59:59.999Z"
        );
    }

    #[test]
    fn offsets_keep_the_instant() {
        assert_eq!(ts("2024-03-01T08:00:00+08:00"), ts("2024-03-01T00:00:00Z"));
        assert_eq!(
            ts("2024-03-01T01:30:00.5-05:30").to_string(),
            "2024-03-01T07:00:00.500+00:00"
        );
        assert_eq!(
            ts("2024-02-29t23:59:59z").to_string(),
            "2024-02-29T23:59:59.000+00:00"
        );
        assert_eq!(
            ts("2024-03-01T00:00:00+00:01").to_string(),
            "2024-02-29T23:59:00.000+00:00"
        );
    }

    #[test]
    fn unix_millis() {
        assert_eq!(ts("1970-01-01T00:00:00Z").unix_millis(), 0);
        assert_eq!(
            ts("2022-01-17T07:01:23.737+00:00").unix_millis(),
            1_642_402_883_737
        );
        assert_eq!(ts("1969-12-31T23:59:59.999Z").unix_millis(), -1);
        let t = Timestamp::from_unix_millis(-1).unwrap();
        assert_eq!(t.to_string(), "1969-12-31T23:59:59.999+00:00");
        assert_eq!(Timestamp::from_unix_millis(i64::MAX), None);
        assert_eq!(Timestamp::from_unix_millis(i64::MIN), None);
        assert_eq!(
            Timestamp::from_unix_millis(Timestamp::MAX.unix_millis()).map(|t| t.to_string()),
            Some("9999-12-31T23:59:59.999+00:00".to_string())
        );
    }

    #[test]
    fn civil_round_trip_every_day() {
        // Every day from 1600 to 2500 round-trips through the day count.
        let mut expect = days_from_civil(1600, 1, 1);
        for y in 1600..2500 {
            for m in 1..=12 {
                for d in 1..=days_in_month(y, m) {
                    assert_eq!(days_from_civil(y, m, d), expect);
                    assert_eq!(civil_from_days(expect), (y, m, d));
                    expect += 1;
                }
            }
        }
    }

    #[test]
    fn rejects_bad_text() {
        for bad in [
            "",
            "2022-01-17",
            "2022-01-17T07:01:23",
            "2022-01-17 07:01:23Z",
            "2022-01-17T07:01:23.Z",
            "2022-01-17T07:01:23.1234567890Z",
            "2022-1-17T07:01:23Z",
            "2022-01-17T07:01:23+0000",
            "2022-01-17T07:01:23+00",
            "2022-01-17T07:01:23Zjunk",
            "+2022-01-17T07:01:23Z",
            "２０２２-01-17T07:01:23Z",
            "2022-13-01T00:00:00Z",
            "2022-02-29T00:00:00Z",
            "2100-02-29T00:00:00Z",
            "2022-04-31T00:00:00Z",
            "2022-01-00T00:00:00Z",
            "2022-01-01T24:00:00Z",
            "2022-01-01T00:60:00Z",
            "2022-01-01T00:00:60Z",
            "2022-01-01T00:00:00+24:00",
            "2022-01-01T00:00:00+00:60",
        ] {
            assert!(bad.parse::<Timestamp>().is_err(), "{bad:?} accepted");
        }
        assert_eq!(
            "0000-01-01T00:00:00+00:01".parse::<Timestamp>(),
            Err(TimestampError::YearOutOfRange)
        );
        assert_eq!(
            "9999-12-31T23:59:59-00:01".parse::<Timestamp>(),
            Err(TimestampError::YearOutOfRange)
        );
    }

    #[test]
    fn millis_round_trip_across_the_range() {
        let span = (Timestamp::MAX.unix_millis() - Timestamp::MIN.unix_millis()) as u64;
        let mut seed = 0x2545_F491_4F6C_DD1D_u64;
        for _ in 0..20_000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let ms = Timestamp::MIN.unix_millis() + (seed % span) as i64;
            let t = Timestamp::from_unix_millis(ms).unwrap();
            let text = t.to_string();
            assert_eq!(text.len(), 29, "{text}");
            let back: Timestamp = text.parse().unwrap();
            assert_eq!(back.unix_millis(), ms, "{text}");
            // The same instant written in another offset reads back the same.
            let shifted = Timestamp::from_unix_millis(ms + 5 * 3_600_000 + 30 * 60_000);
            if let Some(shifted) = shifted {
                let local = shifted.to_string().replace("+00:00", "+05:30");
                assert_eq!(local.parse::<Timestamp>(), Ok(t), "{local}");
            }
        }
    }

    #[test]
    fn arbitrary_text_never_panics() {
        let alphabet = b"0123456789-T:.Zz+ t";
        let mut seed = 0xC0FF_EE00_u64;
        for _ in 0..50_000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let len = (seed % 36) as usize;
            let mut s2 = seed;
            let text: String = (0..len)
                .map(|_| {
                    s2 = s2.rotate_left(5).wrapping_mul(0x9E37_79B9_7F4A_7C15);
                    alphabet[(s2 >> 58) as usize % alphabet.len()] as char
                })
                .collect();
            let _ = text.parse::<Timestamp>();
        }
        // Valid prefixes with junk in every position.
        let good = "2022-01-17T07:01:23.737+00:00";
        for i in 0..good.len() {
            for c in ['x', '9', ':', '-', '\u{e9}'] {
                let mut t = good.to_string();
                t.replace_range(i..=i, &c.to_string());
                let _ = t.parse::<Timestamp>();
            }
        }
    }

    #[test]
    fn serde_and_system_time() {
        let t: Timestamp = serde_json::from_str(r#""2023-10-20T03:28:23.092Z""#).unwrap();
        assert_eq!(
            serde_json::to_string(&t).unwrap(),
            r#""2023-10-20T03:28:23.092+00:00""#
        );
        assert!(serde_json::from_str::<Timestamp>("1697772503092").is_err());
        assert!(serde_json::from_str::<Timestamp>(r#""2023-10-20""#).is_err());
        let st = SystemTime::from(t);
        assert_eq!(Timestamp::from(st), t);
        let before = Timestamp::from_unix(-5, 250_000_000).unwrap();
        assert_eq!(Timestamp::from(SystemTime::from(before)), before);
        assert!(Timestamp::now() > ts("2024-01-01T00:00:00Z"));
    }
}
