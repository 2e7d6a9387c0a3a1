import Foundation
/// Public because `Email` and `EmailAddress` appear in this file's public API.
public import Mailroom
import MailroomArchive

/// The behaviour every `ArchiveStore` must show, as checks to run on a fresh ``ArchiveSubject``
/// each: what is recorded reads back byte for byte, settles, queries, searches, concurrency,
/// damage found on read and by `verify`, prune, and the errors.
///
/// Mailroom runs the same checks on `FileArchiveStore` and on `PostgresArchiveStore`, so that an
/// app can move from one to the other without a difference in behaviour.
///
/// ```swift
/// @Test(arguments: ArchiveConformance.checks)
/// func conforms(check: ArchiveConformanceCheck) async throws {
///     try await check.run(on: makeSubject())
/// }
/// ```
public enum ArchiveConformance {
    /// Every check.
    public static let checks: [ArchiveConformanceCheck] = [
        roundTrip, settle, queries, search, concurrentRecords, corruption, missingBytes, pending, prune, failedWrite, badIDs, empty,
    ]

    /// The message the checks record: Unicode, an HTML alternative, Cc, Bcc, a tag and an
    /// attachment; for a store's own tests too.
    ///
    /// - Parameters:
    ///   - recipient: The To address. Default `Zoë <zoe@example.com>`.
    ///   - subject: The subject. Default `Welcome, Zoë`.
    ///   - tags: The tags. Default `welcome`.
    /// - Returns: The message.
    public static func email(to recipient: EmailAddress = "Zoë <zoe@example.com>", subject: String = "Welcome, Zoë", tags: [String] = ["welcome"]) -> Email {
        var email = Email(from: "Acme <hello@acme.test>", to: [recipient], subject: subject)
        email.cc = ["ops@acme.test"]
        email.bcc = ["Audit@Acme.test"]
        email.text = "Hello from Mailroom.\nÇa va?"
        email.html = "<p>Hello from <b>Mailroom</b>.</p>"
        email.attachments = [.bytes(Array("id,total\n1,9.99\n".utf8), filename: "invoice.csv", contentType: "text/csv")]
        email.options.tags = tags
        return email
    }

    static func record(_ email: Email, in store: any ArchiveStore, outcome: ArchiveOutcome? = nil, context: ConformanceCheck.Context) async throws -> ArchiveEntry {
        try await store.record(try email.renderMIME(), details: ArchiveDetails(email), outcome: outcome, logger: context.logger)
    }

    /// The uncompressed bytes of stored gzip bytes, read independently of the store.
    static func gunzip(_ bytes: [UInt8], id: String) throws -> [UInt8] {
        let reader = try GzipReader(id: id, checking: nil, keepingBytes: true)
        try reader.feed(bytes)
        return try reader.finish()
    }

    static let roundTrip = ArchiveConformanceCheck(name: "a message round-trips byte for byte and is stored as its gzip") { subject, context in
        var email = email()
        // An attachment larger than a write batch, so compression streams in several steps.
        var random = SystemRandomNumberGenerator()
        email.attachments.append(.bytes((0..<700_000).map { _ in UInt8.random(in: 0...255, using: &random) }, filename: "photo.bin"))
        let message = try email.renderMIME()
        let original = try await message.collect()

        let entry = try await subject.store.record(message, details: ArchiveDetails(email), outcome: nil, logger: context.logger)
        try context.expect(try await subject.store.contents(of: entry.id) == original, "contents differ from the message recorded")
        let stored = try await subject.storedBytes(entry.id)
        try context.expect(stored?.prefix(2) == [0x1F, 0x8B], "the stored bytes are not gzip")
        try context.expectEqual(stored?.count, entry.compressedSize, "compressed size")
        try context.expect(try gunzip(stored ?? [], id: entry.id) == original, "the stored gzip does not decompress to the message")
        try context.expectEqual(entry.size, original.count, "size")
        try context.expectEqual(entry.state, .pending, "state")
        try context.expectEqual(entry.revision, 1, "revision")
        try context.expectEqual(entry.messageID, message.messageID, "message id")
        try context.expectEqual(entry.from, "Acme <hello@acme.test>", "from")
        try context.expectEqual(entry.recipients, ["zoe@example.com", "ops@acme.test", "audit@acme.test"], "recipients")
        try context.expectEqual(entry.subject, "Welcome, Zoë", "subject")
        try context.expectEqual(entry.tags, ["welcome"], "tags")
        try context.expectEqual(entry.date, subject.clock.now, "date")
        try context.expect(entry.id.hasPrefix("20261118-110640-"), "the id starts with the recording time: \(entry.id)")
    }

    static let settle = ArchiveConformanceCheck(name: "settling updates the entry; another store on the archive sees the outcome") { subject, context in
        let entry = try await record(email(), in: subject.store, context: context)
        let settled = try await subject.store.settle(entry.id, outcome: .sent(providerID: "<abc@acme.test>"), logger: context.logger)
        try context.expectEqual(settled.state, .sent, "state")
        try context.expectEqual(settled.providerID, "<abc@acme.test>", "provider id")
        try context.expectEqual(settled.revision, 2, "revision")

        let other = try await subject.reopen()
        try context.expectEqual(try await other.entries(matching: ArchiveQuery()), [settled], "entries seen by another store")
        try context.expectEqual(try await other.settle(entry.id, outcome: .failed("bounced later"), logger: context.logger).revision, 3, "revision")
        let failed = try await subject.store.entries(matching: ArchiveQuery(id: entry.id)).first
        try context.expectEqual(failed?.failure, "bounced later", "failure")
        try context.expectEqual(failed?.providerID, "<abc@acme.test>", "the provider id kept by a failure")
        let recorded = try await record(email(), in: subject.store, outcome: .outbox, context: context)
        try context.expectEqual(recorded.state, .outbox, "state of a message recorded with its outcome")
        try context.expectEqual(recorded.revision, 1, "revision of a message recorded with its outcome")
    }

    static let queries = ArchiveConformanceCheck(name: "queries by recipient, sender, date range, tag, state and ids; newest first; pages and counts") { subject, context in
        let store = subject.store
        let start = subject.clock.now
        let first = try await record(email(to: "zoe@example.com", tags: ["welcome"]), in: store, outcome: .sent(providerID: "<1@acme.test>"), context: context)
        subject.clock.advance(by: 3_600)
        let second = try await record(email(to: "bob@example.com", tags: ["receipt"]), in: store, outcome: .failed("boom"), context: context)
        // Recorded in the same second as the second: the order of recording decides.
        let third = try await record(email(to: "cat@example.com", tags: []), in: store, outcome: .outbox, context: context)

        func ids(_ query: ArchiveQuery) async throws -> [String] { try await store.entries(matching: query).map(\.id) }
        try context.expectEqual(try await ids(ArchiveQuery()), [third.id, second.id, first.id], "everything, newest first")
        try context.expectEqual(try await ids(ArchiveQuery(recipient: "ZOE@example.com")), [first.id], "by recipient")
        try context.expectEqual(try await ids(ArchiveQuery(recipient: "audit@acme.test")), [third.id, second.id, first.id], "by Bcc recipient")
        try context.expectEqual(try await ids(ArchiveQuery(sender: "HELLO@acme.test")), [third.id, second.id, first.id], "by sender")
        try context.expectEqual(try await ids(ArchiveQuery(sender: "Acme <other@acme.test>")), [], "by another sender")
        try context.expectEqual(try await ids(ArchiveQuery(providerID: "<1@acme.test>")), [first.id], "by provider id")
        try context.expectEqual(try await ids(ArchiveQuery(providerID: "1@acme.test")), [first.id], "by provider id without brackets")
        try context.expectEqual(try await ids(ArchiveQuery(messageID: second.messageID)), [second.id], "by message id")
        try context.expectEqual(try await ids(ArchiveQuery(limit: 1)), [third.id], "first page")
        try context.expectEqual(try await ids(ArchiveQuery(before: third.id, limit: 1)), [second.id], "the page after a cursor")
        try context.expectEqual(try await ids(ArchiveQuery(before: second.id, limit: 5)), [first.id], "the last page")
        try context.expectEqual(try await ids(ArchiveQuery(before: first.id)), [], "after the oldest")
        try context.expectEqual(try await ids(ArchiveQuery(before: "20200101-000000-000000000000")), [], "after an id not in the store")
        try context.expectEqual(try await ids(ArchiveQuery(limit: 1, offset: 2)), [first.id], "with an offset")
        try context.expectEqual(try await store.count(matching: ArchiveQuery(limit: 1)), 3, "count ignores paging")
        try context.expectEqual(try await store.count(matching: ArchiveQuery(tag: "welcome")), 1, "count by tag")
        try context.expectEqual(try await ids(ArchiveQuery(tag: "receipt")), [second.id], "by tag")
        try context.expectEqual(try await ids(ArchiveQuery(state: .failed)), [second.id], "by state")
        try context.expectEqual(try await ids(ArchiveQuery(state: .pending)), [], "by a state nothing is in")
        try context.expectEqual(try await ids(ArchiveQuery(since: start.addingTimeInterval(60))), [third.id, second.id], "since")
        try context.expectEqual(try await ids(ArchiveQuery(until: start.addingTimeInterval(60))), [first.id], "until")
        try context.expectEqual(try await ids(ArchiveQuery(since: start, until: start.addingTimeInterval(3_600))), [first.id], "a range excludes its end")
        try context.expectEqual(try await ids(ArchiveQuery(id: second.id)), [second.id], "by id")
        try context.expectEqual(try await store.entries(matching: ArchiveQuery(id: second.id)).first?.failure, "boom", "failure")
        let invalid: [(ArchiveQuery, String)] = [
            (ArchiveQuery(limit: 0), "limit"), (ArchiveQuery(offset: -1), "offset"), (ArchiveQuery(before: "x"), "before"),
            (ArchiveQuery(id: "../x"), "id"), (ArchiveQuery(text: " \" * "), "text"),
        ]
        for (query, field) in invalid {
            try await context.expectError(.invalidValue, field: field, "a query with a bad \(field)") { _ = try await store.entries(matching: query) }
            try await context.expectError(.invalidValue, field: field, "a count with a bad \(field)") { _ = try await store.count(matching: query) }
        }
    }

    static let search = ArchiveConformanceCheck(
        name: "full-text search: every word required, subject matches ranked first, filters and paging apply, any input is safe"
    ) { subject, context in
        let store = subject.store
        func record(subject title: String, text: String?, html: String? = nil, tags: [String] = [], outcome: ArchiveOutcome = .outbox) async throws -> ArchiveEntry {
            var email = Email(from: "Acme Billing <billing@acme.test>", to: ["Zoë Adams <zoe@example.com>"], subject: title)
            email.text = text
            email.html = html
            email.options.tags = tags
            subject.clock.advance(by: 60)
            return try await ArchiveConformance.record(email, in: store, outcome: outcome, context: context)
        }
        let inBody = try await record(subject: "Your statement", text: "The invoice for March is attached. Merci, Café Zoë.", tags: ["billing"])
        let inSubject = try await record(subject: "Invoice March 2026", text: "Thanks for your order.", tags: ["billing"], outcome: .sent(providerID: "<9@acme.test>"))
        let other = try await record(subject: "Invoice April", text: "Due in May.")
        let htmlOnly = try await record(
            subject: "Newsletter", text: nil,
            html: "<html><head><style>.march { color: red }</style></head><body><p>Spring &amp; <b>summer</b> offers</p><script>var hidden = 'kiwi'</script></body></html>"
        )

        func search(_ query: ArchiveQuery) async throws -> [String] { try await store.entries(matching: query).map(\.id) }
        try context.expectEqual(try await search(ArchiveQuery(text: "invoice march")), [inSubject.id, inBody.id], "every word, subject first")
        let invoices = try await search(ArchiveQuery(text: "INVOICE"))
        try context.expectEqual(Set(invoices.prefix(2)), [inSubject.id, other.id], "in the subject outweighs in the body, whatever the case")
        try context.expectEqual(invoices.last, inBody.id, "in the body comes last")
        try context.expectEqual(try await search(ArchiveQuery(text: "inv* apr*")), [other.id], "prefixes")
        try context.expectEqual(try await search(ArchiveQuery(text: "zoe example")).count, 4, "the recipients' addresses")
        try context.expectEqual(try await search(ArchiveQuery(text: "cafe merci")), [inBody.id], "diacritics folded")
        try context.expectEqual(try await search(ArchiveQuery(text: "billing acme")).count, 4, "the sender")
        try context.expectEqual(try await search(ArchiveQuery(tag: "billing", text: "invoice")), [inSubject.id, inBody.id], "with a tag")
        try context.expectEqual(try await search(ArchiveQuery(state: .sent, text: "invoice")), [inSubject.id], "with a state")
        try context.expectEqual(try await search(ArchiveQuery(text: "invoice", limit: 1, offset: 2)), [inBody.id], "paged")
        try context.expectEqual(try await store.count(matching: ArchiveQuery(text: "invoice", limit: 1)), 3, "counted")
        try context.expectEqual(try await search(ArchiveQuery(text: "spring summer offers")), [htmlOnly.id], "the HTML's text")
        try context.expectEqual(try await search(ArchiveQuery(text: "kiwi")), [], "not the HTML's script")
        try context.expectEqual(try await search(ArchiveQuery(text: "color")), [], "not the HTML's style")
        // Operators and quotes in what a user types are words, never query syntax.
        for hostile in ["\"; DROP TABLE messages; --", "AND OR NOT (", "NEAR(invoice march)", "\"unterminated", "x' OR '1'='1", "a & b | !c <-> d:*", "it's a back\\slash'"] {
            _ = try await search(ArchiveQuery(text: hostile))
        }
        try context.expectEqual(try await search(ArchiveQuery(text: "subject:invoice")), [], "a column filter is two words")
        try context.expectEqual(try await store.count(matching: ArchiveQuery()), 4, "nothing lost")
    }

    static let concurrentRecords = ArchiveConformanceCheck(name: "1,000 messages recorded and settled concurrently are all there, once each, and verify") { subject, context in
        let store = subject.store
        let email = email()
        let ids = try await withThrowingTaskGroup(of: String.self) { group in
            for index in 0..<1_000 {
                group.addTask {
                    var email = email
                    email.subject = "Message \(index)"
                    let entry = try await record(email, in: store, context: context)
                    return try await store.settle(entry.id, outcome: .sent(providerID: "<\(index)@acme.test>"), logger: context.logger).id
                }
            }
            return try await group.reduce(into: [String]()) { $0.append($1) }
        }
        try context.expectEqual(Set(ids).count, 1_000, "distinct ids")
        let entries = try await store.entries(matching: ArchiveQuery())
        try context.expectEqual(entries.count, 1_000, "entries")
        try context.expect(entries.allSatisfy { $0.state == .sent && $0.revision == 2 }, "every entry settled once")
        try context.expectEqual(Set(entries.map(\.subject)), Set((0..<1_000).map { "Message \($0)" }), "subjects")

        let other = try await subject.reopen()
        try context.expectEqual(try await other.count(matching: ArchiveQuery(state: .sent)), 1_000, "seen by another store")
        try context.expectEqual(try await other.entries(matching: ArchiveQuery(text: "Message 737")).first?.subject, "Message 737", "searched by another store")
        let verification = try await other.verify()
        try context.expectEqual(verification.checked, 1_000, "verified")
        try context.expectEqual(verification.findings, [], "findings")
    }

    static let corruption = ArchiveConformanceCheck(name: "stored bytes flipped, cut short, substituted or extended are found on read and by verify") { subject, context in
        let store = subject.store
        let email = email()
        var entries: [ArchiveEntry] = []
        for index in 0..<5 {
            // Same length, other bytes: the substituted message passes the size check, not the hash.
            let options = MIMERenderOptions(date: Date(timeIntervalSince1970: 1_795_000_000), messageID: "<\(index)@acme.test>", boundary: { "b\($0)" })
            entries.append(try await store.record(try email.renderMIME(options: options), details: ArchiveDetails(email), outcome: .outbox, logger: context.logger))
        }
        func stored(_ entry: ArchiveEntry) async throws -> [UInt8] {
            guard let bytes = try await subject.storedBytes(entry.id) else {
                throw ConformanceFailure(check: "corruption", implementation: subject.name, message: "no stored bytes for \(entry.id)")
            }
            return bytes
        }
        var flipped = try await stored(entries[0])
        flipped[flipped.count / 2] ^= 0x10
        try await subject.replaceStoredBytes(entries[0].id, flipped)
        try await subject.replaceStoredBytes(entries[1].id, Array(try await stored(entries[1]).dropLast(20)))
        try await subject.replaceStoredBytes(entries[2].id, try await stored(entries[3]))
        try await subject.replaceStoredBytes(entries[4].id, try await stored(entries[4]) + Array("trailing".utf8))

        let damaged = [entries[0], entries[1], entries[2], entries[4]]
        for entry in damaged {
            do {
                _ = try await store.contents(of: entry.id)
                try context.expect(false, "damaged \(entry.id) was read without an error")
            } catch let error as MailroomError {
                try context.expectEqual(error.code, .corrupted, "code")
                try context.expectEqual(error.field, "id", "field")
                try context.expect(error.message.contains(entry.id), "the error names the id: \(error.message)")
            }
        }
        try context.expectEqual(try await store.contents(of: entries[3].id).count, entries[3].size, "the intact message reads")

        let verification = try await store.verify()
        try context.expectEqual(verification.checked, 5, "checked")
        try context.expect(!verification.isIntact, "verify finds the damage")
        try context.expectEqual(verification.damage.map(\.kind), [.corrupt, .corrupt, .corrupt, .corrupt], "damage")
        try context.expectEqual(Set(verification.damage.compactMap(\.id)), Set(damaged.map(\.id)), "damaged ids")
        try context.expect(verification.damage.first { $0.id == entries[2].id }?.detail.contains("SHA-256") == true, "a substitution fails the hash")
        try context.expect(
            verification.damage.first { $0.id == entries[4].id }?.detail.contains("after the end of its gzip stream") == true, "trailing bytes are found"
        )
    }

    static let missingBytes = ArchiveConformanceCheck(name: "a message whose stored bytes are gone is damage: read fails and verify reports it missing") { subject, context in
        let gone = try await record(email(), in: subject.store, outcome: .outbox, context: context)
        let kept = try await record(email(), in: subject.store, outcome: .outbox, context: context)
        try await subject.replaceStoredBytes(gone.id, nil)
        try await context.expectError(.corrupted, field: "id", "reading a message without its bytes") { _ = try await subject.store.contents(of: gone.id) }
        let verification = try await subject.store.verify()
        try context.expectEqual(verification.checked, 1, "checked")
        try context.expectEqual(verification.damage.map(\.kind), [.missing], "damage")
        try context.expectEqual(verification.damage.first?.id, gone.id, "the missing id")
        try context.expectEqual(try await subject.store.contents(of: kept.id).count, kept.size, "the other message reads")
    }

    static let pending = ArchiveConformanceCheck(name: "a send never settled stays pending: verify lists it, and another store can settle it later") { subject, context in
        let entry = try await record(email(), in: subject.store, context: context)
        let verification = try await subject.store.verify()
        try context.expect(verification.isIntact, "pending is not damage")
        try context.expectEqual(verification.findings.map(\.kind), [.pending], "findings")
        try context.expectEqual(verification.findings.first?.id, entry.id, "the pending id")
        let other = try await subject.reopen()
        try context.expectEqual(try await other.count(matching: ArchiveQuery(state: .pending)), 1, "pending seen by another store")
        _ = try await other.settle(entry.id, outcome: .sent(providerID: "<late@acme.test>"), logger: context.logger)
        try context.expectEqual(try await subject.store.verify().findings, [], "findings once settled")
    }

    static let prune = ArchiveConformanceCheck(name: "prune removes the messages recorded before the cut-off and their bytes, newest first, once") { subject, context in
        let day: TimeInterval = 86_400
        var recorded: [ArchiveEntry] = []
        for _ in 0..<3 {
            recorded.append(try await record(email(), in: subject.store, outcome: .outbox, context: context))
            subject.clock.advance(by: 20 * day)
        }
        // Now is 60 days after the first; 30 days back keeps only the last.
        let cutoff = subject.clock.now.addingTimeInterval(-30 * day)
        let pruned = try await subject.store.prune(olderThan: cutoff)
        try context.expectEqual(pruned.map(\.id), recorded.prefix(2).reversed().map(\.id), "pruned")
        try context.expectEqual(try await subject.store.entries(matching: ArchiveQuery()).map(\.id), [recorded[2].id], "kept")
        for entry in recorded.prefix(2) {
            try context.expect(try await subject.storedBytes(entry.id) == nil, "the bytes of pruned \(entry.id) are gone")
        }
        try context.expect(try await subject.storedBytes(recorded[2].id) != nil, "the kept message's bytes stay")
        try context.expectEqual(try await subject.reopen().entries(matching: ArchiveQuery()).map(\.id), [recorded[2].id], "kept, seen by another store")
        try context.expectEqual(try await subject.store.verify().findings, [], "findings")
        try context.expectEqual(try await subject.store.prune(olderThan: cutoff), [], "a second prune")
    }

    static let failedWrite = ArchiveConformanceCheck(name: "a message that fails part-way through its bytes leaves no entry and no bytes") { subject, context in
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mailroom-conformance-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("report.bin")
        try Data(repeating: 7, count: 300_000).write(to: file)
        var email = email()
        email.attachments = [try .file(at: file.path)]
        let message = try email.renderMIME()
        try FileManager.default.removeItem(at: file)  // gone between rendering and streaming

        try await context.expectError(.attachmentUnreadable, "recording a message whose attachment vanished") {
            _ = try await subject.store.record(message, details: ArchiveDetails(email), outcome: nil, logger: context.logger)
        }
        try context.expectEqual(try await subject.store.count(matching: ArchiveQuery()), 0, "entries")
        try context.expectEqual(try await subject.store.verify(), ArchiveVerification(checked: 0, findings: []), "verification")
    }

    static let badIDs = ArchiveConformanceCheck(name: "ids are checked before anything is read; unknown ids are not found") { subject, context in
        for id in ["../../etc/passwd", "20261121-093000-XYZ", "", "20261121-093000-4f1c2a9e7b3d' OR '1'='1"] {
            try await context.expectError(.invalidValue, field: "id", "reading '\(id)'") { _ = try await subject.store.contents(of: id) }
            try await context.expectError(.invalidValue, field: "id", "settling '\(id)'") {
                _ = try await subject.store.settle(id, outcome: .suppressed, logger: context.logger)
            }
        }
        let unknown = "20261121-093000-4f1c2a9e7b3d"
        try await context.expectError(.notFound, field: "id", "settling an unknown id") {
            _ = try await subject.store.settle(unknown, outcome: .suppressed, logger: context.logger)
        }
        try await context.expectError(.notFound, field: "id", "reading an unknown id") { _ = try await subject.store.contents(of: unknown) }
    }

    static let empty = ArchiveConformanceCheck(name: "an archive never written lists, counts, verifies and prunes nothing") { subject, context in
        try context.expectEqual(try await subject.store.entries(matching: ArchiveQuery()), [], "entries")
        try context.expectEqual(try await subject.store.count(matching: ArchiveQuery(text: "anything")), 0, "count")
        try context.expectEqual(try await subject.store.verify(), ArchiveVerification(checked: 0, findings: []), "verification")
        try context.expectEqual(try await subject.store.prune(olderThan: subject.clock.now), [], "prune")
    }
}
