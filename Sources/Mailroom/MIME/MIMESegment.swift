/// A piece of a rendered message: bytes already encoded, or attachment content base64-encoded
/// as it is read.
enum MIMESegment: Sendable {
    case bytes([UInt8])
    case base64(Attachment)

    /// The number of bytes this segment contributes to the message.
    var byteCount: Int {
        switch self {
        case .bytes(let bytes): bytes.count
        case .base64(let attachment): MIMEBodyEncoder.base64LinesLength(forByteCount: attachment.source.byteCount)
        }
    }
}
