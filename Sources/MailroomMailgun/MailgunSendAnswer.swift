import Foundation

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
    static func decode(_ body: [UInt8]) throws -> MailgunSendAnswer {
        if let answer = scan(body) { return answer }
        return try JSONDecoder().decode(MailgunSendAnswer.self, from: Data(body))
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

    /// The fast path: `{ "key": "value", … }` with string values free of escapes and control
    /// characters; `nil` for anything else.
    static func scan(_ bytes: [UInt8]) -> MailgunSendAnswer? {
        var answer = MailgunSendAnswer(id: nil, message: nil)
        var index = 0
        func skipSpace() {
            while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
        }
        func string() -> String? {
            guard index < bytes.count, bytes[index] == 0x22 else { return nil }
            let start = index + 1
            var end = start
            while end < bytes.count, bytes[end] != 0x22 {
                if bytes[end] == 0x5C || bytes[end] < 0x20 { return nil }  // an escape or a control character
                end += 1
            }
            guard end < bytes.count else { return nil }
            index = end + 1
            guard let text = String(validating: bytes[start..<end], as: UTF8.self) else { return nil }
            return text
        }
        skipSpace()
        guard index < bytes.count, bytes[index] == 0x7B else { return nil }  // {
        index += 1
        skipSpace()
        if index < bytes.count, bytes[index] == 0x7D { index += 1 } else {
            while true {
                skipSpace()
                guard let key = string() else { return nil }
                skipSpace()
                guard index < bytes.count, bytes[index] == 0x3A else { return nil }  // :
                index += 1
                skipSpace()
                guard let value = string() else { return nil }
                // A repeated key: JSONDecoder's answer decides.
                switch key {
                case "id": if answer.id != nil { return nil }; answer.id = value
                case "message": if answer.message != nil { return nil }; answer.message = value
                default: break
                }
                skipSpace()
                guard index < bytes.count else { return nil }
                if bytes[index] == 0x2C { index += 1; continue }  // ,
                guard bytes[index] == 0x7D else { return nil }  // }
                index += 1
                break
            }
        }
        skipSpace()
        return index == bytes.count ? answer : nil
    }
}
