import Foundation
import InMemoryLogging
import Logging
import Mailroom
import MailroomArchive
import MailroomTestSupport
import MailroomTesting
import Testing

@Suite("ArchivingMailer")
struct ArchivingMailerTests {
    let logger = ArchiveFixtures.logger

    @Test("records the message as pending before the send, then sent with the provider's id")
    func recordsBeforeAndAfter() async throws {
        let directory = try TemporaryDirectory()
        let store = try ArchiveFixtures.store(directory)
        let seen = ObservingMailer.SeenStates()
        let mailer = ArchivingMailer(wrapping: ObservingMailer(store: store, seen: seen), store: store)
        let email = try ArchiveFixtures.email()

        let receipt = try await mailer.send(email, logger: logger)

        #expect(seen.all == [[.pending]])
        let entries = try await store.entries(matching: ArchiveQuery())
        #expect(entries.count == 1)
        #expect(entries[0].state == .sent)
        #expect(entries[0].providerID == receipt.id)
        let parsed = try await ParsedMessage.parse(try await store.contents(of: entries[0].id))
        #expect(parsed.header("Subject") == "Welcome, Zoë")
        #expect(parsed.part("text/csv")?.bytes == Array("id,total\n1,9.99\n".utf8))
    }

    @Test("a failed send is recorded as failed with the error, and the error reaches the caller")
    func failedSend() async throws {
        let directory = try TemporaryDirectory()
        let store = try ArchiveFixtures.store(directory)
        let base = InMemoryMailer()
        let rejected = MailroomError(code: .rejected, field: "to", message: "'to' parameter is not a valid address")
        base.script(.fail(rejected))
        let mailer = ArchivingMailer(wrapping: base, store: store)

        let error = await #expect(throws: MailroomError.self) { try await mailer.send(try ArchiveFixtures.email(), logger: logger) }
        #expect(error == rejected)
        let entries = try await store.entries(matching: ArchiveQuery())
        #expect(entries.map(\.state) == [.failed])
        #expect(entries[0].failure == "to: 'to' parameter is not a valid address")
    }

    @Test("a send cancelled while under way is settled as failed, not left pending")
    func cancelledSend() async throws {
        let directory = try TemporaryDirectory()
        let store = try ArchiveFixtures.store(directory)
        let mailer = ArchivingMailer(wrapping: CancellingMailer(), store: store)
        let email = try ArchiveFixtures.email()
        let logger = logger

        let result = await Task { try await mailer.send(email, logger: logger) }.result

        #expect(throws: CancellationError.self) { try result.get() }
        let entries = try await store.entries(matching: ArchiveQuery())
        #expect(entries.map(\.state) == [.failed])
        #expect(entries.first?.failure == "the send was cancelled")
        #expect(entries.first?.revision == 2)
    }

    @Test("a message whose every recipient is suppressed is recorded as suppressed")
    func suppressed() async throws {
        let directory = try TemporaryDirectory()
        let store = try ArchiveFixtures.store(directory)
        let suppressions = InMemorySuppressionStore()
        for address: EmailAddress in ["zoe@example.com", "ops@acme.test", "Audit@Acme.test"] {
            try await suppressions.add(Suppression(kind: .unsubscribe, address: address), logger: logger)
        }
        let base = InMemoryMailer()
        let mailer = ArchivingMailer(wrapping: SuppressingMailer(wrapping: base, store: suppressions), store: store)
        let receipt = try await mailer.send(try ArchiveFixtures.email(), logger: logger)
        #expect(!receipt.wasSent)
        #expect(base.sent.isEmpty)
        #expect(try await store.entries(matching: ArchiveQuery()).map(\.state) == [.suppressed])
    }

    @Test("fail-closed: when the archive cannot record, nothing is sent and the archive's error is thrown")
    func failClosed() async throws {
        let directory = try TemporaryDirectory()
        let store = FailingArchiveStore(base: try ArchiveFixtures.store(directory))
        let base = InMemoryMailer()
        let failures = FailureLog()
        let mailer = ArchivingMailer(wrapping: base, store: store, policy: .failClosed) { await failures.append($0) }
        store.failNext(records: 1)

        let error = await #expect(throws: MailroomError.self) { try await mailer.send(try ArchiveFixtures.email(), logger: logger) }
        #expect(error == FailingArchiveStore.diskFull)
        #expect(base.sent.isEmpty)
        #expect(try await store.entries(matching: ArchiveQuery()).isEmpty)
        #expect(await failures.all.isEmpty)  // the caller has the error; nothing went out

        // The same mailer sends once the archive works again.
        _ = try await mailer.send(try ArchiveFixtures.email(), logger: logger)
        #expect(base.sent.count == 1)
        #expect(try await store.entries(matching: ArchiveQuery()).map(\.state) == [.sent])
    }

    @Test("fail-open: the message is sent, recorded on the second attempt, or reported to the logger and handler")
    func failOpen() async throws {
        let directory = try TemporaryDirectory()
        let store = FailingArchiveStore(base: try ArchiveFixtures.store(directory))
        let base = InMemoryMailer()
        let failures = FailureLog()
        let logs = InMemoryLogHandler()
        let logger = Logger(label: "test", factory: { _ in logs })
        let mailer = ArchivingMailer(wrapping: base, store: store, policy: .failOpen) { await failures.append($0) }

        // The archive fails once: the send goes ahead and the retry after it records the outcome.
        store.failNext(records: 1)
        let first = try await mailer.send(try ArchiveFixtures.email(), logger: logger)
        #expect(base.sent.count == 1)
        let recorded = try await store.entries(matching: ArchiveQuery())
        #expect(recorded.map(\.state) == [.sent])
        #expect(recorded.first?.providerID == first.id)
        #expect(await failures.all.isEmpty)
        #expect(logs.entries.contains { $0.level == .warning && "\($0.message)".contains("sending anyway (fail-open)") })

        // The archive keeps failing: still sent, and the failure is reported once, after the send.
        store.failNext(records: 2)
        let second = try await mailer.send(try ArchiveFixtures.email(), logger: logger)
        #expect(second.wasSent)
        #expect(base.sent.count == 2)
        let reported = await failures.all
        #expect(reported.count == 1)
        #expect(reported.first?.stage == .record)
        #expect(reported.first?.messageWasSent == true)
        #expect(reported.first?.archiveID == nil)
        #expect(reported.first?.error == FailingArchiveStore.diskFull)
        #expect(logs.entries.contains { $0.level == .error && "\($0.message)".contains("archive record failed (message sent)") })
        #expect(try await store.entries(matching: ArchiveQuery()).count == 1)
    }

    @Test("an outcome that cannot be recorded never fails a completed send; the entry stays pending and is reported")
    func settleFailure() async throws {
        for policy in [ArchivePolicy.failClosed, .failOpen] {
            let directory = try TemporaryDirectory()
            let store = FailingArchiveStore(base: try ArchiveFixtures.store(directory))
            let failures = FailureLog()
            let mailer = ArchivingMailer(wrapping: InMemoryMailer(), store: store, policy: policy) { await failures.append($0) }
            store.failNext(settles: 1)
            let receipt = try await mailer.send(try ArchiveFixtures.email(), logger: logger)
            #expect(receipt.wasSent)
            let entries = try await store.entries(matching: ArchiveQuery())
            #expect(entries.map(\.state) == [.pending])
            let reported = await failures.all
            #expect(reported.map(\.stage) == [.settle])
            #expect(reported.first?.archiveID == entries.first?.id)
            #expect(try await store.verify().findings.map(\.kind) == [.pending])
        }
    }

    @Test("a pre-rendered message is archived byte for byte and indexed from its head and envelope")
    func mime() async throws {
        let directory = try TemporaryDirectory()
        let store = try ArchiveFixtures.store(directory)
        let mailer = ArchivingMailer(wrapping: InMemoryMailer(), store: store)
        let bytes = try await ArchiveFixtures.email().renderMIME().collect()
        var envelope = Envelope(recipients: ["Zoe@Example.com"])
        envelope.options.tags = ["mime"]
        _ = try await mailer.sendMIME(MIMEMessage(bytes: bytes), envelope: envelope, logger: logger)
        let entry = try #require(try await store.entries(matching: ArchiveQuery()).first)
        #expect(try await store.contents(of: entry.id) == bytes)
        #expect(entry.from == "Acme <hello@acme.test>")
        #expect(entry.subject.hasPrefix("=?utf-8?"))  // the raw header; Zoë is encoded
        #expect(entry.recipients == ["zoe@example.com"])
        #expect(entry.tags == ["mime"])
        #expect(entry.state == .sent)
    }

    @Test("a batch of 2,500 is archived per request: three messages, each settled")
    func batch() async throws {
        let directory = try TemporaryDirectory()
        let store = try ArchiveFixtures.store(directory)
        let base = InMemoryMailer()
        let mailer = ArchivingMailer(wrapping: base, store: store)
        var email = try ArchiveFixtures.email()
        email.to = []
        email.cc = []
        email.bcc = []
        let batch = BatchEmail(email: email, recipients: try (0..<2_500).map { .init(try EmailAddress("user\($0)@example.com")) })
        let receipts = try await mailer.sendBatch(batch, logger: logger)
        #expect(receipts.count == 3)
        let entries = try await store.entries(matching: ArchiveQuery())
        #expect(entries.map(\.recipients.count).sorted() == [500, 1_000, 1_000])
        #expect(entries.allSatisfy { $0.state == .sent })
        #expect(try await store.entries(matching: ArchiveQuery(recipient: "user2499@example.com")).count == 1)
    }

    @Test("a batch whose second request fails reports the accepted one and archives the failure")
    func batchFailure() async throws {
        let directory = try TemporaryDirectory()
        let store = try ArchiveFixtures.store(directory)
        let base = InMemoryMailer()
        base.script(.succeed)
        base.script(.fail(MailroomError(code: .providerUnavailable, message: "Service Unavailable", isTransient: true)))
        let mailer = ArchivingMailer(wrapping: base, store: store)
        var email = try ArchiveFixtures.email()
        email.to = []
        email.cc = []
        email.bcc = []
        let batch = BatchEmail(email: email, recipients: try (0..<1_500).map { .init(try EmailAddress("user\($0)@example.com")) })
        let error = await #expect(throws: BatchSendError.self) { try await mailer.sendBatch(batch, logger: logger) }
        #expect(error?.receipts.count == 1)
        #expect(error?.failedRequest == 1)
        #expect(error?.unsent.count == 500)
        #expect(try await store.entries(matching: ArchiveQuery()).map(\.state).sorted { $0.name < $1.name } == [.failed, .sent])
    }

    @Test("one line enables the archive from MAILROOM_ARCHIVE_DIR; malformed variables name themselves")
    func environment() async throws {
        let directory = try TemporaryDirectory()
        let base = InMemoryMailer()
        let plain = try base.archivedFromEnvironment([:])
        #expect(plain.base is InMemoryMailer)

        let mailer = try base.archivedFromEnvironment(["MAILROOM_ARCHIVE_DIR": directory.path, "MAILROOM_ARCHIVE_POLICY": "fail-open", "MAILROOM_ARCHIVE_LEVEL": "9"])
        let archiving = try #require(mailer.base as? ArchivingMailer<InMemoryMailer, FileArchiveStore>)
        #expect(archiving.policy == .failOpen)
        #expect(archiving.store.configuration.compressionLevel == 9)
        _ = try await mailer.send(try ArchiveFixtures.email(), logger: logger)
        #expect(try await FileArchiveStore(directory: directory.path).entries(matching: ArchiveQuery()).map(\.state) == [.sent])

        for (name, value) in [("MAILROOM_ARCHIVE_POLICY", "sometimes"), ("MAILROOM_ARCHIVE_LEVEL", "11"), ("MAILROOM_ARCHIVE_LEVEL", "fast")] {
            let error = #expect(throws: MailroomError.self) { try base.archivedFromEnvironment(["MAILROOM_ARCHIVE_DIR": directory.path, name: value]) }
            #expect(error?.field == name)
            #expect(error?.code == .invalidValue)
        }
    }

    @Test("the outbox keeps messages without delivering them; the receipt's id opens the message")
    func outbox() async throws {
        let directory = try TemporaryDirectory()
        let outbox = try OutboxMailer(directory: directory.path)
        let email = try ArchiveFixtures.email()
        let receipt = try await outbox.send(email, logger: logger)
        let id = try #require(receipt.id)
        #expect(receipt.message == "Stored in the local outbox; not delivered.")
        #expect(receipt.accepted == email.recipients)
        let entries = try await outbox.store.entries(matching: ArchiveQuery(id: id))
        #expect(entries.map(\.state) == [.outbox])
        #expect(try await ParsedMessage.parse(try await outbox.store.contents(of: id)).header("Subject") == "Welcome, Zoë")

        var bad = email
        bad.to = []
        bad.cc = []
        bad.bcc = []
        let error = await #expect(throws: MailroomError.self) { try await outbox.send(bad, logger: logger) }
        #expect(error?.field == "to")
        #expect(try await outbox.store.entries(matching: ArchiveQuery()).count == 1)
    }
}

/// Failures handed to the handler, in order.
actor FailureLog {
    private(set) var all: [ArchiveFailure] = []
    func append(_ failure: ArchiveFailure) { all.append(failure) }
}
