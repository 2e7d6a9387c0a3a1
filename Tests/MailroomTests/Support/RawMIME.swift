import Foundation
import Mailroom

/// Checks on the raw bytes that a parser would forgive: line ends and line lengths.
enum RawMIME {
    /// The lines of `bytes` split at CRLF; records whether any CR or LF stood alone.
    static func lines(_ bytes: [UInt8]) -> (lines: [[UInt8]], bareLineBreaks: Int) {
        var lines: [[UInt8]] = []
        var current: [UInt8] = []
        var bare = 0
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == 0x0D, index + 1 < bytes.count, bytes[index + 1] == 0x0A {
                lines.append(current)
                current = []
                index += 2
                continue
            }
            if byte == 0x0D || byte == 0x0A { bare += 1 }
            current.append(byte)
            index += 1
        }
        if !current.isEmpty { lines.append(current) }
        return (lines, bare)
    }

    /// The header block (up to the first empty line) as strings.
    static func headerLines(_ bytes: [UInt8]) -> [String] {
        let all = lines(bytes).lines
        let end = all.firstIndex(where: \.isEmpty) ?? all.count
        return all[..<end].map { String(decoding: $0, as: UTF8.self) }
    }

    static func render(_ email: Email, options: MIMERenderOptions = fixedOptions) async throws -> [UInt8] {
        try await email.renderMIME(options: options).collect()
    }

    static let fixedOptions = MIMERenderOptions(
        date: Date(timeIntervalSince1970: 1_795_000_000),
        messageID: "fixed-1@acme.test",
        boundary: { "=_test_boundary_\($0)" }
    )
}
