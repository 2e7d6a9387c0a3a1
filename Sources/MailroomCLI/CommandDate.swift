import Foundation
import Mailroom

/// The dates the command line takes: RFC 3339 (`2026-11-21T10:00:00Z`, fractions allowed) or
/// RFC 2822 (`Fri, 14 Oct 2033 12:00:00 +0000`, the form Mailgun documents, weekday optional).
enum CommandDate {
    /// The date `text` names; errors name `field`.
    static func parse(_ text: String, field: String) throws -> Date {
        if let date = rfc3339(text) ?? rfc2822(text) { return date }
        throw MailroomError.invalidValue(
            field: field,
            "'\(text.prefix(60))' is neither an RFC 3339 date such as 2026-11-21T10:00:00Z nor an RFC 2822 date such as Fri, 14 Oct 2033 12:00:00 +0000"
        )
    }

    /// How commands print a date: RFC 3339 in UTC, whole seconds.
    static func string(_ date: Date) -> String {
        ISO8601DateFormatter().string(from: date)
    }

    private static func rfc3339(_ text: String) -> Date? {
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return ISO8601DateFormatter().date(from: text) ?? fractional.date(from: text)
    }

    /// RFC 2822 section 3.3: an optional weekday, a one- or two-digit day, optional seconds, a
    /// numeric zone or an obsolete name (`GMT`, `UT`, `EST`…).
    private static func rfc2822(_ text: String) -> Date? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard trimmed.count >= 16, trimmed.count <= 40 else { return nil }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.isLenient = false
        for format in ["EEE, d MMM yyyy HH:mm:ss Z", "d MMM yyyy HH:mm:ss Z", "EEE, d MMM yyyy HH:mm Z", "d MMM yyyy HH:mm Z",
                       "EEE, d MMM yyyy HH:mm:ss zzz", "d MMM yyyy HH:mm:ss zzz"] {
            formatter.dateFormat = format
            if let date = formatter.date(from: trimmed) { return date }
        }
        return nil
    }
}
