import Foundation

/// Reads enough of a MIME message to answer Mailgun's stored-message view: unfolded headers,
/// decoded text bodies, and attachment metadata. Shared (`package`) by MailgunMock's stored-message
/// view and MailroomArchive's full-text index.
///
/// Hand-written because no package on the dependency list parses MIME; it accepts CRLF or LF line
/// ends, nested multiparts, base64 and quoted-printable, and RFC 2047 encoded words in headers.
package struct MIMEReader {
    package struct Part {
        package var headers: [(name: String, value: String)]
        package var contentType: String
        package var parameters: [String: String]
        package var body: [UInt8]
        package var children: [Part]

        package func header(_ name: String) -> String? {
            headers.first { $0.name.lowercased() == name.lowercased() }?.value
        }

        package var disposition: (value: String, parameters: [String: String])? {
            header("Content-Disposition").map(HeaderParameters.parse)
        }

        package var filename: String? {
            disposition?.parameters["filename"] ?? parameters["name"]
        }

        /// Every leaf part, depth first.
        package var leaves: [Part] {
            children.isEmpty ? [self] : children.flatMap(\.leaves)
        }
    }

    package static func parse(_ bytes: [UInt8]) -> Part {
        parse(bytes[...])
    }

    private static func parse(_ bytes: ArraySlice<UInt8>) -> Part {
        let lines = splitLines(bytes)
        let headerEnd = lines.firstIndex(where: \.isEmpty) ?? lines.count
        let headers = MIMEHeaderFields(lines: lines[..<headerEnd]).fields
        let bodyStart = min(headerEnd + 1, lines.count)
        let typeHeader = headers.first { $0.name.lowercased() == "content-type" }?.value ?? "text/plain"
        let (contentType, parameters) = HeaderParameters.parse(typeHeader)
        let bodyLines = bodyStart < lines.count ? Array(lines[bodyStart...]) : []

        if contentType.hasPrefix("multipart/"), let boundary = parameters["boundary"] {
            let children = splitParts(bodyLines, boundary: boundary).map { parse(joinLines($0)[...]) }
            return Part(headers: headers, contentType: contentType, parameters: parameters, body: [], children: children)
        }
        let encoding = headers.first { $0.name.lowercased() == "content-transfer-encoding" }?.value.lowercased() ?? "7bit"
        let raw = joinLines(bodyLines)
        let body: [UInt8]
        switch encoding {
        case "base64":
            body = [UInt8](Data(base64Encoded: Data(raw), options: .ignoreUnknownCharacters) ?? Data())
        case "quoted-printable":
            body = decodeQuotedPrintable(bodyLines)
        default:
            body = raw
        }
        return Part(headers: headers, contentType: contentType, parameters: parameters, body: body, children: [])
    }

    /// Lines without their CRLF or LF.
    private static func splitLines(_ bytes: ArraySlice<UInt8>) -> [ArraySlice<UInt8>] {
        var lines: [ArraySlice<UInt8>] = []
        var start = bytes.startIndex
        var index = bytes.startIndex
        while index < bytes.endIndex {
            if bytes[index] == UInt8(ascii: "\n") {
                var end = index
                if end > start, bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
                lines.append(bytes[start..<end])
                start = index + 1
            }
            index += 1
        }
        if start < bytes.endIndex { lines.append(bytes[start...]) }
        return lines
    }

    private static func joinLines(_ lines: [ArraySlice<UInt8>]) -> [UInt8] {
        var joined: [UInt8] = []
        for (index, line) in lines.enumerated() {
            if index > 0 { joined += [0x0D, 0x0A] }
            joined += line
        }
        return joined
    }

    private static func splitParts(_ lines: [ArraySlice<UInt8>], boundary: String) -> [[ArraySlice<UInt8>]] {
        let delimiter = Array("--\(boundary)".utf8)
        let closing = delimiter + Array("--".utf8)
        var parts: [[ArraySlice<UInt8>]] = []
        var current: [ArraySlice<UInt8>]?
        for line in lines {
            let trimmed = trailingWhitespaceTrimmed(line)
            if trimmed.elementsEqual(closing) {
                if let current { parts.append(current) }
                return parts
            }
            if trimmed.elementsEqual(delimiter) {
                if let current { parts.append(current) }
                current = []
                continue
            }
            current?.append(line)
        }
        if let current { parts.append(current) }
        return parts
    }

    private static func trailingWhitespaceTrimmed(_ line: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var end = line.endIndex
        while end > line.startIndex, line[end - 1] == UInt8(ascii: " ") || line[end - 1] == UInt8(ascii: "\t") { end -= 1 }
        return line[line.startIndex..<end]
    }

    private static func decodeQuotedPrintable(_ lines: [ArraySlice<UInt8>]) -> [UInt8] {
        var output: [UInt8] = []
        for (lineIndex, line) in lines.enumerated() {
            var bytes = Array(trailingWhitespaceTrimmed(line))
            var soft = false
            if bytes.last == UInt8(ascii: "=") {
                soft = true
                bytes.removeLast()
            }
            var index = 0
            while index < bytes.count {
                if bytes[index] == UInt8(ascii: "="), index + 2 < bytes.count,
                    let value = UInt8(String(decoding: bytes[index + 1...index + 2], as: UTF8.self), radix: 16)
                {
                    output.append(value)
                    index += 3
                } else {
                    output.append(bytes[index])
                    index += 1
                }
            }
            if !soft && lineIndex < lines.count - 1 { output += [0x0D, 0x0A] }
        }
        return output
    }

    // MARK: RFC 2047

    /// A header value with its encoded words decoded; white space between adjacent words dropped.
    package static func decodeHeader(_ value: String) -> String {
        guard value.contains("=?") else { return value }
        var result = ""
        var rest = Substring(value)
        var previousWasEncoded = false
        var pendingWhitespace = ""
        while !rest.isEmpty {
            if rest.hasPrefix("=?"), let (decoded, remainder) = decodeWord(rest) {
                if !previousWasEncoded { result += pendingWhitespace }
                result += decoded
                pendingWhitespace = ""
                previousWasEncoded = true
                rest = remainder
                continue
            }
            let character = rest.removeFirst()
            if character == " " || character == "\t" {
                pendingWhitespace.append(character)
            } else {
                result += pendingWhitespace
                result.append(character)
                pendingWhitespace = ""
                previousWasEncoded = false
            }
        }
        return result + pendingWhitespace
    }

    private static func decodeWord(_ text: Substring) -> (String, Substring)? {
        let body = text.dropFirst(2)
        guard let end = body.range(of: "?=") else { return nil }
        let pieces = body[..<end.lowerBound].split(separator: "?", maxSplits: 2, omittingEmptySubsequences: false)
        guard pieces.count == 3 else { return nil }
        let charset = pieces[0].lowercased()
        let payload = pieces[2]
        let bytes: [UInt8]
        switch pieces[1].lowercased() {
        case "b":
            guard let data = Data(base64Encoded: String(payload)) else { return nil }
            bytes = [UInt8](data)
        case "q":
            bytes = HeaderParameters.percentDecoded(payload.replacingOccurrences(of: "_", with: " ").replacingOccurrences(of: "=", with: "%"))
        default:
            return nil
        }
        let encoding: String.Encoding = charset.hasPrefix("iso-8859-1") || charset == "latin1" ? .isoLatin1 : .utf8
        guard let decoded = String(bytes: bytes, encoding: encoding) else { return nil }
        return (decoded, body[end.upperBound...])
    }
}
