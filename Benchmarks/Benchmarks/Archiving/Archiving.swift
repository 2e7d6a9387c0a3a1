import Benchmark
import BenchmarkSupport
import Foundation
import Logging
import Mailroom
import MailroomArchive
import MailroomTesting
import NIOPosix

/// The archive's cost: sending through `ArchivingMailer` + `FileArchiveStore` against the same
/// in-memory mailer without it (per-message overhead: the synced message file and its folder, the
/// group-committed index row and outcome), and compressing one 10 MB message into the store against `gzip -6` on
/// the same bytes.
let benchmarks: @Sendable () -> Void = {
    let messagesPerIteration = 256
    let email = Email(
        from: "Acme <hello@acme.test>",
        to: ["bob@example.com"],
        subject: "Your receipt",
        text: String(repeating: "Thank you for your order. Your receipt is attached. ", count: 40),
        html: "<p>" + String(repeating: "Thank you for your order. Your receipt is attached. ", count: 40) + "</p>"
    )
    let sendConfiguration = Benchmark.Configuration(metrics: [.wallClock, .mallocCountTotal], maxDuration: .seconds(20), maxIterations: 10)

    for concurrency in [1, 16] {
        Benchmark("Send \(messagesPerIteration) messages, in-memory mailer, concurrency \(concurrency)", configuration: sendConfiguration) { benchmark in
            for _ in benchmark.scaledIterations {
                let mailer = InMemoryMailer()
                benchmark.startMeasurement()
                try await send(email, count: messagesPerIteration, concurrency: concurrency, through: mailer)
                benchmark.stopMeasurement()
            }
        }

        Benchmark("Send \(messagesPerIteration) messages, archived (level 6), concurrency \(concurrency)", configuration: sendConfiguration) { benchmark in
            for _ in benchmark.scaledIterations {
                let directory = temporaryDirectory()
                defer { try? FileManager.default.removeItem(atPath: directory) }
                let mailer = ArchivingMailer(wrapping: InMemoryMailer(), store: try FileArchiveStore(directory: directory))
                benchmark.startMeasurement()
                try await send(email, count: messagesPerIteration, concurrency: concurrency, through: mailer)
                benchmark.stopMeasurement()
            }
        }
    }

    Benchmark("Send \(messagesPerIteration) messages, archived (level 6, 16-thread pool), concurrency 16", configuration: sendConfiguration) { benchmark in
        let pool = NIOThreadPool(numberOfThreads: 16)
        pool.start()
        for _ in benchmark.scaledIterations {
            let directory = temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let store = try FileArchiveStore(directory: directory, configuration: .init(threadPool: pool))
            let mailer = ArchivingMailer(wrapping: InMemoryMailer(), store: store)
            benchmark.startMeasurement()
            try await send(email, count: messagesPerIteration, concurrency: 16, through: mailer)
            benchmark.stopMeasurement()
        }
        try await pool.shutdownGracefully()
    }

    // One 10 MB message: text and HTML, a 4 MB CSV (compressible) and a 6 MB binary file (not).
    let compressConfiguration = Benchmark.Configuration(metrics: [.wallClock, .peakMemoryResident], maxDuration: .seconds(30), maxIterations: 10)
    let fixtures = FileManager.default.temporaryDirectory.appendingPathComponent("mailroom-benchmark-archive").path
    let messagePath = (fixtures as NSString).appendingPathComponent("message.eml")

    Benchmark("Compress a 10 MB message into FileArchiveStore (level 6, synced)", configuration: compressConfiguration) { benchmark in
        let bytes = try await tenMegabyteMessage(in: fixtures, writingTo: messagePath)
        for _ in benchmark.scaledIterations {
            let directory = temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let store = try FileArchiveStore(directory: directory)
            let details = ArchiveDetails(from: "hello@acme.test", recipients: ["bob@example.com"], subject: "Big")
            benchmark.startMeasurement()
            blackHole(try await store.record(MIMEMessage(bytes: bytes), details: details, outcome: .outbox, logger: Logger(label: "benchmark")))
            benchmark.stopMeasurement()
        }
    }

    Benchmark("Compress the same 10 MB with gzip -6 (subprocess, to a file)", configuration: compressConfiguration) { benchmark in
        _ = try await tenMegabyteMessage(in: fixtures, writingTo: messagePath)
        for _ in benchmark.scaledIterations {
            let output = temporaryDirectory() + ".gz"
            defer { try? FileManager.default.removeItem(atPath: output) }
            FileManager.default.createFile(atPath: output, contents: nil)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", "exec gzip -6 -c \"$0\" > \"$1\"", messagePath, output]
            benchmark.startMeasurement()
            try process.run()
            process.waitUntilExit()
            benchmark.stopMeasurement()
        }
    }
}

private func send(_ email: Email, count: Int, concurrency: Int, through mailer: some Mailer) async throws {
    try await withThrowingTaskGroup(of: Void.self) { group in
        for worker in 0..<concurrency {
            group.addTask {
                for _ in stride(from: worker, to: count, by: concurrency) { blackHole(try await mailer.send(email)) }
            }
        }
        try await group.waitForAll()
    }
}

private func temporaryDirectory() -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("mailroom-benchmark-\(UUID().uuidString)").path
}

/// Renders the 10 MB message once, writes it to `path` for gzip, and returns its bytes.
private func tenMegabyteMessage(in directory: String, writingTo path: String) async throws -> [UInt8] {
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    let binary = (directory as NSString).appendingPathComponent("binary.bin")
    writeFixture(at: binary, size: 6 * 1024 * 1024)
    var csv = "order,customer,amount,currency,status\n"
    var index = 0
    while csv.utf8.count < 4 * 1024 * 1024 {
        csv += "\(100_000 + index),customer-\(index % 997)@example.com,\(index % 500).\(index % 100),EUR,\(index % 3 == 0 ? "paid" : "pending")\n"
        index += 1
    }
    var email = Email(from: "hello@acme.test", to: ["bob@example.com"], subject: "Big", text: "Your export.", html: "<p>Your export.</p>")
    email.attachments = [
        .bytes(Array(csv.utf8), filename: "orders.csv", contentType: "text/csv"),
        try .file(at: binary, filename: "archive.bin", contentType: "application/octet-stream"),
    ]
    let bytes = try await email.renderMIME(options: .init(date: Date(timeIntervalSince1970: 1_795_000_000), messageID: "<big@acme.test>")).collect()
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    return bytes
}
