import Foundation

/// The header fields of an RFC 5322 message's head, unfolded, by lowercased name (first one wins).
///
/// Enough to index a pre-rendered message or one found without its metadata; values stay as
/// written (encoded words are not decoded).
struct MessageHead {
    private var fields: [String: String] = [:]

    init(_ bytes: some Collection<UInt8>) {
        var lines: [String] = []
        var current: [UInt8] = []
        for byte in bytes {
            if byte == UInt8(ascii: "\n") {
                if current.last == UInt8(ascii: "\r") { current.removeLast() }
                if current.isEmpty { break }  // the blank line that ends the head
                let line = String(decoding: current, as: UTF8.self)
                if let first = current.first, first == UInt8(ascii: " ") || first == UInt8(ascii: "\t"), !lines.isEmpty {
                    lines[lines.count - 1] += line
                } else {
                    lines.append(line)
                }
                current.removeAll(keepingCapacity: true)
            } else {
                current.append(byte)
            }
        }
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            if fields[name] == nil { fields[name] = value }
        }
    }

    subscript(name: String) -> String? { fields[name] }
}
