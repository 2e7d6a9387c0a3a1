import Foundation
import Logging
import Mailroom
import MailroomArchive

/// A store that fails on command, in front of a real one: the disk-full archive of the policy tests.
final class FailingArchiveStore: ArchiveStore, @unchecked Sendable {
    // Lock-guarded switches, flipped by the test between sends.
    private let lock = NSLock()
    private var failRecords = 0
    private var failSettles = 0
    let base: FileArchiveStore

    static let diskFull = MailroomError(code: .storage, field: "archive", message: "could not write: No space left on device")

    init(base: FileArchiveStore) { self.base = base }

    /// Fails the next `count` records (and settles).
    func failNext(records: Int = 0, settles: Int = 0) {
        lock.withLock {
            failRecords = records
            failSettles = settles
        }
    }

    private func shouldFail(_ keyPath: ReferenceWritableKeyPath<FailingArchiveStore, Int>) -> Bool {
        lock.withLock {
            guard self[keyPath: keyPath] > 0 else { return false }
            self[keyPath: keyPath] -= 1
            return true
        }
    }

    func record(_ message: MIMEMessage, details: ArchiveDetails, outcome: ArchiveOutcome?, logger: Logger) async throws -> ArchiveEntry {
        if shouldFail(\.failRecords) { throw Self.diskFull }
        return try await base.record(message, details: details, outcome: outcome, logger: logger)
    }

    func settle(_ id: String, outcome: ArchiveOutcome, logger: Logger) async throws -> ArchiveEntry {
        if shouldFail(\.failSettles) { throw Self.diskFull }
        return try await base.settle(id, outcome: outcome, logger: logger)
    }

    func entries(matching query: ArchiveQuery) async throws -> [ArchiveEntry] { try await base.entries(matching: query) }
    func count(matching query: ArchiveQuery) async throws -> Int { try await base.count(matching: query) }
    func contents(of id: String) async throws -> [UInt8] { try await base.contents(of: id) }
    func verify() async throws -> ArchiveVerification { try await base.verify() }
    func prune(olderThan date: Date) async throws -> [ArchiveEntry] { try await base.prune(olderThan: date) }
}

/// A mailer that looks at the archive while it "sends", to prove the message was recorded first.
struct ObservingMailer: Mailer {
    let store: any ArchiveStore
    let seen: SeenStates

    final class SeenStates: @unchecked Sendable {
        // Lock-guarded list appended from the send.
        private let lock = NSLock()
        private var states: [[ArchiveState]] = []
        func append(_ value: [ArchiveState]) { lock.withLock { states.append(value) } }
        var all: [[ArchiveState]] { lock.withLock { states } }
    }

    func send(_ email: Email, logger: Logger) async throws -> SendReceipt {
        seen.append(try await store.entries(matching: ArchiveQuery()).map(\.state))
        return SendReceipt(id: "<observed@acme.test>", message: "Queued. Thank you.", accepted: email.recipients)
    }

    func sendMIME(_ message: MIMEMessage, envelope: Envelope, logger: Logger) async throws -> SendReceipt {
        seen.append(try await store.entries(matching: ArchiveQuery()).map(\.state))
        return SendReceipt(id: "<observed@acme.test>", message: "Queued. Thank you.", accepted: envelope.recipients)
    }

    func sendBatch(_ batch: BatchEmail, logger: Logger) async throws -> [SendReceipt] {
        [try await send(batch.requestEmail, logger: logger)]
    }
}

/// A mailer whose send is cancelled while under way: it cancels its caller's task and throws
/// `CancellationError`, as a send does whose request was cancelled.
struct CancellingMailer: Mailer {
    func send(_ email: Email, logger: Logger) async throws -> SendReceipt {
        withUnsafeCurrentTask { $0?.cancel() }
        throw CancellationError()
    }

    func sendMIME(_ message: MIMEMessage, envelope: Envelope, logger: Logger) async throws -> SendReceipt {
        withUnsafeCurrentTask { $0?.cancel() }
        throw CancellationError()
    }

    func sendBatch(_ batch: BatchEmail, logger: Logger) async throws -> [SendReceipt] {
        [try await send(batch.requestEmail, logger: logger)]
    }
}
