import Foundation

/// Mailgun's suppression dates, `Thu, 11 Dec 2025 01:49:40 UTC`: formatters made once per page or
/// batch, since making a `DateFormatter` costs far more than using one (and they are not `Sendable`,
/// so they cannot be shared statics).
struct MailgunDates {
    private let writer: DateFormatter
    private let readers: [DateFormatter]

    init() {
        func formatter(_ format: String) -> DateFormatter {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "UTC")
            formatter.dateFormat = format
            return formatter
        }
        writer = formatter("EEE, dd MMM yyyy HH:mm:ss 'UTC'")
        readers = ["EEE, dd MMM yyyy HH:mm:ss zzz", "EEE, dd MMM yyyy HH:mm:ss Z", "EEE, d MMM yyyy HH:mm:ss zzz"].map(formatter)
    }

    /// The form Mailgun writes and reads.
    func format(_ date: Date) -> String {
        writer.string(from: date)
    }

    /// A date in any of the forms Mailgun writes, or `nil`.
    func parse(_ text: String) -> Date? {
        for reader in readers {
            if let date = reader.date(from: text) { return date }
        }
        return nil
    }
}
