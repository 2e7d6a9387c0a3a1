import Foundation
import Mailroom
import MailroomArchive
import MailroomConformance
import MailroomTestSupport
import NIOPosix
import SQLiteNIO
import Testing

@Suite("FileArchiveStore")
struct FileArchiveStoreTests {
    let logger = ArchiveFixtures.logger

    @Test("a message's file is where its id says, opens with gzip, and parses as the message sent")
    func messageFile() async throws {
        let directory = try TemporaryDirectory()
        let store = try ArchiveFixtures.store(directory)
        var email = try ArchiveFixtures.email()
        var random = SystemRandomNumberGenerator()
        let payload = (0..<700_000).map { _ in UInt8.random(in: 0...255, using: &random) }
        email.attachments.append(.bytes(payload, filename: "photo.bin"))
        let message = try email.renderMIME()
        let original = try await message.collect()

        let entry = try await store.record(message, details: ArchiveDetails(email), outcome: nil, logger: logger)

        let path = ArchiveFixtures.messagePath(entry, in: directory)
        #expect(try await ArchiveFixtures.gunzip(path) == original)
        #expect(entry.compressedSize == (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int))
        let parsed = try await ParsedMessage.parse(try await ArchiveFixtures.gunzip(path))
        #expect(parsed.defects.isEmpty)
        #expect(parsed.header("Subject") == "Welcome, Zoë")
        #expect(parsed.parts.first { $0.filename == "photo.bin" }?.bytes == payload)

        let files = ArchiveFixtures.files(in: directory.path)
        let day = "\(entry.id.prefix(4))/\(entry.id.dropFirst(4).prefix(2))/\(entry.id.dropFirst(6).prefix(2))"
        // The message file, and the index in one SQLite file (with its WAL files while open).
        #expect(files.filter { $0.hasPrefix("messages/") } == ["messages/\(day)/\(entry.id).eml.gz"])
        #expect(files.filter { !$0.hasPrefix("messages/") }.allSatisfy { $0.hasPrefix("archive.sqlite") })
        #expect(files.contains("archive.sqlite"))
    }

    @Test("process-crash durability records and settles without flushes; another store reads them at once")
    func processCrashDurability() async throws {
        let directory = try TemporaryDirectory()
        let store = try FileArchiveStore(directory: directory.path, configuration: .init(durability: .processCrash))
        let email = try ArchiveFixtures.email()
        let entry = try await store.record(try email.renderMIME(), details: ArchiveDetails(email), outcome: nil, logger: logger)
        _ = try await store.settle(entry.id, outcome: .sent(providerID: "<p@acme.test>"), logger: logger)
        let reader = try ArchiveFixtures.store(directory)
        #expect(try await reader.entries(matching: ArchiveQuery(providerID: "<p@acme.test>")).map(\.id) == [entry.id])
        #expect(try await reader.contents(of: entry.id).count == entry.size)
        #expect(try ArchiveDurability.named("process-crash") == .processCrash)
        let error = #expect(throws: MailroomError.self) { try ArchiveDurability.named("sometimes", field: "MAILROOM_ARCHIVE_DURABILITY") }
        #expect(error?.field == "MAILROOM_ARCHIVE_DURABILITY")
    }

    @Test("a record killed between its file and its commit leaves an orphan: verify reports it, reindex indexes it as pending")
    func interruptedWrite() async throws {
        let directory = try TemporaryDirectory()
        let store = try ArchiveFixtures.store(directory)
        let email = try ArchiveFixtures.email()
        let kept = try await store.record(try email.renderMIME(), details: ArchiveDetails(email), outcome: .sent(providerID: "<1@acme.test>"), logger: logger)
        let day = (ArchiveFixtures.messagePath(kept, in: directory) as NSString).deletingLastPathComponent

        // What a process killed at each step leaves: half a temporary message file (killed while
        // compressing), and a complete message file that no row names (killed after the rename,
        // before the INSERT's commit: its caller was never told it was recorded).
        let gzipped = try Data(contentsOf: URL(fileURLWithPath: ArchiveFixtures.messagePath(kept, in: directory)))
        try gzipped.prefix(gzipped.count / 2).write(to: URL(fileURLWithPath: "\(day)/.tmp-2147483646-0badc0de-20261121-000000-000000000000.eml.gz"))
        let orphanID = String(kept.id.dropLast(12)) + "0123456789ab"
        try gzipped.write(to: URL(fileURLWithPath: "\(day)/\(orphanID).eml.gz"))

        let reopened = try ArchiveFixtures.store(directory)
        #expect(try await reopened.entries(matching: ArchiveQuery()) == [kept])
        let verification = try await reopened.verify()
        #expect(verification.isIntact)
        #expect(verification.checked == 1)
        #expect(verification.findings.map(\.kind) == [.orphaned, .interruptedWrite])
        #expect(verification.findings.first?.id == orphanID)
        #expect(verification.findings.last?.path.hasPrefix("messages/") == true)

        let added = try await reopened.reindex()
        #expect(added.map(\.id) == [orphanID])
        let recovered = try #require(added.first)
        #expect(recovered.state == .pending)
        #expect(recovered.sha256 == kept.sha256)
        #expect(recovered.messageID == kept.messageID)
        #expect(recovered.subject == "Welcome, Zoë")
        #expect(recovered.recipients == ["zoe@example.com", "ops@acme.test"])  // from the headers: Bcc is not in them
        #expect(try await reopened.contents(of: orphanID).count == kept.size)
        #expect(try await reopened.entries(matching: ArchiveQuery(id: kept.id)) == [kept])  // untouched
        #expect(try await reopened.reindex().isEmpty)  // a second run adds nothing
        #expect(try await reopened.verify().findings.map(\.kind) == [.pending, .interruptedWrite])
    }

    @Test("reindex rebuilds a lost or damaged index from the files alone")
    func reindexFromFiles() async throws {
        let directory = try TemporaryDirectory()
        let clock = ConformanceClock()
        let store = try ArchiveFixtures.store(directory, clock: clock)
        var recorded: [ArchiveEntry] = []
        for index in 0..<3 {
            let email = try ArchiveFixtures.email(to: "user\(index)@example.com", subject: "Report \(index)")
            recorded.append(try await store.record(try email.renderMIME(), details: ArchiveDetails(email), outcome: .outbox, logger: logger))
            clock.advance(by: 86_400)
        }
        try await store.close()

        // Lost: the database and its WAL files deleted. Opening indexes the files as pending.
        for name in ["archive.sqlite", "archive.sqlite-wal", "archive.sqlite-shm"] { try? FileManager.default.removeItem(atPath: "\(directory.path)/\(name)") }
        let rebuilt = try ArchiveFixtures.store(directory)
        let entries = try await rebuilt.entries(matching: ArchiveQuery())
        #expect(entries.map(\.id) == recorded.reversed().map(\.id))
        #expect(entries.map(\.subject) == ["Report 2", "Report 1", "Report 0"])
        #expect(entries.allSatisfy { $0.state == .pending && $0.revision == 0 })
        #expect(zip(entries, recorded.reversed()).allSatisfy { $0.sha256 == $1.sha256 && $0.size == $1.size && $0.compressedSize == $1.compressedSize })
        #expect(try await rebuilt.entries(matching: ArchiveQuery(recipient: "user1@example.com", text: "mailroom")).map(\.id) == [recorded[1].id])
        try await rebuilt.close()

        // Damaged: the database overwritten with garbage. Reindex moves it aside and rebuilds.
        try Data(repeating: 0x42, count: 8_192).write(to: URL(fileURLWithPath: "\(directory.path)/archive.sqlite"))
        for name in ["archive.sqlite-wal", "archive.sqlite-shm"] { try? FileManager.default.removeItem(atPath: "\(directory.path)/\(name)") }
        let damaged = try ArchiveFixtures.store(directory)
        let error = await #expect(throws: MailroomError.self) { try await damaged.entries(matching: ArchiveQuery()) }
        #expect(error?.code == .storage)
        #expect(try await damaged.reindex().count == 3)
        #expect(try await damaged.count(matching: ArchiveQuery()) == 3)
        #expect(ArchiveFixtures.files(in: directory.path).contains { $0.hasPrefix("archive.sqlite.damaged-") })
        #expect(try await damaged.verify().damage.isEmpty)
    }

    @Test("prune removes the pruned messages' files and the folders it empties")
    func pruneRemovesFilesAndFolders() async throws {
        let directory = try TemporaryDirectory()
        let clock = ConformanceClock()
        let store = try ArchiveFixtures.store(directory, clock: clock)
        let email = try ArchiveFixtures.email()
        let old = try await store.record(try email.renderMIME(), details: ArchiveDetails(email), outcome: .outbox, logger: logger)
        clock.advance(by: 40 * 86_400)
        let kept = try await store.record(try email.renderMIME(), details: ArchiveDetails(email), outcome: .outbox, logger: logger)
        #expect(try await store.prune(olderThan: clock.now.addingTimeInterval(-30 * 86_400)).map(\.id) == [old.id])
        let file = ArchiveFixtures.messagePath(old, in: directory)
        #expect(!FileManager.default.fileExists(atPath: file))
        #expect(!FileManager.default.fileExists(atPath: (file as NSString).deletingLastPathComponent))
        #expect(FileManager.default.fileExists(atPath: ArchiveFixtures.messagePath(kept, in: directory)))
    }

    @Test("a prune stopped between its commit and its files leaves orphans verify accepts; the next prune removes them")
    func pruneInterrupted() async throws {
        let directory = try TemporaryDirectory()
        let clock = ConformanceClock()
        let store = try ArchiveFixtures.store(directory, clock: clock)
        let email = try ArchiveFixtures.email()
        let old = try await store.record(try email.renderMIME(), details: ArchiveDetails(email), outcome: .outbox, logger: logger)
        clock.advance(by: 40 * 86_400)
        let kept = try await store.record(try email.renderMIME(), details: ArchiveDetails(email), outcome: .outbox, logger: logger)
        // The state a crash after the DELETE's commit leaves: the row gone, the file still there.
        let file = ArchiveFixtures.messagePath(old, in: directory)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: file))
        #expect(try await store.prune(olderThan: clock.now.addingTimeInterval(-30 * 86_400)).map(\.id) == [old.id])
        try FileManager.default.createDirectory(atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try bytes.write(to: URL(fileURLWithPath: file))

        let verification = try await store.verify()
        #expect(verification.isIntact)
        #expect(verification.findings.map(\.kind) == [.orphaned])
        #expect(try await store.prune(olderThan: clock.now.addingTimeInterval(-30 * 86_400)).isEmpty)
        #expect(!FileManager.default.fileExists(atPath: file))
        #expect(try await store.verify().findings.isEmpty)
        #expect(try await store.entries(matching: ArchiveQuery()).map(\.id) == [kept.id])
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
            #expect(try await ArchiveFixtures.gunzip(ArchiveFixtures.messagePath(entry, in: directory)) == (try await store.contents(of: entry.id)))
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

    @Test("when the index cannot be written, every record in the group fails and leaves no message behind")
    func indexFailure() async throws {
        let directory = try TemporaryDirectory()
        let clock = ConformanceClock()
        let store = try FileArchiveStore(directory: directory.path, configuration: .init(busyTimeout: .milliseconds(50), now: { clock.now }))
        let email = try ArchiveFixtures.email()
        let first = try await store.record(try email.renderMIME(), details: ArchiveDetails(email), outcome: .outbox, logger: logger)
        let filesBefore = ArchiveFixtures.files(in: directory.path).filter { $0.hasPrefix("messages/") }
        // Another process holds the write lock longer than the busy timeout, as a stuck writer would.
        let blocker = try await SQLiteLock.hold(databaseAt: "\(directory.path)/archive.sqlite")
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
        #expect(outcomes.allSatisfy { $0?.code == .storage && $0?.isTransient == true }, "\(outcomes)")
        #expect(ArchiveFixtures.files(in: directory.path).filter { $0.hasPrefix("messages/") } == filesBefore)
        try await blocker.release()
        #expect(try await store.entries(matching: ArchiveQuery()) == [first])

        // Once the index can be written again, nothing of the failed records comes back.
        let second = try await store.record(try email.renderMIME(), details: ArchiveDetails(email), outcome: nil, logger: logger)
        #expect(try await store.entries(matching: ArchiveQuery()).map(\.id) == [second.id, first.id])
        #expect(try await ArchiveFixtures.store(directory).count(matching: ArchiveQuery()) == 2)
        #expect(try await store.verify().findings.map(\.kind) == [.pending])
    }

    @Test("a record whose file another process indexed before the record's commit still wins with its own row")
    func recordWinsOverAnEarlierIndexOfItsFile() async throws {
        let directory = try TemporaryDirectory()
        let store = try FileArchiveStore(directory: directory.path, configuration: .init(busyTimeout: .seconds(60)))
        let first = try ArchiveFixtures.email(tags: ["first"])
        let firstID = try await store.record(try first.renderMIME(), details: ArchiveDetails(first), outcome: .outbox, logger: logger).id
        // Another process holds the write lock, so the record puts its file in place and then waits to commit its row.
        let other = try await SQLiteLock.hold(databaseAt: "\(directory.path)/archive.sqlite")
        let email = try ArchiveFixtures.email(subject: "Your receipt", tags: ["receipt"])
        let recording = Task { try await store.record(try email.renderMIME(), details: ArchiveDetails(email), outcome: nil, logger: logger) }
        let deadline = ContinuousClock.now + .seconds(60)  // a guard, not a measure
        var placed: [String] = []
        while placed.count < 2, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(5))
            placed = ArchiveFixtures.files(in: directory.path).filter { $0.hasPrefix("messages/") && $0.hasSuffix(".eml.gz") && !$0.contains("/.tmp-") }
        }
        let id = try #require(placed.compactMap { $0.split(separator: "/").last.map { String($0.dropLast(".eml.gz".count)) } }.first { $0 != firstID })
        // What that process's reindex writes for a file it finds unindexed: a pending entry of revision 0, no tags.
        try await other.query(
            """
            INSERT INTO messages (id, date, sender, sender_address, recipients, subject, tags, size, compressed_size, sha256, state, revision, body)
            VALUES (?, 0, 'recovered', 'recovered', '[]', 'recovered', '[]', 0, 0, '', 'pending', 0, '')
            """,
            [.text(id)]
        )
        try await other.commit()

        let entry = try await recording.value
        #expect(entry.id == id)
        #expect(entry.revision == 1)
        #expect(try await store.entries(matching: ArchiveQuery(id: id)) == [entry])
        #expect(try await store.entries(matching: ArchiveQuery(tag: "receipt")).map(\.id) == [id])
        #expect(try await store.entries(matching: ArchiveQuery(text: "receipt")).map(\.id) == [id])
        #expect(try await store.entries(matching: ArchiveQuery(text: "recovered")).isEmpty)
        #expect(try await store.count(matching: ArchiveQuery()) == 2)
    }

    @Test("recipients and tags with quotes, backslashes and control characters are stored and found as given")
    func oddCharactersInListsRoundTrip() async throws {
        let directory = try TemporaryDirectory()
        let store = try ArchiveFixtures.store(directory)
        let email = try ArchiveFixtures.email()
        let tags = ["say \"hi\"", "back\\slash", "tab\there", "line\nbreak", "bell\u{07}", "ünïcödé ✉️", "a/b"]
        let recipients = ["o\"brien@example.com", "zoë@example.com"]
        let details = ArchiveDetails(from: "Acme <hello@acme.test>", recipients: recipients, subject: "Odd lists", tags: tags)

        let recorded = try await store.record(try email.renderMIME(), details: details, outcome: nil, logger: logger)
        let settled = try await store.settle(recorded.id, outcome: .sent(providerID: "<odd@acme.test>"), logger: logger)

        #expect(recorded.tags == tags)
        #expect(settled.tags == tags && settled.recipients == recipients && settled.state == .sent)
        #expect(try await store.entries(matching: ArchiveQuery(id: recorded.id)) == [settled])
        for tag in tags {
            #expect(try await store.entries(matching: ArchiveQuery(tag: tag)).map(\.id) == [recorded.id], "tag \(tag.debugDescription)")
        }
        for recipient in recipients {
            #expect(try await store.entries(matching: ArchiveQuery(recipient: recipient)).map(\.id) == [recorded.id], "recipient \(recipient)")
        }
    }

    @Test("a bad or unknown id touches no file")
    func badIDsTouchNoFile() async throws {
        let directory = try TemporaryDirectory()
        let store = try ArchiveFixtures.store(directory)
        for id in ["../../etc/passwd", "20261121-093000-4f1c2a9e7b3d"] {
            await #expect(throws: MailroomError.self) { try await store.contents(of: id) }
            await #expect(throws: MailroomError.self) { try await store.settle(id, outcome: .suppressed, logger: logger) }
        }
        #expect(ArchiveFixtures.files(in: directory.path).isEmpty)
    }
}
