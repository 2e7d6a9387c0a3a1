import ArgumentParser
import Foundation
import Logging
import Mailroom
import MailroomArchive
import MailroomPostgres
import Synchronization

/// `archive-load`: a sender the PostgreSQL archive tests run as processes (two at once, killed
/// with SIGKILL, or across a server restart). It sends `--count` messages through an
/// `ArchivingMailer` into the archive at `--url`, `--concurrency` at a time, and prints a line per
/// message as its send returns: `sent SUBJECT` or `refused SUBJECT CODE`; archive failures a send
/// survived as `archive-failure STAGE ID`; at the end `attempted N`, the sends it started, and
/// `delivered N`, what reached the (counting) provider. With `--until-stdin-closes` it stops
/// starting sends when its standard input ends, so that a test decides when it has seen enough.
@main
struct ArchiveLoad: AsyncParsableCommand {
    @Option var url: String
    @Option var schema: String
    @Option var prefix: String
    @Option var count: Int
    @Option var concurrency = 16
    @Option var policy = "fail-closed"
    @Option(name: .customLong("send-delay-ms")) var sendDelay = 0
    @Option(name: .customLong("query-timeout-ms")) var queryTimeout = 30_000
    @Flag(name: .customLong("until-stdin-closes")) var untilStdinCloses = false

    func run() async throws {
        let logger = Logger(label: "archive-load", factory: { _ in SwiftLogNoOpLogHandler() })
        let policy = try ArchivePolicy.named(policy)
        let provider = CountingMailer(delay: .milliseconds(sendDelay))
        let output = Output()
        let (prefix, count, concurrency) = (self.prefix, self.count, self.concurrency)
        let stop = StopSignal()
        if untilStdinCloses { stop.raiseAtEndOfStandardInput() }
        let attempted = Counter()
        try await PostgresArchiveStore.withStore(url: try PostgresURL(url), configuration: .init(schema: schema, queryTimeout: .milliseconds(queryTimeout)), logger: logger) { store in
            let mailer = ArchivingMailer(wrapping: provider, store: store, policy: policy) { failure in
                output.line("archive-failure \(failure.stage) \(failure.archiveID ?? "-")")
            }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<count {
                    if index >= concurrency { try await group.next() }
                    if stop.isRaised { break }
                    _ = attempted.increment()
                    group.addTask {
                        let subject = "\(prefix)-\(index)"
                        let email = Email(from: "Load <load@acme.test>", to: [try EmailAddress("r\(index)@example.com", field: "to")], subject: subject, text: "Message \(index) of \(prefix).")
                        do {
                            _ = try await mailer.send(email, logger: logger)
                            output.line("sent \(subject)")
                        } catch let error as MailroomError {
                            output.line("refused \(subject) \(error.code)")
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
        output.line("attempted \(attempted.value)")
        output.line("delivered \(provider.delivered)")
    }
}

/// A provider that accepts everything after `delay` and counts what it accepted.
struct CountingMailer: Mailer {
    let delay: Duration
    private let count = Counter()

    var delivered: Int { count.value }

    func send(_ email: Email, logger: Logger) async throws -> SendReceipt {
        if delay > .zero { try await Task.sleep(for: delay) }
        return SendReceipt(id: "<\(count.increment())@load.test>", message: "Queued. Thank you.", accepted: email.recipients)
    }

    func sendMIME(_ message: MIMEMessage, envelope: Envelope, logger: Logger) async throws -> SendReceipt {
        SendReceipt(id: "<\(count.increment())@load.test>", message: "Queued. Thank you.", accepted: envelope.recipients)
    }

    func sendBatch(_ batch: BatchEmail, logger: Logger) async throws -> [SendReceipt] {
        var receipts: [SendReceipt] = []
        for chunk in batch.chunked() { receipts.append(try await send(chunk.requestEmail, logger: logger)) }
        return receipts
    }
}

/// A count shared by the sending tasks.
final class Counter: Sendable {
    private let state = Mutex(0)
    var value: Int { state.withLock { $0 } }
    func increment() -> Int { state.withLock { $0 += 1; return $0 } }
}

/// Lines on stdout, written whole and at once, so that a process killed mid-burst leaves only
/// complete lines behind.
final class Output: Sendable {
    private let lock = Mutex(())
    func line(_ text: String) {
        lock.withLock { _ in FileHandle.standardOutput.write(Data((text + "\n").utf8)) }
    }
}

/// Raised when standard input ends, read on a thread of its own (a blocking read must not hold
/// one of the concurrency pool's threads).
final class StopSignal: Sendable {
    private let raised = Atomic(false)
    var isRaised: Bool { raised.load(ordering: .acquiring) }

    func raiseAtEndOfStandardInput() {
        Thread.detachNewThread { [self] in
            _ = FileHandle.standardInput.readDataToEndOfFile()
            raised.store(true, ordering: .releasing)
        }
    }
}
