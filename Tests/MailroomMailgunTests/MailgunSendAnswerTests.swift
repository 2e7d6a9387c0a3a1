import Foundation
import NIOCore
import Testing

@testable import MailroomMailgun

/// The send answer's byte scan agrees with `JSONDecoder` on every input, and falls back to it for
/// anything but a flat object of plain strings.
@Suite struct MailgunSendAnswerTests {
    static let inputs: [String] = [
        #"{"id":"<20261201.1@acme.test>","message":"Queued. Thank you."}"#,
        "{\n  \"id\": \"<20261201.1@acme.test>\",\n  \"message\": \"Queued. Thank you.\"\n}\n",
        #"{"message":"Queued. Thank you.","id":"<a@b>","extra":"x"}"#,
        #"{"id":"<a@b>","message":"Gr\u00fc\u00dfe \"quoted\""}"#,
        #"{"id":"<a@b>","message":"Grüße"}"#,
        #"{"id":5,"message":"number id"}"#,
        #"{"id":"<a@b>","count":3,"nested":{"a":[1,2]}}"#,
        #"{"id":"<first@b>","id":"<second@b>"}"#,
        #"{}"#,
        #"  { }  "#,
    ]

    @Test(arguments: inputs)
    func theScanAgreesWithJSONDecoder(input: String) throws {
        let bytes = Array(input.utf8)
        let decoded = try JSONDecoder().decode(MailgunSendAnswer.self, from: Data(bytes))
        #expect(try MailgunSendAnswer.decode(ByteBuffer(bytes: bytes)) == decoded)
        if let scanned = MailgunSendAnswer.scan(ByteBuffer(bytes: bytes)) { #expect(scanned == decoded) }
    }

    @Test func theCommonAnswerIsScannedWithoutJSONDecoder() {
        let bytes = Array(#"{"id":"<20261201.1@acme.test>","message":"Queued. Thank you."}"#.utf8)
        #expect(MailgunSendAnswer.scan(ByteBuffer(bytes: bytes)) == MailgunSendAnswer(id: "<20261201.1@acme.test>", message: "Queued. Thank you."))
        #expect(MailgunSendAnswer.scan(ByteBuffer(string: #"{"message":"esc\"aped","id":"<a@b>"}"#)) == nil, "escapes go to JSONDecoder")
    }

    @Test(arguments: [#"not json"#, #"["id"]"#, #"{"id":"<a@b>""#, #"{"id":"<a@b>"} trailing"#, "", #"{"id" "x"}"#])
    func whatIsNotAJSONObjectIsRefused(input: String) {
        #expect(MailgunSendAnswer.scan(ByteBuffer(string: input)) == nil)
        #expect(throws: (any Error).self) { try MailgunSendAnswer.decode(ByteBuffer(string: input)) }
    }
}
