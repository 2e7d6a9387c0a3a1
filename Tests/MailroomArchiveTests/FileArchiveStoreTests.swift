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
        // The message file, and the index in one SQLite file (with its WAL files while open).
        #expect(files.filter { $0.hasPrefix("messages/") } == ["messages/\(day)/\(entry.id).eml.gz"])
        #expect(files.filter { !$0.hasPrefix("messages/") }.allSatisfy { $0.hasPrefix("archive.sqlite") })
        #expect(files.contains("archive.sqlite"))
    }

    @Test("settling updates the entry; a fresh store sees the outcome")
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
        #expect(try await reopened.settle(entry.id, outcome: .failed("bounced later"), logger: logger).revision == 3)
        #expect(try await store.entries(matching: ArchiveQuery(id: entry.id)).first?.failure == "bounced later")
    }

    @Test("queries by recipient, sender, date range, tag, state, ids; newest first; pages and counts")
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
        #expect(try await ids(ArchiveQuery()) == [second.id, first.id])
        #expect(try await ids(ArchiveQuery(recipient: "ZOE@example.com")) == [first.id])
        #expect(try await ids(ArchiveQuery(recipient: "audit@acme.test")) == [second.id, first.id])  // Bcc is indexed
        #expect(try await ids(ArchiveQuery(sender: "HELLO@acme.test")) == [second.id, first.id])
        #expect(try await ids(ArchiveQuery(sender: "Acme <other@acme.test>")) == [])
        #expect(try await ids(ArchiveQuery(providerID: "<1@acme.test>")) == [first.id])
        #expect(try await ids(ArchiveQuery(providerID: "1@acme.test")) == [first.id])
        #expect(try await ids(ArchiveQuery(messageID: second.messageID)) == [second.id])
        #expect(try await ids(ArchiveQuery(limit: 1)) == [second.id])
        #expect(try await ids(ArchiveQuery(before: second.id, limit: 1)) == [first.id])
        #expect(try await ids(ArchiveQuery(before: first.id)) == [])
        #expect(try await ids(ArchiveQuery(limit: 1, offset: 1)) == [first.id])
        #expect(try await store.count(matching: ArchiveQuery(limit: 1)) == 2)
        #expect(try await store.count(matching: ArchiveQuery(tag: "welcome")) == 1)
        for (query, field) in [(ArchiveQuery(limit: 0), "limit"), (ArchiveQuery(offset: -1), "offset"), (ArchiveQuery(before: "x"), "before"), (ArchiveQuery(text: " \" * "), "text")] {
            let error = await #expect(throws: MailroomError.self) { try await store.entries(matching: query) }
            #expect(error?.code == .invalidValue)
            #expect(error?.field == field)
        }
        #expect(try await ids(ArchiveQuery(tag: "receipt")) == [second.id])
        #expect(try await ids(ArchiveQuery(state: .failed)) == [second.id])
        #expect(try await ids(ArchiveQuery(state: .pending)) == [])
        #expect(try await store.count(matching: ArchiveQuery(state: .pending)) == 0)
        #expect(try await ids(ArchiveQuery(since: start.addingTimeInterval(60))) == [second.id])
        #expect(try await ids(ArchiveQuery(until: start.addingTimeInterval(60))) == [first.id])
        #expect(try await ids(ArchiveQuery(id: second.id)) == [second.id])
        #expect(try await store.entries(matching: ArchiveQuery(id: second.id)).first?.failure == "boom")
    }

    @Test("full-text search: every word required, subject matches ranked first, filters and paging apply, any input is safe")
    func search() async throws {
        let directory = try TemporaryDirectory()
        let clock = ArchiveFixtures.Clock()
        let store = try ArchiveFixtures.store(directory, clock: clock)
        func record(subject: String, text: String?, html: String? = nil, tags: [String] = [], outcome: ArchiveOutcome = .outbox) async throws -> ArchiveEntry {
            var email = Email(from: "Acme Billing <billing@acme.test>", to: ["Zoë Adams <zoe@example.com>"], subject: subject)
            email.text = text
            email.html = html
            email.options.tags = tags
            clock.advance(by: 60)
            return try await store.record(try email.renderMIME(), details: ArchiveDetails(email), outcome: outcome, logger: logger)
        }
        let inBody = try await record(subject: "Your statement", text: "The invoice for March is attached. Merci, Café Zoë.", tags: ["billing"])
        let inSubject = try await record(subject: "Invoice March 2026", text: "Thanks for your order.", tags: ["billing"], outcome: .sent(providerID: "<9@acme.test>"))
        let other = try await record(subject: "Invoice April", text: "Due in May.")
        let htmlOnly = try await record(
            subject: "Newsletter", text: nil,
            html: "<html><head><style>.march { color: red }</style></head><body><p>Spring &amp; <b>summer</b> offers</p><script>var hidden = 'kiwi'</script></body></html>"
        )

        func search(_ query: ArchiveQuery) async throws -> [String] { try await store.entries(matching: query).map(\.id) }
        #expect(try await search(ArchiveQuery(text: "invoice march")) == [inSubject.id, inBody.id])
        // In the subject outweighs in the body, whatever the case.
        let invoices = try await search(ArchiveQuery(text: "INVOICE"))
        #expect(Set(invoices.prefix(2)) == [inSubject.id, other.id])
        #expect(invoices.last == inBody.id)
        #expect(try await search(ArchiveQuery(text: "inv* apr*")) == [other.id])
        #expect(try await search(ArchiveQuery(text: "zoe example")).count == 4)  // the recipients' addresses
        #expect(try await search(ArchiveQuery(text: "cafe merci")) == [inBody.id])  // diacritics folded
        #expect(try await search(ArchiveQuery(text: "billing acme")).count == 4)  // the sender
        #expect(try await search(ArchiveQuery(tag: "billing", text: "invoice")) == [inSubject.id, inBody.id])
        #expect(try await search(ArchiveQuery(state: .sent, text: "invoice")) == [inSubject.id])
        #expect(try await search(ArchiveQuery(text: "invoice", limit: 1, offset: 2)) == [inBody.id])
        #expect(try await store.count(matching: ArchiveQuery(text: "invoice", limit: 1)) == 3)
        // The HTML's text is indexed; its style and script are not.
        #expect(try await search(ArchiveQuery(text: "spring summer offers")) == [htmlOnly.id])
        #expect(try await search(ArchiveQuery(text: "kiwi")) == [])
        #expect(try await search(ArchiveQuery(text: "color")) == [])
        // Operators and quotes in what a user types are words, never FTS5 syntax.
        for hostile in ["\"; DROP TABLE messages; --", "AND OR NOT (", "subject:invoice", "NEAR(invoice march)", "\"unterminated", "x' OR '1'='1"] {
            _ = try await search(ArchiveQuery(text: hostile))
        }
        #expect(try await search(ArchiveQuery(text: "subject:invoice")) == [])
        #expect(try await store.count(matching: ArchiveQuery()) == 4)
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

    @Test("1,000 messages archived concurrently are all indexed, once each, and verify")
    func concurrentWriters() async throws {
        let directory = try TemporaryDirectory()
        let clock = ArchiveFixtures.Clock()  // one second: one folder, ids that differ only in their random part
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

        // Another store on the same directory (as another process would open it) sees them all.
        let other = try ArchiveFixtures.store(directory)
        #expect(try await other.count(matching: ArchiveQuery(state: .sent)) == 1_000)
        #expect(try await other.entries(matching: ArchiveQuery(text: "Message 737")).map(\.subject).first == "Message 737")

        let verification = try await ArchiveFixtures.store(directory).verify()
        #expect(verification.checked == 1_000)
        #expect(verification.findings.isEmpty)
        try await store.close()  // before its borrowed pool shuts down
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

    @Test("a send killed before its settle stays pending; verify lists it, a later settle from another store records it")
    func killedBeforeSettle() async throws {
        let directory = try TemporaryDirectory()
        let email = try ArchiveFixtures.email()
        let entry = try await ArchiveFixtures.store(directory).record(try email.renderMIME(), details: ArchiveDetails(email), outcome: nil, logger: logger)
        let reopened = try ArchiveFixtures.store(directory)
        #expect(try await reopened.entries(matching: ArchiveQuery(state: .pending)).map(\.id) == [entry.id])
        let verification = try await reopened.verify()
        #expect(verification.isIntact)
        #expect(verification.findings.map(\.kind) == [.pending])
        #expect(verification.findings.first?.detail == "the send's outcome was never recorded")
        #expect(try await reopened.settle(entry.id, outcome: .failed("the process stopped mid-send"), logger: logger).state == .failed)
        #expect(try await reopened.verify().findings.isEmpty)
    }

    @Test("reindex rebuilds a lost or damaged index from the files alone")
    func reindexFromFiles() async throws {
        let directory = try TemporaryDirectory()
        let clock = ArchiveFixtures.Clock()
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
        #expect(pruned.map(\.id) == recorded.prefix(2).reversed().map(\.id))
        #expect(try await store.entries(matching: ArchiveQuery()).map(\.id) == [recorded[2].id])
        for entry in recorded.prefix(2) {
            #expect(!FileManager.default.fileExists(atPath: ArchiveFixtures.messagePath(entry, in: directory)))
            #expect(!FileManager.default.fileExists(atPath: (ArchiveFixtures.messagePath(entry, in: directory) as NSString).deletingLastPathComponent))
        }
        #expect(try await ArchiveFixtures.store(directory).entries(matching: ArchiveQuery()).map(\.id) == [recorded[2].id])
        #expect(try await store.verify().findings.isEmpty)
        #expect(try await store.prune(olderThan: clock.now.addingTimeInterval(-30 * day)).isEmpty)
    }

    @Test("a prune stopped between its commit and its files leaves orphans verify accepts; the next prune removes them")
    func pruneInterrupted() async throws {
        let directory = try TemporaryDirectory()
        let clock = ArchiveFixtures.Clock()
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

    @Test("when the index cannot be written, every record in the group fails and leaves no message behind")
    func indexFailure() async throws {
        let directory = try TemporaryDirectory()
        let clock = ArchiveFixtures.Clock()
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
