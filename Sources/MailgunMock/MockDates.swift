import Foundation

/// The date formats of Mailgun's API.
enum MockDates {
    /// `Thu, 11 Dec 2025 01:49:40 UTC`, as suppression tables write `created_at`.
    static func rfc822(_ date: Date) -> String {
        rfc822Formatter().string(from: date)
    }

    /// Parses the `rfc822(_:)` form, also with a numeric zone (`+0000`).
    static func parseRFC822(_ text: String) -> Date? {
        let formatter = rfc822Formatter()
        if let date = formatter.date(from: text) { return date }
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        return formatter.date(from: text)
    }

    /// RFC 3339 with six fractional digits, as alerts write timestamps: `2025-11-07T20:54:42.186271Z`.
    static func rfc3339(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd'T'HH:mm:ss"
        let seconds = date.timeIntervalSince1970
        let micros = Int(((seconds - seconds.rounded(.down)) * 1_000_000).rounded()) % 1_000_000
        let fraction = String(micros)
        return formatter.string(from: date) + "." + String(repeating: "0", count: 6 - fraction.count) + fraction + "Z"
    }

    /// `Mon, 24 Feb 2025 22:44:03 GMT`, as domains write `created_at`.
    static func rfc1123(_ date: Date) -> String {
        let formatter = rfc822Formatter()
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter.string(from: date)
    }

    private static func rfc822Formatter() -> DateFormatter {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'UTC'"
        return formatter
    }
}
