/// Public because `Hummingbird` types appear in this file's public API.
public import Hummingbird
/// Public because `MailgunWebhookReceiver` appears in this file's public API.
public import MailroomMailgun
import Logging
import NIOCore

/// The route Mailgun posts its webhooks to: collects the body once (413 above the receiver's
/// limit), hands it to a `MailgunWebhookReceiver` and answers its status.
///
/// ```swift
/// let controller = MailgunWebhookController<BasicRequestContext>(receiver: receiver)
/// router.addRoutes(controller.routes, atPath: "/webhooks/mailgun")
/// ```
///
/// Every delivery is logged once, with the request's logger.
public struct MailgunWebhookController<Context: RequestContext>: Sendable {
    /// The receiver that verifies, decodes and applies each delivery.
    public let receiver: MailgunWebhookReceiver

    /// Creates a controller around a receiver.
    ///
    /// - Parameter receiver: The receiver; its configuration sets the body limit.
    public init(receiver: MailgunWebhookReceiver) {
        self.receiver = receiver
    }

    /// The controller's one route, `POST` on the path the collection is added at.
    public var routes: RouteCollection<Context> {
        let routes = RouteCollection(context: Context.self)
        routes.post(use: receive)
        return routes
    }

    /// Adds the route to `router` at `path` (default `/webhooks/mailgun`).
    ///
    /// - Parameters:
    ///   - router: The router or group to add to.
    ///   - path: The path Mailgun is configured to post to.
    public func addRoutes(to router: some RouterMethods<Context>, atPath path: RouterPath = "/webhooks/mailgun") {
        router.addRoutes(routes, atPath: path)
    }

    /// Handles one delivery.
    ///
    /// - Parameters:
    ///   - request: Mailgun's request.
    ///   - context: The request's context; its logger is used.
    /// - Returns: The receiver's answer.
    @Sendable public func receive(_ request: Request, context: Context) async throws -> Response {
        let limit = receiver.configuration.maximumBodySize
        let body: ByteBuffer
        do {
            // One byte over the limit is enough for the receiver to answer 413 itself.
            body = try await request.body.collect(upTo: limit + 1)
        } catch is NIOTooManyBytesError {
            context.logger.warning("webhook refused", metadata: ["mailgun.status": "413", "mailroom.reason": "the body is over \(limit) bytes"])
            return Self.response(413, "too large: the body is over \(limit) bytes")
        }
        let answer = await receiver.receive(body: Array(body.readableBytesView), contentType: request.headers[.contentType], logger: context.logger)
        return Self.response(answer.status, answer.body)
    }

    private static func response(_ status: Int, _ text: String) -> Response {
        Response(
            status: .init(code: status),
            headers: [.contentType: "text/plain; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: text))
        )
    }
}
