import Benchmark
import BenchmarkSupport
import Foundation
import Mailroom

/// Render throughput, allocations and peak memory for a message with a 10 MB attachment, streamed
/// from a file and from bytes in memory, against a small message as the memory baseline. Each
/// iteration consumes the stream chunk by chunk, as a sender would.
let benchmarks: @Sendable () -> Void = {
    let attachmentSize = 10 * 1024 * 1024
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("mailroom-benchmark-10MB.bin").path
    writeFixture(at: path, size: attachmentSize)

    func message(with attachment: Attachment) -> Email {
        var email = Email(from: "Acme <hello@acme.test>", to: ["bob@example.com"], subject: "Your invoice", text: "Attached.", html: "<p>Attached.</p>")
        email.attachments = [attachment]
        return email
    }

    func consume(_ email: Email) async throws {
        var total = 0
        for try await chunk in try email.renderMIME() { total += chunk.count }
        blackHole(total)
    }

    let large = Benchmark.Configuration(
        metrics: [.wallClock, .throughput, .mallocCountTotal, .peakMemoryResident],
        maxDuration: .seconds(10),
        maxIterations: 20
    )

    Benchmark("Render small message (memory baseline)", configuration: large) { benchmark in
        let email = message(with: .bytes(Array("a,b\n1,2\n".utf8), filename: "data.csv"))
        for _ in benchmark.scaledIterations { try await consume(email) }
    }

    Benchmark("Render 10 MB file attachment (streamed)", configuration: large) { benchmark in
        let email = message(with: try .file(at: path))
        for _ in benchmark.scaledIterations { try await consume(email) }
    }

    Benchmark("Render 10 MB in-memory attachment", configuration: large) { benchmark in
        let bytes = [UInt8](FileManager.default.contents(atPath: path) ?? Data())
        let email = message(with: .bytes(bytes, filename: "attachment.bin"))
        for _ in benchmark.scaledIterations { try await consume(email) }
    }

    Benchmark(
        "Render small text + HTML message",
        configuration: .init(metrics: [.wallClock, .throughput, .mallocCountTotal], maxIterations: 10_000)
    ) { benchmark in
        let email = message(with: .bytes(Array("a,b\n1,2\n".utf8), filename: "data.csv"))
        for _ in benchmark.scaledIterations { blackHole(try await email.renderMIME().collect()) }
    }
}
