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
        let form = MultipartFormBody(parts: try MailgunForm.parts(for: Self.email()), boundary: "mailroom-test-boundary")
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
        let fromFile = MultipartFormBody(parts: try MailgunForm.parts(for: Self.email(attachment: try Mailroom.Attachment.file(at: path, contentType: "application/octet-stream"))), boundary: "b")
        let inMemory = MultipartFormBody(parts: try MailgunForm.parts(for: Self.email(attachment: Mailroom.Attachment.bytes(content, filename: "report.bin", contentType: "application/octet-stream"))), boundary: "b")
        #expect(fromFile.buffered == nil, "a file is read while the body is sent")
        let buffer = try #require(inMemory.buffered)
        let streamedFile = try await Self.streamed(fromFile)
        #expect(streamedFile == Array(buffer.readableBytesView))
        #expect(try await Self.streamed(inMemory) == streamedFile)
        #expect(streamedFile.count == fromFile.byteCount)
    }

    @Test func largeBodiesAndMIMEMessagesStream() async throws {
        let large = [UInt8](repeating: 0x61, count: MultipartFormBody.bufferedLimit + 1)
        let form = MultipartFormBody(parts: try MailgunForm.parts(for: Self.email(attachment: Mailroom.Attachment.bytes(large, filename: "a.txt"))))
        #expect(form.buffered == nil, "over the limit: streamed, never held twice")
        let message = try Self.email().renderMIME()
        let mime = MultipartFormBody(parts: try MailgunForm.mimeParts(for: message, envelope: Envelope(recipients: ["zoe@example.com"])))
        #expect(mime.buffered == nil)
        #expect(try await Self.streamed(mime).count == mime.byteCount)
    }
}
