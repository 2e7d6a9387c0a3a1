/// Package because `Date` appears in this file's package API.
package import Foundation
/// Package because `MailroomError` appears in this file's package API.
package import Mailroom

/// Archive ids, e.g. `20261121-093000-4f1c2a9e7b3d`: the UTC second a message was recorded and 12
/// random hexadecimal digits. Every store makes and checks them the same way; an id is checked
/// before it names a file or reaches a query.
package enum ArchiveID {
    /// A new id for a message recorded at `date`: `YYYYMMDD-HHMMSS-` and 12 random hex digits.
    package static func make(date: Date) -> String {
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func two(_ value: Int?) -> String { value.map { $0 < 10 ? "0\($0)" : "\($0)" } ?? "00" }
        let random = String(UInt64.random(in: 0 ..< (1 << 48)), radix: 16)
        let padded = String(repeating: "0", count: 12 - random.count) + random
        return "\(parts.year ?? 1970)\(two(parts.month))\(two(parts.day))-\(two(parts.hour))\(two(parts.minute))\(two(parts.second))-\(padded)"
    }

    /// Whether `id` has the shape ``make(date:)`` produces, so it can name a file or a row safely.
    package static func isValid(_ id: String) -> Bool {
        let bytes = Array(id.utf8)
        guard bytes.count == 28, bytes[8] == UInt8(ascii: "-"), bytes[15] == UInt8(ascii: "-") else { return false }
        let digits = bytes[0..<8] + bytes[9..<15]
        let hex = bytes[16...]
        return digits.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
            && hex.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0) }
    }

    /// The time encoded in a valid id.
    package static func date(of id: String) -> Date? {
        guard isValid(id) else { return nil }
        let bytes = Array(id.utf8)
        func number(_ range: Range<Int>) -> Int? { Int(String(decoding: bytes[range], as: UTF8.self)) }
        var parts = DateComponents()
        parts.year = number(0..<4)
        parts.month = number(4..<6)
        parts.day = number(6..<8)
        parts.hour = number(9..<11)
        parts.minute = number(11..<13)
        parts.second = number(13..<15)
        return calendar.date(from: parts)
    }

    private static let calendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? TimeZone(secondsFromGMT: 0) ?? calendar.timeZone
        return calendar
    }()

    /// The error for a value that is not an archive id, naming `field`.
    package static func invalid(_ id: String, field: String) -> MailroomError {
        MailroomError.invalidValue(field: field, "'\(id.prefix(60))' is not an archive id (like 20261121-093000-4f1c2a9e7b3d)")
    }

    /// Checks `id`, throwing ``invalid(_:field:)`` naming `field` when it is not one.
    package static func check(_ id: String, field: String = "id") throws {
        guard isValid(id) else { throw invalid(id, field: field) }
    }
}
