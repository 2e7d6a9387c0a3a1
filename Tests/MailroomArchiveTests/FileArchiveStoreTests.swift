import Foundation
import Mailroom
import MailroomArchive
import MailroomTestSupport
import NIOPosix
import Testing

@Suite("FileArchiveStore")
struct FileArchiveStoreTests {
    let logger = ArchiveFixtures.logger

    @Test("a message round-trips byte for byte, opens with gzip, and parses as the message sent")
    func roundTrip() async throws {
        let directory = try TemporaryDirectory()
        let store = try ArchiveFixtures.store(directory)
        var email = try ArchiveFixtures.email()
        // A file attachment larger than one write batch, so compression streams in several steps.
        var random = SystemRandomNumberGenerator()
        let payload = (0..<700_000).map { _ in UInt8.random(in: 0...255, using: &random) }
        let source = try TemporaryDirectory()
        email.attachments.append(try .file(at: try source.write(payload, named: "photo.bin")))
        let message = try email.renderMIME()
        let original = try await message.collect()

        let entry = try await store.record(message, details: ArchiveDetails(email), outcome: nil, logger: logger)

        #expect(try await store.contents(of: entry.id) == original)
        let path = ArchiveFixtures.messagePath(entry, in: directory)
        #expect(try ArchiveFixtures.gunzip(path) == original)
        #expect(entry.size == original.count)
        #expect(entry.compressedSize == (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int))
        #expect(entry.state == .pending)
        #expect(entry.messageID == message.messageID)
        #expect(entry.from == "Acme <hello@acme.test>")
        #expect(entry.recipients == ["zoe@example.com", "ops@acme.test", "audit@acme.test"])
        #expect(entry.subject == "Welcome, Zoë")
        #expect(entry.tags == ["welcome"])

        let parsed = try ParsedMessage.parse(try ArchiveFixtures.gunzip(path))
        #expect(parsed.defects.isEmpty)
        #expect(parsed.header("Subject") == "Welcome, Zoë")
        #expect(parsed.parts.first { $0.filename == "photo.bin" }?.bytes == payload)

        let files = ArchiveFixtures.files(in: directory.path)
        let day = "\(entry.id.prefix(4))/\(entry.id.dropFirst(4).prefix(2))/\(entry.id.dropFirst(6).prefix(2))"
        #expect(files == ["index.lock", "messages/\(day)/\(entry.id).eml.gz", "messages/\(day)/\(entry.id).json", "messages/\(day)/index.json"])
    }

    @Test("settling rewrites the metadata and the index; a fresh store sees the outcome")
    func settleSurvivesReopen() async throws {
        let directory = try TemporaryDirectory()
        let store = try ArchiveFixtures.store(directory)
        let email = try ArchiveFixtures.email()
        let entry = try await store.record(try email.renderMIME(), details: ArchiveDetails(email), outcome: nil, logger: logger)
        let settled = try await store.settle(entry.id, outcome: .sent(providerID: "<abc@acme.test>"), logger: logger)
        #expect(settled.state == .sent)
        #expect(settled.providerID == "<abc@acme.test>")
        #expect(settled.revision == 2)

        let reopened = try ArchiveFixtures.store(directory)
        #expect(try await reopened.entries(matching: ArchiveQuery()) == [settled])
        let metadata = try Data(contentsOf: URL(fileURLWithPath: ArchiveFixtures.messagePath(entry, in: directory).replacingOccurrences(of: ".eml.gz", with: ".json")))
        let json = try #require(try JSONSerialization.jsonObject(with: metadata) as? [String: Any])
        #expect(json["state"] as? String == "sent")
        #expect(json["providerID"] as? String == "<abc@acme.test>")
    }

    @Test("queries by recipient, date range, tag, state and id")
    func queries() async throws {
        let directory = try TemporaryDirectory()
        let clock = ArchiveFixtures.Clock()
        let store = try ArchiveFixtures.store(directory, clock: clock)
        let start = clock.now
        let first = try await store.record(
            try ArchiveFixtures.email(to: "zoe@example.com", tags: ["welcome"]).renderMIME(),
            details: ArchiveDetails(try ArchiveFixtures.email(to: "zoe@example.com", tags: ["welcome"])),
            outcome: .sent(providerID: "<1@acme.test>"),
            logger: logger
        )
        clock.advance(by: 3_600)
        let secondEmail = try ArchiveFixtures.email(to: "bob@example.com", tags: ["receipt"])
        let second = try await store.record(try secondEmail.renderMIME(), details: ArchiveDetails(secondEmail), outcome: .failed("boom"), logger: logger)

        func ids(_ query: ArchiveQuery) async throws -> [String] { try await store.entries(matching: query).map(\.id) }
        #expect(try await ids(ArchiveQuery()) == [first.id, second.id])
        #expect(try await ids(ArchiveQuery(recipient: "ZOE@example.com")) == [first.id])
        #expect(try await ids(ArchiveQuery(recipient: "audit@acme.test")) == [first.id, second.id])  // Bcc is indexed
        #expect(try await ids(ArchiveQuery(tag: "receipt")) == [second.id])
        #expect(try await ids(ArchiveQuery(state: .failed)) == [second.id])
        #expect(try await ids(ArchiveQuery(state: .pending)) == [])
        #expect(try await ids(ArchiveQuery(since: start.addingTimeInterval(60))) == [second.id])
        #expect(try await ids(ArchiveQuery(until: start.addingTimeInterval(60))) == [first.id])
        #expect(try await ids(ArchiveQuery(id: second.id)) == [second.id])
        #expect(try await store.entries(matching: ArchiveQuery(id: second.id)).first?.failure == "boom")
    }

    @Test("1,000 messages archived concurrently are all indexed, once each, and verify")
    func concurrentWriters() async throws {
        let directory = try TemporaryDirectory()
        let clock = ArchiveFixtures.Clock()  // one day: one index file
        // The store's file work on a pool of the test's own, as a deployment would give it.
        let pool = NIOThreadPool(numberOfThreads: 8)
        pool.start()
        defer { pool.shutdownGracefully { _ in } }
        let store = try FileArchiveStore(directory: directory.path, configuration: .init(now: { clock.now }, threadPool: pool))
        let email = try ArchiveFixtures.email()
        let ids = try await withThrowingTaskGroup(of: String.self) { group in
            for index in 0..<1_000 {
                group.addTask {
                    var email = email
                    email.subject = "Message \(index)"
                    let entry = try await store.record(try email.renderMIME(), details: ArchiveDetails(email), outcome: nil, logger: logger)
                    return try await store.settle(entry.id, outcome: .sent(providerID: "<\(index)@acme.test>"), logger: logger).id
                }
            }
            return try await group.reduce(into: [String]()) { $0.append($1) }
        }
        #expect(Set(ids).count == 1_000)

        let entries = try await store.entries(matching: ArchiveQuery())
        #expect(entries.count == 1_000)
        #expect(entries.allSatisfy { $0.state == .sent && $0.revision == 2 })
        #expect(Set(entries.map(\.subject)) == Set((0..<1_000).map { "Message \($0)" }))

        // The day's index on disk is complete as written (no rebuild needed to read it).
        let day = (ArchiveFixtures.messagePath(entries[0], in: directory) as NSString).deletingLastPathComponent
        let index = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(day)/index.json"))) as? [String: Any]
        let onDisk = try #require(index?["entries"] as? [[String: Any]])
        #expect(onDisk.count == 1_000)
        #expect(onDisk.allSatisfy { $0["state"] as? String == "sent" && $0["revision"] as? Int == 2 })

        let verification = try await ArchiveFixtures.store(directory).verify()
        #expect(verification.checked == 1_000)
        #expect(verification.findings.isEmpty)
    }

    @Test("a corrupted, truncated, substituted or extended file is detected on read and by verify")
    func corruption() async throws {
        let directory = try TemporaryDirectory()
        let store = try ArchiveFixtures.store(directory)
        let email = try ArchiveFixtures.email()
        var entries: [ArchiveEntry] = []
        for index in 0..<5 {
            // Same length, different bytes: the substituted file passes the size check, not the hash.
            let options = MIMERenderOptions(date: Date(timeIntervalSince1970: 1_795_000_000), messageID: "<\(index)@acme.test>", boundary: { "b\($0)" })
            entries.append(try await store.record(try email.renderMIME(options: options), details: ArchiveDetails(email), outcome: .outbox, logger: logger))
        }
        // One bit flipped in the deflate data, the file cut short, and a valid gzip of other bytes.
        let flipped = ArchiveFixtures.messagePath(entries[0], in: directory)
        var bytes = try Array(Data(contentsOf: URL(fileURLWithPath: flipped)))
        bytes[bytes.count / 2] ^= 0x10
        try Data(bytes).write(to: URL(fileURLWithPath: flipped))
        let truncated = ArchiveFixtures.messagePath(entries[1], in: directory)
        let whole = try Data(contentsOf: URL(fileURLWithPath: truncated))
        try whole.prefix(whole.count - 20).write(to: URL(fileURLWithPath: truncated))
        let substituted = ArchiveFixtures.messagePath(entries[2], in: directory)
        try Data(contentsOf: URL(fileURLWithPath: ArchiveFixtures.messagePath(entries[3], in: directory))).write(to: URL(fileURLWithPath: substituted))
        // Bytes appended after the gzip stream: the message still decompresses, but the file is not what was written.
        let appended = ArchiveFixtures.messagePath(entries[4], in: directory)
        try (Data(contentsOf: URL(fileURLWithPath: appended)) + Data("trailing".utf8)).write(to: URL(fileURLWithPath: appended))

        for entry in entries.prefix(3) + [entries[4]] {
            let error = await #expect(throws: MailroomError.self) { try await store.contents(of: entry.id) }
            #expect(error?.code == .corrupted)
            #expect(error?.field == "id")
            #expect(error?.message.contains(entry.id) == true)
        }
        #expect(try await store.contents(of: entries[3].id) == (try ArchiveFixtures.gunzip(ArchiveFixtures.messagePath(entries[3], in: directory))))

        let verification = try await store.verify()
        #expect(verification.checked == 5)
        #expect(!verification.isIntact)
        #expect(verification.damage.map(\.kind) == [.corrupt, .corrupt, .corrupt, .corrupt])
        #expect(Set(verification.damage.compactMap(\.id)) == Set((entries.prefix(3) + [entries[4]]).map(\.id)))
        #expect(verification.damage.first { $0.id == entries[2].id }?.detail.contains("SHA-256") == true)
        #expect(verification.damage.first { $0.id == entries[4].id }?.detail.contains("after the end of its gzip stream") == true)
    }

    @Test("a missing message file is damage that verify reports")
    func missingFile() async throws {
        let directory = try TemporaryDirectory()
        let store = try ArchiveFixtures.store(directory)
        let email = try ArchiveFixtures.email()
        let entry = try await store.record(try email.renderMIME(), details: ArchiveDetails(email), outcome: .outbox, logger: logger)
        try FileManager.default.removeItem(atPath: ArchiveFixtures.messagePath(entry, in: directory))
        let verification = try await ArchiveFixtures.store(directory).verify()
        #expect(verification.damage.map(\.kind) == [.missing])
        #expect(verification.damage.first?.id == entry.id)
        let error = await #expect(throws: MailroomError.self) { try await store.contents(of: entry.id) }
        #expect(error?.code == .corrupted)
    }

    @Test("an interrupted write leaves a readable store; the index is rebuilt and verify reports what happened")
    func interruptedWrite() async throws {
        let directory = try TemporaryDirectory()
        let store = try ArchiveFixtures.store(directory)
        let email = try ArchiveFixtures.email()
        let kept = try await store.record(try email.renderMIME(), details: ArchiveDetails(email), outcome: .sent(providerID: "<1@acme.test>"), logger: logger)
        let day = (ArchiveFixtures.messagePath(kept, in: directory) as NSString).deletingLastPathComponent

        // What a process killed at each step leaves: half a temporary message file (killed while
        // compressing), a complete message that no index or metadata names (killed between the
        // message and the index), and a torn index (the disk damaged it; renames never tear).
        let gzipped = try Data(contentsOf: URL(fileURLWithPath: ArchiveFixtures.messagePath(kept, in: directory)))
        try gzipped.prefix(gzipped.count / 2).write(to: URL(fileURLWithPath: "\(day)/.tmp-2147483646-0badc0de-20261121-000000-000000000000.eml.gz"))
        let orphanID = String(kept.id.dropLast(12)) + "0123456789ab"
        try gzipped.write(to: URL(fileURLWithPath: "\(day)/\(orphanID).eml.gz"))
        let index = try Data(contentsOf: URL(fileURLWithPath: "\(day)/index.json"))
        try index.prefix(index.count / 2).write(to: URL(fileURLWithPath: "\(day)/index.json"))

        let reopened = try ArchiveFixtures.store(directory)
        let entries = try await reopened.entries(matching: ArchiveQuery())
        #expect(Set(entries.map(\.id)) == [kept.id, orphanID])
        #expect(entries.first { $0.id == kept.id } == kept)
        let recovered = try #require(entries.first { $0.id == orphanID })
        #expect(recovered.state == .pending)
        #expect(recovered.sha256 == kept.sha256)
        #expect(recovered.messageID == kept.messageID)
        #expect(recovered.recipients == ["zoe@example.com", "ops@acme.test"])  // from the headers: Bcc is not in them
        #expect(try await reopened.contents(of: orphanID).count == kept.size)

        let verification = try await reopened.verify()
        #expect(verification.isIntact)
        #expect(verification.checked == 2)
        #expect(Set(verification.findings.map(\.kind)) == [.unrecorded, .interruptedWrite])
        #expect(verification.findings.first { $0.kind == .interruptedWrite }?.path.hasPrefix("messages/") == true)
        // The day's index is whole again.
        let rebuilt = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(day)/index.json"))) as? [String: Any]
        #expect((rebuilt?["entries"] as? [Any])?.count == 2)
    }

    @Test("metadata behind the index (stopped after the index write) loses nothing: a rebuild keeps the newer revision")
    func metadataBehindIndex() async throws {
        let directory = try TemporaryDirectory()
        let store = try ArchiveFixtures.store(directory)
        let email = try ArchiveFixtures.email()
        let entry = try await store.record(try email.renderMIME(), details: ArchiveDetails(email), outcome: nil, logger: logger)
        let metadataPath = ArchiveFixtures.messagePath(entry, in: directory).replacingOccurrences(of: ".eml.gz", with: ".json")
        let pendingMetadata = try Data(contentsOf: URL(fileURLWithPath: metadataPath))
        let settled = try await store.settle(entry.id, outcome: .sent(providerID: "<1@acme.test>"), logger: logger)
        try pendingMetadata.write(to: URL(fileURLWithPath: metadataPath))
        #expect(try await ArchiveFixtures.store(directory).entries(matching: ArchiveQuery()) == [settled])

        // Force a rebuild (a message the index lacks): the index's newer entry still wins.
        let day = (metadataPath as NSString).deletingLastPathComponent
        try Data(contentsOf: URL(fileURLWithPath: ArchiveFixtures.messagePath(entry, in: directory)))
            .write(to: URL(fileURLWithPath: "\(day)/\(entry.id.dropLast(12))0123456789ab.eml.gz"))
        let rebuilt = try await ArchiveFixtures.store(directory).entries(matching: ArchiveQuery())
        #expect(rebuilt.first { $0.id == entry.id } == settled)
    }

    @Test("prune removes messages recorded before the cut-off, their files and empty folders")
    func prune() async throws {
        let directory = try TemporaryDirectory()
        let clock = ArchiveFixtures.Clock()
        let store = try ArchiveFixtures.store(directory, clock: clock)
        let email = try ArchiveFixtures.email()
        let day: TimeInterval = 86_400
        var recorded: [ArchiveEntry] = []
        for _ in 0..<3 {
            recorded.append(try await store.record(try email.renderMIME(), details: ArchiveDetails(email), outcome: .outbox, logger: logger))
            clock.advance(by: 20 * day)
        }
        // Now is 60 days after the first; 30 days back keeps only the last.
        let pruned = try await store.prune(olderThan: clock.now.addingTimeInterval(-30 * day))
        #expect(pruned.map(\.id) == recorded.prefix(2).map(\.id))
        #expect(try await store.entries(matching: ArchiveQuery()).map(\.id) == [recorded[2].id])
        for entry in recorded.prefix(2) {
            #expect(!FileManager.default.fileExists(atPath: ArchiveFixtures.messagePath(entry, in: directory)))
            #expect(!FileManager.default.fileExists(atPath: (ArchiveFixtures.messagePath(entry, in: directory) as NSString).deletingLastPathComponent))
        }
        #expect(try await ArchiveFixtures.store(directory).entries(matching: ArchiveQuery()).map(\.id) == [recorded[2].id])
        #expect(try await store.verify().findings.isEmpty)
        #expect(try await store.prune(olderThan: clock.now.addingTimeInterval(-30 * day)).isEmpty)
    }

    @Test("the compression level is configurable and checked")
    func compressionLevel() async throws {
        var email = try ArchiveFixtures.email()
        email.text = String(repeating: "All work and no play makes Jack a dull boy. ", count: 2_000)
        var sizes: [Int] = []
        for level in [0, 1, 9] {
            let directory = try TemporaryDirectory()
            let store = try ArchiveFixtures.store(directory, level: level)
            let entry = try await store.record(try email.renderMIME(), details: ArchiveDetails(email), outcome: .outbox, logger: logger)
            #expect(try ArchiveFixtures.gunzip(ArchiveFixtures.messagePath(entry, in: directory)) == (try await store.contents(of: entry.id)))
            sizes.append(entry.compressedSize)
        }
        #expect(sizes[0] > sizes[1])
        #expect(sizes[1] > sizes[2])
        let error = #expect(throws: MailroomError.self) { try ArchiveFixtures.store(try TemporaryDirectory(), level: 10) }
        #expect(error?.field == "compressionLevel")
    }

    @Test("reading, verifying or pruning a store that was never written creates nothing")
    func neverWritten() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/never"
        let store = try FileArchiveStore(directory: path)
        #expect(try await store.entries(matching: ArchiveQuery()).isEmpty)
        #expect(try await store.verify() == ArchiveVerification(checked: 0, findings: []))
        #expect(try await store.prune(olderThan: Date()).isEmpty)
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test("a write that fails part-way leaves no file, no marker and no entry")
    func failedWrite() async throws {
        let directory = try TemporaryDirectory()
        let store = try ArchiveFixtures.store(directory)
        let source = try TemporaryDirectory()
        var email = try ArchiveFixtures.email()
        let file = try source.write(Array(repeating: 7, count: 300_000), named: "report.bin")
        email.attachments = [try .file(at: file)]
        let message = try email.renderMIME()
        try FileManager.default.removeItem(atPath: file)  // gone between rendering and streaming

        let error = await #expect(throws: MailroomError.self) {
            try await store.record(message, details: ArchiveDetails(email), outcome: nil, logger: logger)
        }
        #expect(error?.code == .attachmentUnreadable)
        #expect(try await store.entries(matching: ArchiveQuery()).isEmpty)
        #expect(ArchiveFixtures.files(in: directory.path).allSatisfy { !$0.hasPrefix("messages/") })
        #expect(try await store.verify().findings.isEmpty)
    }

    @Test("when the index cannot be written, every record in the write fails and leaves no message behind")
    func indexFailure() async throws {
        let directory = try TemporaryDirectory()
        let store = try ArchiveFixtures.store(directory, clock: ArchiveFixtures.Clock())
        let email = try ArchiveFixtures.email()
        let first = try await store.record(try email.renderMIME(), details: ArchiveDetails(email), outcome: .outbox, logger: logger)
        let filesBefore = ArchiveFixtures.files(in: directory.path)
        // A directory where the lock file belongs: opening it for writing fails, as a full or
        // read-only disk would make it fail.
        try FileManager.default.removeItem(atPath: "\(directory.path)/index.lock")
        try FileManager.default.createDirectory(atPath: "\(directory.path)/index.lock", withIntermediateDirectories: true)
        let outcomes = await withTaskGroup(of: MailroomError?.self) { group in
            for _ in 0..<20 {
                group.addTask {
                    do {
                        _ = try await store.record(try email.renderMIME(), details: ArchiveDetails(email), outcome: nil, logger: logger)
                        return nil
                    } catch {
                        return error as? MailroomError
                    }
                }
            }
            return await group.reduce(into: [MailroomError?]()) { $0.append($1) }
        }
        #expect(outcomes.count == 20)
        #expect(outcomes.allSatisfy { $0?.code == .storage && $0?.field == "archive" })
        #expect(ArchiveFixtures.files(in: directory.path) == filesBefore.filter { $0 != "index.lock" })
        #expect(try await store.entries(matching: ArchiveQuery()) == [first])

        // Once the index can be written again, nothing of the failed records comes back.
        try FileManager.default.removeItem(atPath: "\(directory.path)/index.lock")
        let second = try await store.record(try email.renderMIME(), details: ArchiveDetails(email), outcome: nil, logger: logger)
        #expect(try await store.entries(matching: ArchiveQuery()).map(\.id) == [first, second].map(\.id).sorted())
        #expect(try await ArchiveFixtures.store(directory).entries(matching: ArchiveQuery()).count == 2)
        #expect(try await store.verify().findings.map(\.kind) == [.pending])
    }

    @Test("ids are checked before any file is touched; unknown ids are not found")
    func badIDs() async throws {
        let directory = try TemporaryDirectory()
        let store = try ArchiveFixtures.store(directory)
        for id in ["../../etc/passwd", "20261121-093000-XYZ", ""] {
            let error = await #expect(throws: MailroomError.self) { try await store.contents(of: id) }
            #expect(error?.code == .invalidValue)
            #expect(error?.field == "id")
        }
        let error = await #expect(throws: MailroomError.self) { try await store.settle("20261121-093000-4f1c2a9e7b3d", outcome: .suppressed, logger: logger) }
        #expect(error?.code == .notFound)
        #expect(error?.field == "id")
        #expect(ArchiveFixtures.files(in: directory.path).isEmpty)
    }
}
