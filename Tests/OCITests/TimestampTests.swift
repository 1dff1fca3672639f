import Testing
@testable import OCI

@Suite struct TimestampTests {
    /// Expected strings are Go's time.Unix(s, ns).UTC().Format(time.RFC3339Nano).
    @Test(arguments: [
        (Int64(0), Int32(0), "1970-01-01T00:00:00Z"),
        (1_767_323_045, 123_456_789, "2026-01-02T03:04:05.123456789Z"),
        (1_767_323_045, 120_000_000, "2026-01-02T03:04:05.12Z"),
        (1_767_323_045, 1, "2026-01-02T03:04:05.000000001Z"),
        (951_782_400, 500_000_000, "2000-02-29T00:00:00.5Z"),
        (4_107_542_399, 999_999_999, "2100-02-28T23:59:59.999999999Z"),
        (-1, 0, "1969-12-31T23:59:59Z"),
        (253_402_300_799, 0, "9999-12-31T23:59:59Z"),
    ])
    func rfc3339Nano(seconds: Int64, nanoseconds: Int32, expected: String) {
        #expect(Timestamp(seconds: seconds, nanoseconds: nanoseconds).rfc3339Nano == expected)
    }

    @Test func rfc3339DropsTheFraction() {
        #expect(Timestamp(seconds: 1_767_323_045, nanoseconds: 999).rfc3339 == "2026-01-02T03:04:05Z")
    }

    @Test func nowIsRecent() {
        let now = Timestamp.now()
        #expect(now.seconds > 1_700_000_000)
        #expect((0..<1_000_000_000).contains(now.nanoseconds))
    }
}
