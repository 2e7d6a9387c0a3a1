import Foundation

/// RFC 3339 timestamps with zero to nine fractional digits, as Mailgun's alerts write them
/// (`2025-11-07T20:54:42.18627Z`); `ISO8601DateFormatter` takes exactly three or none.
enum RFC3339 {
    static func date(_ text: String) -> Date? {
        guard let dot = text.firstIndex(of: ".") else { return ISO8601DateFormatter().date(from: text) }
        let afterDot = text[text.index(after: dot)...]
        let digits = afterDot.prefix(while: \.isNumber)
        guard !digits.isEmpty, digits.count <= 9, let fraction = Double("0." + digits) else { return nil }
        guard let whole = ISO8601DateFormatter().date(from: String(text[..<dot]) + afterDot.dropFirst(digits.count)) else { return nil }
        return whole.addingTimeInterval(fraction)
    }
}
