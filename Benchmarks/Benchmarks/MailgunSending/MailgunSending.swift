import AsyncHTTPClient
import Benchmark
import BenchmarkSupport
import Foundation
import Hummingbird
import Logging
import MailgunMock
import Mailroom
import MailroomMailgun

/// Sending through `MailgunMailer` over loopback: messages per second at concurrency 1, 16 and 64
/// against MailgunMock (which parses, renders and stores every message), and the client's peak
/// memory while uploading a 20 MB file attachment to a server that discards what it reads.
let benchmarks: @Sendable () -> Void = {
    let key = "key-benchmark"
    let messagesPerIteration = 256

    for concurrency in [1, 16, 64] {
        Benchmark(
            "Send \(messagesPerIteration) small messages, concurrency \(concurrency)",
            configuration: .init(metrics: [.wallClock, .mallocCountTotal], maxDuration: .seconds(20), maxIterations: 10)
        ) { benchmark in
            try await MailgunMock.withRunning(.init(apiKeys: [key], domains: ["acme.test"])) { mock in
                let mailer = MailgunMailer(configuration: try MailgunConfiguration(apiKey: key, region: .custom(mock.baseURL), domain: "acme.test"))
                let email = Email(from: "Acme <hello@acme.test>", to: ["bob@example.com"], subject: "Hello", text: "Hi", html: "<p>Hi</p>")
                for _ in benchmark.scaledIterations {
                    await mock.reset()
                    benchmark.startMeasurement()
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        for worker in 0..<concurrency {
                            group.addTask {
                                for _ in stride(from: worker, to: messagesPerIteration, by: concurrency) {
                                    blackHole(try await mailer.send(email))
                                }
                            }
                        }
                        try await group.waitForAll()
                    }
                    benchmark.stopMeasurement()
                }
            }
        }
    }

    let memory = Benchmark.Configuration(metrics: [.wallClock, .peakMemoryResident, .mallocCountTotal], maxDuration: .seconds(20), maxIterations: 5)

    Benchmark("Send a small message to a discarding server (memory baseline)", configuration: memory) { benchmark in
        try await withDiscardingServer { baseURL in
            let mailer = MailgunMailer(configuration: try MailgunConfiguration(apiKey: key, region: .custom(baseURL), domain: "acme.test"))
            let email = Email(from: "hello@acme.test", to: ["bob@example.com"], subject: "Hello", text: "Hi")
            for _ in benchmark.scaledIterations { blackHole(try await mailer.send(email)) }
        }
    }

    Benchmark("Send a 20 MB file attachment to a discarding server", configuration: memory) { benchmark in
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("mailroom-benchmark-20MB.bin").path
        writeFixture(at: path, size: 20 * 1024 * 1024)
        try await withDiscardingServer { baseURL in
            let mailer = MailgunMailer(configuration: try MailgunConfiguration(apiKey: key, region: .custom(baseURL), domain: "acme.test"))
            var email = Email(from: "hello@acme.test", to: ["bob@example.com"], subject: "Big", text: "Attached")
            email.attachments = [try .file(at: path)]
            for _ in benchmark.scaledIterations { blackHole(try await mailer.send(email)) }
        }
    }
}

/// A Mailgun-shaped server that reads each request body chunk by chunk and throws it away.
func withDiscardingServer(_ body: (String) async throws -> Void) async throws {
    let router = Router()
    router.post("/v3/:domain/messages") { request, _ -> Response in
        var received = 0
        for try await chunk in request.body { received += chunk.readableBytes }
        let json = #"{"id":"<\#(received)@acme.test>","message":"Queued. Thank you."}"#
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: json)))
    }
    let (started, continuation) = AsyncStream<Int>.makeStream()
    let app = Application(
        router: router,
        configuration: .init(address: .hostname("127.0.0.1", port: 0)),
        onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? 0) },
        logger: Logger(label: "discard", factory: { _ in SwiftLogNoOpLogHandler() })
    )
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await app.runService(gracefulShutdownSignals: []) }
        var ports = started.makeAsyncIterator()
        guard let port = await ports.next() else { return }
        try await body("http://127.0.0.1:\(port)")
        group.cancelAll()
    }
}
