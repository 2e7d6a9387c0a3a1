import AsyncHTTPClient
import Benchmark
import Crypto
import Foundation
import Hummingbird
import Logging
import MailgunMock
import Mailroom
import MailroomHummingbird
import MailroomMailgun
import MailroomSQLite
import NIOCore
import ServiceLifecycle

/// The suppression mirror against Mailgun, side by side in one run: the pre-send look-up of a
/// 1,000-recipient batch from the SQLite mirror and from Mailgun's API (MailgunMock on loopback,
/// three requests per recipient), and the webhook receiver's throughput into SQLite next to the
/// bare HMAC-SHA256 it must compute per event.
let benchmarks: @Sendable () -> Void = {
    let key = "key-benchmark"
    let signingKey = "whsec-benchmark"
    let logger = Logger(label: "benchmark", factory: { _ in SwiftLogNoOpLogHandler() })
    let batch = (0..<1_000).map { EmailAddress(stringLiteral: "r\($0)@example.com") }
    // One in ten recipients is suppressed: bounces, complaints and tag unsubscribes mixed.
    let listed: [Suppression] = batch.enumerated().compactMap { index, address in
        switch index % 30 {
        case 0: .bounce(address)
        case 10: .complaint(address)
        case 20: .unsubscribe(address, tags: ["news"])
        default: nil
        }
    }
    let fast = Benchmark.Configuration(metrics: [.wallClock, .mallocCountTotal], maxDuration: .seconds(20), maxIterations: 30)
    let slow = Benchmark.Configuration(metrics: [.wallClock], maxDuration: .seconds(20), maxIterations: 3)

    /// Only the look-ups are measured, not opening and filling the store.
    func measureLookUps(_ store: some SuppressionStore, _ benchmark: Benchmark) async throws {
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            let verdicts = try await store.suppressions(for: batch, taggedWith: ["news"], logger: logger)
            precondition(verdicts.compactMap { $0 }.count == listed.count)
            blackHole(verdicts)
        }
        benchmark.stopMeasurement()
    }

    Benchmark("Pre-send look-up of 1,000 recipients: SQLite mirror (one query)", configuration: fast) { benchmark in
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mailroom-benchmark-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await SQLiteSuppressionStore.withStore(path: directory + "/suppressions.sqlite") { store in
            for kind in Suppression.Kind.all { try await store.add(contentsOf: listed.filter { $0.kind == kind }, logger: logger) }
            // Background entries so the index is not trivially small.
            try await store.add(contentsOf: (0..<20_000).map { .bounce(EmailAddress(stringLiteral: "other\($0)@example.net")) }, logger: logger)
            try await measureLookUps(store, benchmark)
        }
    }

    Benchmark("Pre-send look-up of 1,000 recipients: Mailgun API over loopback (MailgunMock)", configuration: slow) { benchmark in
        try await MailgunMock.withRunning(.init(apiKeys: [key], domains: ["acme.test"])) { mock in
            let client = MailgunClient(configuration: try MailgunConfiguration(apiKey: key, region: .custom(mock.baseURL), domain: "acme.test"))
            let store = MailgunSuppressionStore(client: client)
            for kind in Suppression.Kind.all { try await store.add(contentsOf: listed.filter { $0.kind == kind }, logger: logger) }
            try await measureLookUps(store, benchmark)
        }
    }

    // Signed bodies are made before the measurement; each iteration uses fresh tokens (no replays).
    let eventsPerIteration = 1_000
    let timestamp = String(Int(Date().timeIntervalSince1970))
    func sign(_ token: String) -> String {
        HMAC<SHA256>.authenticationCode(for: Data((timestamp + token).utf8), using: SymmetricKey(data: Data(signingKey.utf8)))
            .map { String(format: "%02x", $0) }.joined()
    }
    func bodies(_ iteration: Int) -> [Data] {
        (0..<eventsPerIteration).map { index in
            let token = "tok-\(iteration)-\(index)-" + String(repeating: "x", count: 30)
            let event = index % 2 == 0 ? "complained" : "unsubscribed"
            return Data(#"{"signature":{"timestamp":"\#(timestamp)","token":"\#(token)","signature":"\#(sign(token))"},"event-data":{"event":"\#(event)","id":"e\#(index)","timestamp":\#(timestamp).5,"recipient":"u\#(index % 500)@example.com","tags":["news"],"user-variables":{},"message":{"headers":{"message-id":"m\#(index)@acme.test"}}}}"#.utf8)
        }
    }

    /// Posts one iteration's fresh bodies to `receiver`, measuring only the receiving.
    func receiveAll(_ receiver: MailgunWebhookReceiver, _ benchmark: Benchmark) async {
        for iteration in benchmark.scaledIterations {
            let inputs = bodies(iteration)
            benchmark.startMeasurement()
            for body in inputs {
                let response = await receiver.receive(body: body, contentType: "application/json", logger: logger)
                precondition(response.status == 200, response.body)
            }
            benchmark.stopMeasurement()
        }
    }

    Benchmark("Webhook receiver: 1,000 events verified, decoded and applied to SQLite", configuration: .init(metrics: [.wallClock, .throughput], maxDuration: .seconds(20), maxIterations: 10)) { benchmark in
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mailroom-benchmark-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await SQLiteSuppressionStore.withStore(path: directory + "/suppressions.sqlite") { store in
            await receiveAll(MailgunWebhookReceiver(signingKey: signingKey, store: store), benchmark)
        }
    }

    Benchmark("Webhook receiver: 1,000 events verified and decoded, no store", configuration: .init(metrics: [.wallClock, .throughput], maxDuration: .seconds(20), maxIterations: 20)) { benchmark in
        await receiveAll(MailgunWebhookReceiver(signingKey: signingKey, store: nil), benchmark)
    }

    // The framework's share: the same events posted over loopback to the Hummingbird controller
    // (AsyncHTTPClient, one connection per worker), into SQLite, at concurrency 1 and 16.
    for concurrency in [1, 16] {
        Benchmark("Hummingbird controller over loopback: 1,000 events into SQLite, concurrency \(concurrency)", configuration: .init(metrics: [.wallClock, .throughput], maxDuration: .seconds(20), maxIterations: 10)) { benchmark in
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mailroom-benchmark-\(UUID().uuidString)").path
            defer { try? FileManager.default.removeItem(atPath: directory) }
            try await SQLiteSuppressionStore.withStore(path: directory + "/suppressions.sqlite") { store in
                let router = Router()
                MailgunWebhookController<BasicRequestContext>(receiver: MailgunWebhookReceiver(signingKey: signingKey, store: store)).addRoutes(to: router)
                let (ports, started) = AsyncStream<Int>.makeStream()
                let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                                      onServerRunning: { started.yield($0.localAddress?.port ?? 0); started.finish() }, logger: logger)
                let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
                try await withThrowingTaskGroup(of: Void.self) { tasks in
                    tasks.addTask { try await group.run() }
                    var port = 0
                    for await value in ports { port = value }
                    let url = "http://127.0.0.1:\(port)/webhooks/mailgun"
                    for iteration in benchmark.scaledIterations {
                        let inputs = bodies(iteration + 1_000 * concurrency)
                        benchmark.startMeasurement()
                        try await withThrowingTaskGroup(of: Void.self) { workers in
                            for worker in 0..<concurrency {
                                workers.addTask {
                                    for index in stride(from: worker, to: inputs.count, by: concurrency) {
                                        var request = HTTPClientRequest(url: url)
                                        request.method = .POST
                                        request.headers.add(name: "Content-Type", value: "application/json")
                                        request.body = .bytes(ByteBuffer(bytes: inputs[index]))
                                        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
                                        precondition(response.status == .ok)
                                        _ = try await response.body.collect(upTo: 1_024)
                                    }
                                }
                            }
                            try await workers.waitForAll()
                        }
                        benchmark.stopMeasurement()
                    }
                    await group.triggerGracefulShutdown()
                    try await tasks.waitForAll()
                }
            }
        }
    }

    Benchmark("Bare HMAC-SHA256 of timestamp + token: 1,000 signatures", configuration: .init(metrics: [.wallClock, .throughput], maxDuration: .seconds(10), maxIterations: 50)) { benchmark in
        let key = SymmetricKey(data: Data(signingKey.utf8))
        let messages = (0..<eventsPerIteration).map { Data((timestamp + "tok-\($0)-" + String(repeating: "x", count: 30)).utf8) }
        benchmark.startMeasurement()
        defer { benchmark.stopMeasurement() }
        for _ in benchmark.scaledIterations {
            for message in messages { blackHole(HMAC<SHA256>.authenticationCode(for: message, using: key)) }
        }
    }
}
