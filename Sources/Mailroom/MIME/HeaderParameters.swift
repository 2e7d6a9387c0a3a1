import Foundation

/// Shared by MailroomMailgun, MailgunMock and MailroomArchive (`package`): reads `value; key=token; key="quoted \" string"; key*=utf-8''%E2%82%AC` header values.
package enum HeaderParameters {
    /// The value before the first `;`, lowercased, and the parameters by lowercased name.
    /// RFC 2231 extended (`key*`) and continued (`key*0*`, `key*1*`) parameters are joined and decoded.
    package static func parse(_ header: String) -> (value: String, parameters: [String: String]) {
        var pieces: [String] = []
        var current = ""
        var inQuotes = false
        var escaped = false
        for character in header {
            if escaped {
                current.append(character)
                escaped = false
                continue
            }
            if character == "\\" && inQuotes {
                escaped = true
                continue
            }
            if character == "\"" {
                inQuotes.toggle()
                continue
            }
            if character == ";" && !inQuotes {
                pieces.append(current)
                current = ""
                continue
            }
            current.append(character)
        }
        pieces.append(current)
        let value = pieces.first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        var plain: [String: String] = [:]
        var extended: [String: [(Int, String, Bool)]] = [:]
        for piece in pieces.dropFirst() {
            guard let equals = piece.firstIndex(of: "=") else { continue }
            let key = piece[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            let raw = piece[piece.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            guard key.contains("*") else {
                plain[key] = raw
                continue
            }
            let parts = key.split(separator: "*", omittingEmptySubsequences: false)
            let name = String(parts[0])
            let index = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
            let isEncoded = key.hasSuffix("*")
            extended[name, default: []].append((index, raw, isEncoded))
        }
        for (name, segments) in extended {
            var bytes: [UInt8] = []
            for (position, segment) in segments.sorted(by: { $0.0 < $1.0 }).enumerated() {
                var text = segment.1
                if position == 0, segment.2, let firstQuote = text.firstIndex(of: "'"),
                    let secondQuote = text[text.index(after: firstQuote)...].firstIndex(of: "'")
                {
                    text = String(text[text.index(after: secondQuote)...])
                }
                bytes += segment.2 ? percentDecoded(text) : Array(text.utf8)
            }
            plain[name] = String(decoding: bytes, as: UTF8.self)
        }
        return (value, plain)
    }

    package static func percentDecoded(_ text: String) -> [UInt8] {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "%"), let high = iterator.next(), let low = iterator.next(),
                let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16)
            {
                bytes.append(value)
            } else {
                bytes.append(byte)
            }
        }
        return bytes
    }
}
