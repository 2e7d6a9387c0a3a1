import Foundation

/// The fields of a MIME header section, unfolded and in order, with their values as written
/// (encoded words are not decoded).
///
/// Shared by the modules that read messages back: MailgunMock's MIME reader and the archive,
/// which indexes pre-rendered messages by their headers.
package struct MIMEHeaderFields: Sendable {
    /// Every field, in order.
    package var fields: [(name: String, value: String)]

    /// Reads header lines (without their line ends) up to the first empty one.
    package init(lines: some Sequence<ArraySlice<UInt8>>) {
        var unfolded: [String] = []
        for line in lines {
            if line.isEmpty { break }
            let text = String(decoding: line, as: UTF8.self)
            if text.hasPrefix(" ") || text.hasPrefix("\t"), !unfolded.isEmpty {
                unfolded[unfolded.count - 1] += text
            } else {
                unfolded.append(text)
            }
        }
        fields = unfolded.compactMap { line in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
    }

    /// Reads the header section at the start of `bytes`, whose lines end in CRLF or LF.
    package init(_ bytes: [UInt8]) {
        var lines: [ArraySlice<UInt8>] = []
        var start = bytes.startIndex
        for index in bytes.indices where bytes[index] == UInt8(ascii: "\n") {
            let end = index > start && bytes[index - 1] == UInt8(ascii: "\r") ? index - 1 : index
            lines.append(bytes[start..<end])
            if end == start { break }  // the empty line that ends the section
            start = index + 1
        }
        self.init(lines: lines)
    }

    /// The value of the first field called `name`, compared without regard to case.
    package func value(_ name: String) -> String? {
        let lowercased = name.lowercased()
        return fields.first { $0.name.lowercased() == lowercased }?.value
    }
}
