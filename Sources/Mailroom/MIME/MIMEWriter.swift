/// Accumulates a message as segments: header and text bytes in one growing buffer, attachment
/// content as lazy base64 segments.
struct MIMEWriter {
    private(set) var segments: [MIMESegment] = []
    private var buffer: [UInt8] = []

    /// Whether everything written so far ends with CRLF.
    var endsWithLineBreak: Bool {
        buffer.isEmpty ? false : buffer.suffix(2) == [0x0D, 0x0A]
    }

    mutating func write(_ text: String) {
        buffer.append(contentsOf: text.utf8)
    }

    mutating func write(_ bytes: [UInt8]) {
        buffer.append(contentsOf: bytes)
    }

    mutating func writeBase64(of attachment: Attachment) {
        flush()
        segments.append(.base64(attachment))
    }

    mutating func finish() -> [MIMESegment] {
        flush()
        return segments
    }

    private mutating func flush() {
        guard !buffer.isEmpty else { return }
        segments.append(.bytes(buffer))
        buffer = []
    }
}
