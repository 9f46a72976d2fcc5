//! The expiry formats a token may use, and the refusal of any other.

use shared::error::ErrorKind;
use shared::ingest::sas::{code, parse_expiry};
use time::macros::datetime;

#[test]
fn the_three_expiry_formats_parse() {
    let table = [
        // RFC 3339.
        ("2026-11-24T19:26:57Z", datetime!(2026-11-24 19:26:57 UTC)),
        (
            "2026-11-24T20:26:57.5+01:00",
            datetime!(2026-11-24 19:26:57.5 UTC),
        ),
        // Python `str(datetime)`: fraction and offset each optional.
        (
            "2026-11-24 19:26:57.257927+00:00",
            datetime!(2026-11-24 19:26:57.257927 UTC),
        ),
        (
            "2026-11-24 19:26:57+00:00",
            datetime!(2026-11-24 19:26:57 UTC),
        ),
        (
            "2026-11-24 19:26:57.257927",
            datetime!(2026-11-24 19:26:57.257927 UTC),
        ),
        ("2026-11-24 19:26:57", datetime!(2026-11-24 19:26:57 UTC)),
        (
            "2026-11-24 19:26:57.5",
            datetime!(2026-11-24 19:26:57.5 UTC),
        ),
        (
            "2026-11-24 19:26:57.123456789+00:00",
            datetime!(2026-11-24 19:26:57.123456789 UTC),
        ),
        // Digits past the nanosecond are dropped.
        (
            "2026-11-24 19:26:57.1234567891",
            datetime!(2026-11-24 19:26:57.123456789 UTC),
        ),
        (
            "2026-11-25 01:00:00+05:30",
            datetime!(2026-11-24 19:30:00 UTC),
        ),
        (
            "2026-11-24 11:00:00-08:00",
            datetime!(2026-11-24 19:00:00 UTC),
        ),
        // Python `datetime.isoformat()` of a naive time (Azure's documented sample).
        (
            "2026-11-24T19:26:57.257927",
            datetime!(2026-11-24 19:26:57.257927 UTC),
        ),
        // .NET / Java en-US, UTC.
        ("11/24/2026 7:26:57 PM", datetime!(2026-11-24 19:26:57 UTC)),
        ("11/24/2026 7:26:57 AM", datetime!(2026-11-24 07:26:57 UTC)),
        ("1/2/2027 12:00:00 AM", datetime!(2027-01-02 00:00:00 UTC)),
        ("1/2/2027 12:59:59 AM", datetime!(2027-01-02 00:59:59 UTC)),
        ("1/2/2027 12:00:00 PM", datetime!(2027-01-02 12:00:00 UTC)),
        ("1/2/2027 11:59:59 PM", datetime!(2027-01-02 23:59:59 UTC)),
        ("01/02/2027 03:04:05 PM", datetime!(2027-01-02 15:04:05 UTC)),
        ("1/2/2027 3:4:5 PM", datetime!(2027-01-02 15:04:05 UTC)),
        ("6/15/2017 6:20:15 pm", datetime!(2017-06-15 18:20:15 UTC)),
        (
            "11/24/2026 7:26:57 PM +00:00",
            datetime!(2026-11-24 19:26:57 UTC),
        ),
        (
            "11/24/2026 9:26:57 PM +02:00",
            datetime!(2026-11-24 19:26:57 UTC),
        ),
        (" 2026-11-24T19:26:57Z ", datetime!(2026-11-24 19:26:57 UTC)),
    ];
    for (text, want) in table {
        assert_eq!(parse_expiry(text).unwrap(), want, "{text}");
    }
}

#[test]
fn unreadable_expiries_are_refused_with_the_formats_listed() {
    for bad in [
        "",
        "tomorrow",
        "1732476417",
        "2026-13-01T00:00:00Z",
        "2026-02-30 00:00:00",
        "2026-11-24 24:00:00",
        "2026-11-24 19:26",
        "2026-11-24 19:26:57+0000",
        "2026-11-24",
        "24/11/2026 7:00:00 PM",
        "11/24/2026 13:00:00 PM",
        "11/24/2026 0:00:00 AM",
        "11/24/2026 19:26:57",
        "11/24/2026 7:26:57",
        "11/24/2026 7:60:00 PM",
        "Tue, 24 Nov 2026 19:26:57 GMT",
    ] {
        let e = parse_expiry(bad).unwrap_err();
        assert_eq!(
            (e.kind, e.code),
            (ErrorKind::Unauthorized, code::INVALID_EXPIRY),
            "{bad}"
        );
        for format in ["RFC 3339", "YYYY-MM-DD HH:MM:SS", "M/D/YYYY h:mm:ss AM"] {
            assert!(e.message.contains(format), "{}", e.message);
        }
    }
}
