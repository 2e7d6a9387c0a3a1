/// Content-Transfer-Encodings for MIME bodies: 7bit, quoted-printable and line-wrapped base64.
///
/// Hand-written rather than Foundation's base64 because MIME wants 76-column lines written straight
/// into the output buffer, chunk by chunk, without intermediate `Data` copies; quoted-printable has
/// no library implementation on Linux.
enum MIMEBodyEncoder {
    /// The longest line RFC 2045 allows for encoded bodies, without the CRLF.
    static let encodedLineLength = 76
    /// Raw bytes per base64 line: 57 bytes become exactly 76 characters.
    static let bytesPerBase64Line = 57

    /// The chosen encoding for a text body and its encoded bytes (CRLF line ends, no final CRLF added).
    struct EncodedText {
        let transferEncoding: String
        let bytes: [UInt8]
    }

    /// Encodes text for a MIME body: 7bit when it is ASCII with legal lines, otherwise
    /// quoted-printable for mostly-ASCII text and base64 for the rest.
    ///
    /// Non-empty text gets a final line break if it lacks one: the CRLF that ends a message is part
    /// of a single-part body to every parser, so adding it always keeps both shapes alike.
    static func encodeText(_ text: String) -> EncodedText {
        var bytes = canonicalLineEnds(text)
        if !bytes.isEmpty && bytes.last != UInt8(ascii: "\n") { bytes += [0x0D, 0x0A] }
        var nonASCII = 0
        var longestLine = 0
        var lineStart = 0
        var lineStartsWithDashes = false
        for (index, byte) in bytes.enumerated() {
            if byte >= 0x80 || byte == 0 { nonASCII += 1 }
            if index == lineStart, byte == UInt8(ascii: "-"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "-") {
                // Only a line opening with "--" could be mistaken for a boundary; QP escapes it.
                lineStartsWithDashes = true
            }
            if byte == UInt8(ascii: "\n") {
                longestLine = max(longestLine, index - lineStart - 1)
                lineStart = index + 1
            }
        }
        longestLine = max(longestLine, bytes.count - lineStart)
        if nonASCII == 0 && longestLine <= 998 && !lineStartsWithDashes {
            return EncodedText(transferEncoding: "7bit", bytes: bytes)
        }
        if nonASCII * 3 > bytes.count {
            var output: [UInt8] = []
            output.reserveCapacity(bytes.count * 4 / 3 + bytes.count / 28 + 4)
            appendBase64Lines(bytes[...], to: &output, isFinal: true)
            return EncodedText(transferEncoding: "base64", bytes: output)
        }
        return EncodedText(transferEncoding: "quoted-printable", bytes: quotedPrintable(bytes))
    }

    /// UTF-8 bytes of `text` with every line ending (CR, LF or CRLF) made CRLF.
    static func canonicalLineEnds(_ text: String) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(text.utf8.count + text.utf8.count / 40)
        var afterCR = false
        for byte in text.utf8 {
            if byte == UInt8(ascii: "\n") {
                if !afterCR { output.append(UInt8(ascii: "\r")) }
                output.append(byte)
                afterCR = false
            } else if byte == UInt8(ascii: "\r") {
                if afterCR { output.append(UInt8(ascii: "\n")) }
                output.append(byte)
                afterCR = true
            } else {
                if afterCR { output.append(UInt8(ascii: "\n")) }
                output.append(byte)
                afterCR = false
            }
        }
        if afterCR { output.append(UInt8(ascii: "\n")) }
        return output
    }

    // MARK: Quoted-printable (RFC 2045 section 6.7)

    /// Quoted-printable for CRLF-delimited bytes; lines stay within 76 characters with soft breaks.
    ///
    /// Besides the required escapes it escapes `-` and `.` at the start of every output line, so no
    /// line can look like a MIME boundary or an SMTP end-of-data marker.
    static func quotedPrintable(_ bytes: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count + bytes.count / 8)
        var lineLength = 0
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\r"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "\n") {
                output.append(contentsOf: [0x0D, 0x0A])
                lineLength = 0
                index += 2
                continue
            }
            let atLineEnd = index + 1 == bytes.count || bytes[index + 1] == UInt8(ascii: "\r")
            let isWhitespace = byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t")
            let isLiteral = (byte >= 33 && byte <= 126 && byte != UInt8(ascii: "="))
                || (isWhitespace && !atLineEnd)
            let guardsLineStart = lineLength == 0 && (byte == UInt8(ascii: "-") || byte == UInt8(ascii: "."))
            let width = isLiteral && !guardsLineStart ? 1 : 3
            // Keep room for the soft break "=" unless this is the line's last character.
            let limit = atLineEnd ? encodedLineLength : encodedLineLength - 1
            if lineLength + width > limit {
                output.append(contentsOf: [UInt8(ascii: "="), 0x0D, 0x0A])
                lineLength = 0
                continue  // re-evaluate: the byte may now open a line
            }
            if width == 1 {
                output.append(byte)
            } else {
                output.append(UInt8(ascii: "="))
                output.append(hexDigits[Int(byte >> 4)])
                output.append(hexDigits[Int(byte & 0x0F)])
            }
            lineLength += width
            index += 1
        }
        return output
    }

    private static let hexDigits: [UInt8] = Array("0123456789ABCDEF".utf8)

    // MARK: Base64 (RFC 2045 section 6.8)

    private static let base64Alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// Appends the base64 of `bytes` in 76-character lines joined by CRLF.
    ///
    /// When `isFinal` is false, `bytes.count` must be a multiple of 57 and the output ends with CRLF,
    /// so consecutive chunks join seamlessly; the final chunk ends without a line break.
    static func appendBase64Lines(_ bytes: ArraySlice<UInt8>, to output: inout [UInt8], isFinal: Bool) {
        var lineStart = bytes.startIndex
        while lineStart < bytes.endIndex {
            let lineEnd = min(lineStart + bytesPerBase64Line, bytes.endIndex)
            appendBase64(bytes[lineStart..<lineEnd], to: &output)
            if lineEnd < bytes.endIndex || !isFinal { output.append(contentsOf: [0x0D, 0x0A]) }
            lineStart = lineEnd
        }
    }

    /// Appends the unwrapped base64 of `bytes`, with `=` padding.
    static func appendBase64(_ bytes: ArraySlice<UInt8>, to output: inout [UInt8]) {
        var index = bytes.startIndex
        while index + 3 <= bytes.endIndex {
            let value = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2])
            output.append(base64Alphabet[Int(value >> 18 & 0x3F)])
            output.append(base64Alphabet[Int(value >> 12 & 0x3F)])
            output.append(base64Alphabet[Int(value >> 6 & 0x3F)])
            output.append(base64Alphabet[Int(value & 0x3F)])
            index += 3
        }
        let remaining = bytes.endIndex - index
        guard remaining > 0 else { return }
        let first = UInt32(bytes[index]) << 16
        let value = remaining == 2 ? first | UInt32(bytes[index + 1]) << 8 : first
        output.append(base64Alphabet[Int(value >> 18 & 0x3F)])
        output.append(base64Alphabet[Int(value >> 12 & 0x3F)])
        output.append(remaining == 2 ? base64Alphabet[Int(value >> 6 & 0x3F)] : UInt8(ascii: "="))
        output.append(UInt8(ascii: "="))
    }

    /// The length of ``appendBase64Lines(_:to:isFinal:)``'s output for `count` bytes as one final chunk.
    static func base64LinesLength(forByteCount count: Int) -> Int {
        guard count > 0 else { return 0 }
        let characters = (count + 2) / 3 * 4
        let lines = (count + bytesPerBase64Line - 1) / bytesPerBase64Line
        return characters + 2 * (lines - 1)
    }
}
