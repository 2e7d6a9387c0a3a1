import Foundation
import Logging
import MailroomMailgun
/// Public because the type is a Vapor `RouteCollection`.
public import Vapor

/// The route Mailgun posts its webhooks to: the body is streamed and collected once (413 above
/// the limit), handed to the application's `MailgunWebhookReceiver` (`app.mailroom.webhooks`),
/// and answered with the receiver's status by Mailgun's retry rules: 200 handled; 406 forged,
/// stale, replayed or malformed (Mailgun stops); 503 when the store fails (Mailgun retries); 413.
///
/// ```swift
/// app.mailroom.webhooks.use(.fromEnvironment)
/// try app.register(collection: MailgunWebhookRoutes())                 // POST /webhooks/mailgun
/// try app.register(collection: MailgunWebhookRoutes(path: ["hooks", "mg"], maximumBodySize: "256kb"))
/// ```
///
/// Vapor collects at most 16 KB of a body by default, too little for some events; this route
/// collects up to the receiver's `maximumBodySize` (1 MB by default) or the limit given here.
/// Without a signing key the route answers 404. Every delivery is logged once, with the request's
/// logger; no answer echoes the signing key, the token or the signature.
public struct MailgunWebhookRoutes: RouteCollection, Sendable {
    /// Where Mailgun posts, `webhooks/mailgun` by default.
    public var path: [PathComponent]
    /// The largest body collected, or `nil` for the receiver's `maximumBodySize`. The receiver's
    /// limit applies too, so a larger value here does not raise it.
    public var maximumBodySize: ByteCount?

    /// Creates the routes.
    ///
    /// - Parameters:
    ///   - path: Where Mailgun posts. Default `webhooks/mailgun`.
    ///   - maximumBodySize: The largest body collected; `nil` for the receiver's limit.
    public init(path: [PathComponent] = ["webhooks", "mailgun"], maximumBodySize: ByteCount? = nil) {
        self.path = path
        self.maximumBodySize = maximumBodySize
    }

    /// Registers `POST` at ``path``.
    public func boot(routes: any RoutesBuilder) throws {
        routes.on(.POST, path, body: .stream) { request in
            await receive(request)
        }
    }

    /// Handles one delivery.
    ///
    /// - Parameter request: Mailgun's request.
    /// - Returns: The receiver's answer; this never throws.
    public func receive(_ request: Request) async -> Response {
        let receiver: MailgunWebhookReceiver
        do {
            guard let configured = try await request.application.mailroom.stack().receiver else {
                request.logger.warning("webhook refused: no signing key is configured (app.mailroom.webhooks.use(...))", metadata: ["mailgun.status": "404"])
                return Self.response(404, "not found: no webhook signing key is configured")
            }
            receiver = configured
        } catch {
            // Mailroom could not open its store: Mailgun retries a 503.
            request.logger.error("webhook refused: Mailroom is unavailable", metadata: ["mailgun.status": "503", "mailroom.error": "\(error)"])
            return Self.response(503, "unavailable: try again later")
        }
        let limit = maximumBodySize?.value ?? receiver.configuration.maximumBodySize
        let body: ByteBuffer
        do {
            body = try await request.body.collect(max: limit).get() ?? ByteBuffer()
        } catch let abort as Abort where abort.status == .payloadTooLarge {
            return Self.tooLarge(limit, request.logger)
        } catch {
            request.logger.warning("webhook refused: the body could not be read", metadata: ["mailgun.status": "400", "mailroom.error": "\(error)"])
            return Self.response(400, "bad request: the body could not be read")
        }
        // A body collected before the route (as in tests) comes back whole: check it too.
        guard body.readableBytes <= limit else { return Self.tooLarge(limit, request.logger) }
        let answer = await receiver.receive(body: Data(body.readableBytesView), contentType: request.headers.first(name: .contentType), logger: request.logger)
        return Self.response(answer.status, answer.body)
    }

    private static func tooLarge(_ limit: Int, _ logger: Logger) -> Response {
        logger.warning("webhook refused", metadata: ["mailgun.status": "413", "mailroom.reason": "the body is over \(limit) bytes"])
        return response(413, "too large: the body is over \(limit) bytes")
    }

    private static func response(_ status: Int, _ text: String) -> Response {
        Response(
            status: HTTPResponseStatus(statusCode: status),
            headers: ["Content-Type": "text/plain; charset=utf-8"],
            body: .init(string: text)
        )
    }
}
