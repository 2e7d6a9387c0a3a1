import Foundation
import NIOCore

/// Mailgun's answer to a send, `{"id": "<…>", "message": "Queued. Thank you."}`, read on every
/// message sent.
///
/// The common answer, a flat object of strings without escapes, is read by a byte scan: in the
/// send path's profile `JSONDecoder` was the largest cost of Mailroom's own code, a third of it,
/// for two fields. Anything else (escapes, numbers, nesting, odd spacing the scan does not expect)
/// goes to `JSONDecoder`, so what is accepted is exactly what `JSONDecoder` accepts.
struct MailgunSendAnswer: Decodable, Equatable {
    var id: String?
    var message: String?

    /// Decodes an answer body.
    ///
    /// - Throws: `DecodingError` when the body is not a JSON object.
    static func decode(_ body: ByteBuffer) throws -> MailgunSendAnswer {
        if let answer = scan(body) { return answer }
        return try JSONDecoder().decode(MailgunSendAnswer.self, from: Data(body.readableBytesView))
    }

    private enum CodingKeys: String, CodingKey { case id, message }

    // Any JSON object decodes; a field of another type counts as missing.
    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try? container.decodeIfPresent(String.self, forKey: .id)
        message = try? container.decodeIfPresent(String.self, forKey: .message)
    }

    init(id: String?, message: String?) {
        self.id = id
        self.message = message
    }

    /// The fast path: `{ "key": "value", … }` with ASCII strings free of escapes and control
    /// characters; `nil` for anything else.
    static func scan(_ body: ByteBuffer) -> MailgunSendAnswer? {
        body.withUnsafeReadableBytes { bytes in
            var scanner = Scanner(bytes: bytes.assumingMemoryBound(to: UInt8.self))
            return scanner.object()
        }
    }

    /// The byte scan over one answer: a cursor, and the few shapes it reads.
    private struct Scanner {
        let bytes: UnsafeBufferPointer<UInt8>
        var index = 0

        mutating func object() -> MailgunSendAnswer? {
            var answer = MailgunSendAnswer(id: nil, message: nil)
            skipSpace()
            guard take(0x7B) else { return nil }  // {
            skipSpace()
            if !take(0x7D) {  // }
                while true {
                    skipSpace()
                    guard let key = string() else { return nil }
                    skipSpace()
                    guard take(0x3A) else { return nil }  // :
                    skipSpace()
                    guard let value = string() else { return nil }
                    // Keys compared as bytes; a repeated key: JSONDecoder's answer decides.
                    if key.elementsEqual("id".utf8) {
                        guard answer.id == nil, let text = Self.text(value) else { return nil }
                        answer.id = text
                    } else if key.elementsEqual("message".utf8) {
                        guard answer.message == nil, let text = value.elementsEqual(Self.queued.utf8) ? Self.queued : Self.text(value) else { return nil }
                        answer.message = text
                    } else if !Self.isASCII(key) || !Self.isASCII(value) {
                        return nil  // JSONDecoder decides whether it is UTF-8
                    }
                    skipSpace()
                    if take(0x2C) { continue }  // ,
                    guard take(0x7D) else { return nil }  // }
                    break
                }
            }
            skipSpace()
            return index == bytes.count ? answer : nil
        }

        /// The message of every accepted send, answered without a new string.
        static let queued = "Queued. Thank you."

        /// A string's text when it is ASCII, as Mailgun's answers are; anything else is left to
        /// `JSONDecoder`, which validates UTF-8 (`String(validating:)` is generic and showed in
        /// the send path's profile).
        static func text(_ bytes: Slice<UnsafeBufferPointer<UInt8>>) -> String? {
            guard isASCII(bytes) else { return nil }
            return String(decoding: UnsafeBufferPointer(rebasing: bytes), as: UTF8.self)
        }

        static func isASCII(_ bytes: Slice<UnsafeBufferPointer<UInt8>>) -> Bool {
            bytes.allSatisfy { $0 < 0x80 }
        }

        mutating func skipSpace() {
            while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x09 || bytes[index] == 0x0A || bytes[index] == 0x0D { index += 1 }
        }

        mutating func take(_ byte: UInt8) -> Bool {
            guard index < bytes.count, bytes[index] == byte else { return false }
            index += 1
            return true
        }

        /// A string's bytes, without the quotes; `nil` for an escape or a control character.
        mutating func string() -> Slice<UnsafeBufferPointer<UInt8>>? {
            guard take(0x22) else { return nil }
            let start = index
            while index < bytes.count, bytes[index] != 0x22 {
                if bytes[index] == 0x5C || bytes[index] < 0x20 { return nil }
                index += 1
            }
            guard index < bytes.count else { return nil }
            defer { index += 1 }
            return bytes[start..<index]
        }
    }
}
