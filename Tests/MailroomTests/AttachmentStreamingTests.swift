import Foundation
import Mailroom
import MailroomTestSupport
import Testing

@Suite struct AttachmentStreamingTests {
    @Test func fileAttachmentsStreamInBoundedChunksAndRoundTrip() async throws {
        let directory = try TemporaryDirectory()
        var generator = SeededGenerator(seed: 42)
        let content = (0..<3_000_001).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let path = try directory.write(content, named: "big.bin")
        var email = Email(from: "hello@acme.test", to: ["bob@example.com"], subject: "Big", text: "see attached")
        email.attachments = [try .file(at: path)]

        let message = try email.renderMIME(options: RawMIME.fixedOptions)
        var total = 0
        var largestChunk = 0
        var all: [UInt8] = []
        for try await chunk in message {
            total += chunk.count
            largestChunk = max(largestChunk, chunk.count)
            all += chunk
        }
        #expect(total == message.byteCount)
        #expect(largestChunk < 100_000, "a 3 MB file is never yielded whole (largest chunk \(largestChunk))")
        let (lines, bare) = RawMIME.lines(all)
        #expect(bare == 0)
        #expect(lines.allSatisfy { $0.count <= 76 }, "base64 lines are 76 columns")
        let parsed = try await ParsedMessage.parse(all)
        #expect(parsed.defects.isEmpty)
        #expect(parsed.part("application/octet-stream")?.bytes == content)
    }

    @Test func encodedLengthIsKnownForEverySize() async throws {
        for size in [0, 1, 2, 3, 56, 57, 58, 113, 114, 115, 1_000, 65_550, 65_551] {
            var email = Email(from: "hello@acme.test", to: ["bob@example.com"], subject: "Size", text: "t")
            email.attachments = [.bytes([UInt8](repeating: 0xAB, count: size), filename: "a.bin")]
            let message = try email.renderMIME(options: RawMIME.fixedOptions)
            let bytes = try await message.collect()
            #expect(bytes.count == message.byteCount, "size \(size)")
        }
    }

    @Test func aFileThatChangesSizeIsReported() async throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write([UInt8](repeating: 1, count: 1_000), named: "grows.txt")
        var email = Email(from: "hello@acme.test", to: ["bob@example.com"], subject: "Changed", text: "t")
        email.attachments = [try .file(at: path)]
        _ = try directory.write([UInt8](repeating: 2, count: 2_000), named: "grows.txt")
        let grown = await #expect(throws: MailroomError.self) { try await email.renderMIME().collect() }
        #expect(grown?.code == .attachmentUnreadable)
        #expect(grown?.field == "attachment[grows.txt]")
        #expect(grown?.message.contains("changed size") == true)

        _ = try directory.write([UInt8](repeating: 2, count: 10), named: "grows.txt")
        let shrunk = await #expect(throws: MailroomError.self) { try await email.renderMIME().collect() }
        #expect(shrunk?.code == .attachmentUnreadable)

        try FileManager.default.removeItem(atPath: path)
        let gone = await #expect(throws: MailroomError.self) { try await email.renderMIME().collect() }
        #expect(gone?.message.contains("can no longer be opened") == true)
    }

    @Test func rawChunksCoverTheContentExactly() async throws {
        let bytes = (0..<10_000).map { UInt8($0 % 251) }
        let attachment = Attachment.bytes(bytes, filename: "a.bin")
        var collected: [UInt8] = []
        var count = 0
        for try await chunk in attachment.chunks(of: 4_096) {
            collected += chunk
            count += 1
        }
        #expect(collected == bytes)
        #expect(count == 3)
        #expect(attachment.source.byteCount == 10_000)
        #expect(attachment.source.filePath == nil)
    }

    @Test func readingIntoACallersBufferCoversTheContentAndChecksTheSize() throws {
        let directory = try TemporaryDirectory()
        let content = (0..<10_000).map { UInt8($0 % 251) }
        let path = try directory.write(content, named: "a.bin")
        for attachment in [try Attachment.file(at: path), Attachment.bytes(content, filename: "a.bin")] {
            var iterator = attachment.chunks(of: 4_096).makeAsyncIterator()
            var collected: [UInt8] = []
            var sizes: [Int] = []
            var buffer = [UInt8](repeating: 0, count: 8_192)
            while true {
                let count = try buffer.withUnsafeMutableBytes { try iterator.read(into: $0) }
                if count == 0 { break }
                sizes.append(count)
                collected += buffer[..<count]
            }
            #expect(collected == content)
            #expect(sizes == [4_096, 4_096, 1_808], "at most the chunk size, whatever the buffer")
            #expect(try buffer.withUnsafeMutableBytes { try iterator.read(into: $0) } == 0, "ended")
        }

        let grows = try Attachment.file(at: path)
        _ = try directory.write(content + [1], named: "a.bin")
        var iterator = grows.chunks(of: 4_096).makeAsyncIterator()
        var buffer = [UInt8](repeating: 0, count: 4_096)
        let error = #expect(throws: MailroomError.self) {
            while try buffer.withUnsafeMutableBytes({ try iterator.read(into: $0) }) > 0 {}
        }
        #expect(error?.code == .attachmentUnreadable)
        #expect(error?.message.contains("changed size") == true)
    }

    @Test func preRenderedBytesPassThrough() async throws {
        let raw = Array("Subject: x\r\n\r\nbody\r\n".utf8)
        let message = MIMEMessage(bytes: raw)
        #expect(message.byteCount == raw.count)
        #expect(message.messageID == nil)
        #expect(try await message.collect() == raw)
    }
}
