import Benchmark
import Foundation
import Mailroom

/// Render throughput and memory for a message with a 10 MB attachment, from a file (streamed) and
/// from bytes in memory. Each iteration consumes the stream chunk by chunk, as a sender would.
let benchmarks: @Sendable () -> Void = {
    let attachmentSize = 10 * 1024 * 1024
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mailroom-benchmarks")
    try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let path = directory.appendingPathComponent("attachment-10MB.bin").path
    var generator = SystemRandomNumberGenerator()
    let content = (0..<attachmentSize).map { _ in UInt8.random(in: 0...255, using: &generator) }
    FileManager.default.createFile(atPath: path, contents: Data(content))

    func message(with attachment: Attachment) -> Email {
        var email = Email(from: "Acme <hello@acme.test>", to: ["bob@example.com"], subject: "Your invoice", text: "Attached.", html: "<p>Attached.</p>")
        email.attachments = [attachment]
        return email
    }

    let configuration = Benchmark.Configuration(
        metrics: [.wallClock, .throughput, .mallocCountTotal, .peakMemoryResident, .memoryLeaked],
        scalingFactor: .one,
        maxDuration: .seconds(10),
        maxIterations: 20
    )

    Benchmark("Render 10 MB file attachment (streamed)", configuration: configuration) { benchmark in
        let email = message(with: try .file(at: path))
        for _ in benchmark.scaledIterations {
            var total = 0
            for try await chunk in try email.renderMIME() { total += chunk.count }
            blackHole(total)
        }
    }

    Benchmark("Render 10 MB in-memory attachment", configuration: configuration) { benchmark in
        let email = message(with: .bytes(content, filename: "attachment.bin"))
        for _ in benchmark.scaledIterations {
            var total = 0
            for try await chunk in try email.renderMIME() { total += chunk.count }
            blackHole(total)
        }
    }

    Benchmark("Render small text + HTML message", configuration: .init(metrics: [.wallClock, .throughput, .mallocCountTotal], maxIterations: 10_000)) { benchmark in
        let email = message(with: .bytes(Array("a,b\n1,2\n".utf8), filename: "data.csv"))
        for _ in benchmark.scaledIterations {
            blackHole(try await email.renderMIME().collect())
        }
    }
}
