import Foundation
import Mailroom
import MailroomTestSupport
import NIOCore
import Testing

@testable import MailroomMailgun

/// A small body in memory is written as one buffer, a body with a file streams; whichever way,
/// the bytes on the wire are the same.
@Suite struct MultipartFormBodyTests {
    static func streamed(_ form: MultipartFormBody) async throws -> [UInt8] {
        var bytes: [UInt8] = []
        for try await chunk in form { bytes += chunk.readableBytesView }
        return bytes
    }

    static func email(attachment: Mailroom.Attachment? = nil) -> Email {
        var email = Email(from: "Acme <hello@acme.test>", to: ["Zoë <zoe@example.com>"], subject: "Grüße \"quoted\"", text: "Hi", html: "<p>Hi</p>")
        email.options.tags = ["welcome"]
        if let attachment { email.attachments = [attachment] }
        return email
    }

    @Test func aSmallSendIsOneBufferWithTheStreamsBytes() async throws {
        let form = try MailgunForm.body(for: Self.email(), mailgun: MailgunOptions(), boundary: "mailroom-test-boundary")
        let buffer = try #require(form.buffered, "small and in memory: one buffer")
        let streamed = try await Self.streamed(form)
        #expect(Array(buffer.readableBytesView) == streamed)
        #expect(buffer.readableBytes == form.byteCount)
        #expect(String(decoding: streamed, as: UTF8.self).hasPrefix("--mailroom-test-boundary\r\nContent-Disposition: form-data; name=\"from\"\r\n\r\nAcme <hello@acme.test>\r\n"))
    }

    @Test func aFileAttachmentStreamsTheSameBytesAsTheSameContentInMemory() async throws {
        let directory = try TemporaryDirectory()
        let content = (0..<5_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let path = directory.path + "/report.bin"
        try Data(content).write(to: URL(fileURLWithPath: path))
        let fromFile = try MailgunForm.body(for: Self.email(attachment: try Mailroom.Attachment.file(at: path, contentType: "application/octet-stream")), mailgun: MailgunOptions(), boundary: "b")
        let inMemory = try MailgunForm.body(for: Self.email(attachment: Mailroom.Attachment.bytes(content, filename: "report.bin", contentType: "application/octet-stream")), mailgun: MailgunOptions(), boundary: "b")
        #expect(fromFile.buffered == nil, "a file is read while the body is sent")
        let buffer = try #require(inMemory.buffered)
        let streamedFile = try await Self.streamed(fromFile)
        #expect(streamedFile == Array(buffer.readableBytesView))
        #expect(try await Self.streamed(inMemory) == streamedFile)
        #expect(streamedFile.count == fromFile.byteCount)
    }

    @Test func largeBodiesAndMIMEMessagesStream() async throws {
        let large = [UInt8](repeating: 0x61, count: MultipartFormBody.bufferedLimit + 1)
        let form = try MailgunForm.body(for: Self.email(attachment: Mailroom.Attachment.bytes(large, filename: "a.txt")), mailgun: MailgunOptions())
        #expect(form.buffered == nil, "over the limit: streamed, never held twice")
        let message = try Self.email().renderMIME()
        let mime = try MailgunForm.mimeBody(for: message, envelope: Envelope(recipients: ["zoe@example.com"]), mailgun: MailgunOptions())
        #expect(mime.buffered == nil)
        #expect(try await Self.streamed(mime).count == mime.byteCount)
    }

    @Test func theFramingIsExactlyMultipartFormData() async throws {
        let form = MultipartFormBody(parts: [
            .field(name: "to", value: "zoe@example.com"),
            .field(name: "v:\"odd\"\r\nname", value: "Grüße"),
            .file(name: "attachment", filename: "a\"b.txt", contentType: "text/plain", content: .attachment(Mailroom.Attachment.bytes(Array("hey".utf8), filename: "a.txt"))),
        ], boundary: "B")
        let expected = "--B\r\nContent-Disposition: form-data; name=\"to\"\r\n\r\nzoe@example.com\r\n"
            + "--B\r\nContent-Disposition: form-data; name=\"v:%22odd%22%0D%0Aname\"\r\n\r\nGrüße\r\n"
            + "--B\r\nContent-Disposition: form-data; name=\"attachment\"; filename=\"a%22b.txt\"\r\nContent-Type: text/plain\r\n\r\nhey\r\n"
            + "--B--\r\n"
        #expect(String(decoding: try await Self.streamed(form), as: UTF8.self) == expected)
        #expect(form.byteCount == expected.utf8.count)
        #expect(form.buffered.map { String(buffer: $0) } == expected)
    }

    /// Every kind of field a message carries, in Mailgun's order and framed byte for byte.
    @Test func aMessagesFieldsAreWrittenInOrderWithExactFraming() async throws {
        var email = Email(from: "Acme <hello@acme.test>", to: ["Zoë <zoe@example.com>", "bob@example.com"], subject: "Hi", text: "Hi", html: "<p>Hi</p>")
        email.cc = ["\"Doe, Carol\" <carol@example.com>"]
        email.bcc = ["dave@example.com"]
        email.replyTo = ["\"Support, Acme\" <help@acme.test>"]
        email.headers = [EmailHeader("X-Campaign", "spring")]
        email.options.tags = ["welcome", "spring"]
        email.options.testMode = true
        let long = String(repeating: "x", count: 3_000)
        email.options.variables = ["b": "2", "a": "1", "c": long]
        var mailgun = MailgunOptions()
        mailgun.dkim = false
        let fields = [
            ("from", "Acme <hello@acme.test>"), ("to", "Zoë <zoe@example.com>"), ("to", "bob@example.com"), ("cc", "\"Doe, Carol\" <carol@example.com>"),
            ("bcc", "dave@example.com"), ("subject", "Hi"), ("text", "Hi"), ("html", "<p>Hi</p>"), ("h:Reply-To", "\"Support, Acme\" <help@acme.test>"),
            ("h:X-Campaign", "spring"), ("o:tag", "welcome"), ("o:tag", "spring"), ("o:testmode", "yes"), ("o:dkim", "no"),
            ("v:a", "1"), ("v:b", "2"), ("v:c", long),
        ]
        let expected = fields.map { "--B\r\nContent-Disposition: form-data; name=\"\($0.0)\"\r\n\r\n\($0.1)\r\n" }.joined() + "--B--\r\n"
        let body = try MailgunForm.body(for: email, mailgun: mailgun, boundary: "B")
        #expect(body.buffered.map { String(buffer: $0) } == expected)
        #expect(String(decoding: try await Self.streamed(body), as: UTF8.self) == expected)
        #expect(body.byteCount == expected.utf8.count)
        #expect(try MailgunForm.body(for: email, mailgun: mailgun, boundary: "B").contentType == "multipart/form-data; boundary=B")
    }

    /// A builder whose first estimate falls short grows its buffer and keeps every byte, with the
    /// fields written whole or in pieces.
    @Test func aBuilderGrowsPastItsEstimate() {
        var builder = MultipartFormBody.Builder(boundary: "B", capacity: 8)
        let long = String(repeating: "x", count: 5_000)
        builder.appendField(name: "subject", value: long)
        builder.appendField(name: "to", displayName: "Zoë", mailbox: "zoe@example.com")
        builder.appendField(name: "text", value: "Hi")
        let body = builder.finish()
        let expected = "--B\r\nContent-Disposition: form-data; name=\"subject\"\r\n\r\n\(long)\r\n"
            + "--B\r\nContent-Disposition: form-data; name=\"to\"\r\n\r\nZoë <zoe@example.com>\r\n"
            + "--B\r\nContent-Disposition: form-data; name=\"text\"\r\n\r\nHi\r\n--B--\r\n"
        #expect(body.buffered.map { String(buffer: $0) } == expected)
        #expect(body.byteCount == expected.utf8.count)
    }

    /// A send's body is allocated once, at the power of two above its size (NIO rounds capacities
    /// up), not at twice that: a small send's kilobyte stays in malloc's per-thread cache, two do
    /// not. Headers and options are counted in the estimate. (A body past its estimate grows and
    /// keeps every byte: the test above.)
    @Test func aSendsBufferIsAllocatedOnceAtItsSize() throws {
        func powerOfTwo(atLeast count: Int) -> Int { 1 << (Int.bitWidth - (count - 1).leadingZeroBitCount) }
        let email = Email(from: "Acme <hello@acme.test>", to: ["bob@example.com"], subject: "Hello", text: "Hi", html: "<p>Hi</p>")
        let small = try #require(try MailgunForm.body(for: email, mailgun: email.options.mailgun).buffered)
        #expect(small.readableBytes > 512)
        #expect(small.capacity == 1_024)
        var larger = email
        larger.headers = [EmailHeader("X-Campaign", String(repeating: "s", count: 400))]
        larger.options.tags = [String(repeating: "t", count: 400)]
        larger.options.mailgun.dkim = true
        let body = try #require(try MailgunForm.body(for: larger, mailgun: larger.options.mailgun).buffered)
        #expect(body.readableBytes > 1_024)
        #expect(body.capacity == powerOfTwo(atLeast: body.readableBytes))
    }

    /// Mailgun's options read from a message that stores none, or only another provider's.
    @Test func mailgunOptionsAreTheDefaultUnlessSet() throws {
        struct Other: Hashable, Sendable { var level = 0 }
        enum OtherKey: ProviderOptionKey { static let defaultValue = Other() }
        var options = SendOptions()
        #expect(options.mailgun == MailgunOptions())
        #expect(options.mailgunIfSet == nil)
        options.providerOptions[OtherKey.self] = Other(level: 1)
        #expect(options.mailgun == MailgunOptions())
        #expect(options.mailgunIfSet == MailgunOptions())
        options.mailgun.domain = "mg.acme.test"
        #expect(options.mailgun.domain == "mg.acme.test")
        #expect(options.mailgunIfSet?.domain == "mg.acme.test")
        #expect(options.providerOptions[OtherKey.self].level == 1)
    }

    /// A form written without Mailgun's options (`nil`, what a send passes when a message sets
    /// none) is the form written with the default ones, byte for byte.
    @Test func noMailgunOptionsWriteTheDefaults() throws {
        var email = Email(from: "Acme <hello@acme.test>", to: ["bob@example.com"], subject: "Hello", text: "Hi")
        email.options.deliveryTime = Date(timeIntervalSince1970: 2_000_000_000)
        email.options.testMode = true
        let withoutOptions = try #require(try MailgunForm.body(for: email, mailgun: nil, boundary: "B").buffered)
        let withDefaults = try #require(try MailgunForm.body(for: email, mailgun: MailgunOptions(), boundary: "B").buffered)
        #expect(String(buffer: withoutOptions) == String(buffer: withDefaults))
        #expect(String(buffer: withoutOptions).contains("name=\"o:deliverytime\"\r\n\r\nWed, 18 May 2033 03:33:20 +0000\r\n"))
    }

    @Test func boundariesAreDistinctAndWithinRFC2046sLimit() {
        let prefix = "multipart/form-data; boundary="
        let contentTypes = (0..<10_000).map { _ in MultipartFormBody.randomContentType() }
        #expect(Set(contentTypes).count == contentTypes.count)
        #expect(contentTypes.allSatisfy { $0.hasPrefix(prefix + "mailroom-") })
        let boundaries = contentTypes.map { $0.dropFirst(prefix.count) }
        #expect(boundaries.allSatisfy { $0.utf8.count == MultipartFormBody.randomBoundaryLength && $0.utf8.count <= 70 })
        #expect(boundaries.allSatisfy { $0.dropFirst("mailroom-".count).allSatisfy { $0.isHexDigit && !$0.isUppercase } })
        // The bodies use the boundary of their Content-Type.
        let body = MultipartFormBody(parts: [.field(name: "to", value: "zoe@example.com")])
        let boundary = body.contentType.dropFirst(prefix.count)
        #expect(body.buffered.map { String(buffer: $0) } == "--\(boundary)\r\nContent-Disposition: form-data; name=\"to\"\r\n\r\nzoe@example.com\r\n--\(boundary)--\r\n")
    }
}
