public import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// A loopback HTTP server on a free port that answers every POST with `handler`: a stand-in for
/// an app receiving Mailgun's webhooks.
public enum WebhookTestServer {
    /// What the handler answers.
    public struct Answer: Sendable {
        /// The HTTP status.
        public var status: Int
        /// The body.
        public var body: String
        /// Creates an answer.
        public init(status: Int, body: String = "") {
            self.status = status
            self.body = body
        }
    }

    /// Runs the server while `body` runs, with the server's base URL (`http://127.0.0.1:PORT`).
    public static func withRunning<Result: Sendable>(
        handler: @escaping @Sendable (_ body: Data, _ contentType: String?) async -> Answer,
        _ body: (String) async throws -> Result
    ) async throws -> Result {
        let logger = Logger(label: "webhook-test-server", factory: { _ in SwiftLogNoOpLogHandler() })
        let router = Router()
        router.post("**") { request, _ -> Response in
            let bytes = try await request.body.collect(upTo: 16 * 1_048_576)
            let answer = await handler(Data(bytes.readableBytesView), request.headers[.contentType])
            return Response(status: .init(code: answer.status), headers: [.contentType: "text/plain"], body: .init(byteBuffer: ByteBuffer(string: answer.body)))
        }
        let (started, continuation) = AsyncStream<Int>.makeStream()
        let application = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                continuation.yield(channel.localAddress?.port ?? 0)
                continuation.finish()
            },
            logger: logger
        )
        let services = ServiceGroup(configuration: .init(services: [application], logger: logger))
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask {
                defer { continuation.finish() }
                try await services.run()
            }
            var port = 0
            for await value in started { port = value }
            guard port > 0 else {
                try await tasks.waitForAll()
                throw CancellationError()
            }
            do {
                let result = try await body("http://127.0.0.1:\(port)")
                await services.triggerGracefulShutdown()
                try await tasks.waitForAll()
                return result
            } catch {
                await services.triggerGracefulShutdown()
                try? await tasks.waitForAll()
                throw error
            }
        }
    }
}
