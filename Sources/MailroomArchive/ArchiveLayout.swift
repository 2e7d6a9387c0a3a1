import Foundation

/// Where everything lives in a ``FileArchiveStore`` directory:
///
/// ```
/// archive.sqlite                      the index: entries, outcomes, full-text (with -wal and -shm)
/// messages/2026/11/21/ID.eml.gz       the message, gzip
/// ```
struct ArchiveLayout: Sendable {
    let root: String

    var databasePath: String { path(ArchiveSchema.fileName) }
    var messagesDirectory: String { path("messages") }
    /// The first layout's lock file; its presence means that layout's files are still there.
    var legacyLockPath: String { path("index.lock") }

    func path(_ relative: String) -> String {
        (root as NSString).appendingPathComponent(relative)
    }

    /// `messages/YYYY/MM/DD` for the date in `id`.
    func directory(for id: String) -> String {
        let digits = Array(id.prefix(8))
        return path("messages/\(String(digits[0..<4]))/\(String(digits[4..<6]))/\(String(digits[6..<8]))")
    }

    func messagePath(for id: String) -> String {
        (directory(for: id) as NSString).appendingPathComponent("\(id).eml.gz")
    }

    /// `path` relative to the store's directory, for reports.
    func relative(_ path: String) -> String {
        path.hasPrefix(root + "/") ? String(path.dropFirst(root.count + 1)) : path
    }

    // MARK: Ids

    /// A new id for a message recorded at `date`: `YYYYMMDD-HHMMSS-` and 12 random hex digits.
    static func makeID(date: Date) -> String {
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func two(_ value: Int?) -> String { value.map { $0 < 10 ? "0\($0)" : "\($0)" } ?? "00" }
        let random = String(UInt64.random(in: 0 ..< (1 << 48)), radix: 16)
        let padded = String(repeating: "0", count: 12 - random.count) + random
        return "\(parts.year ?? 1970)\(two(parts.month))\(two(parts.day))-\(two(parts.hour))\(two(parts.minute))\(two(parts.second))-\(padded)"
    }

    /// Whether `id` has the shape ``makeID(date:)`` produces, so it can name a file safely.
    static func isValidID(_ id: String) -> Bool {
        let bytes = Array(id.utf8)
        guard bytes.count == 28, bytes[8] == UInt8(ascii: "-"), bytes[15] == UInt8(ascii: "-") else { return false }
        let digits = bytes[0..<8] + bytes[9..<15]
        let hex = bytes[16...]
        return digits.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
            && hex.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0) }
    }

    /// The time encoded in a valid id.
    static func date(ofID id: String) -> Date? {
        guard isValidID(id) else { return nil }
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
}
