/// Public because `Mailer` appears in this file's public API.
public import Mailroom
/// Public because `Request` is extended in this file's public API.
public import Vapor

extension Request {
    /// Mailroom for this request: the application's mailer, logging through `req.logger`.
    ///
    /// ```swift
    /// app.post("signup") { req async throws -> HTTPStatus in
    ///     try await req.mailroom.mailer.send(welcome)
    ///     return .accepted
    /// }
    /// ```
    public var mailroom: Mailroom {
        .init(request: self)
    }

    /// Mailroom bound to one request; see ``Vapor/Request/mailroom``.
    public struct Mailroom: Sendable {
        /// The request.
        public let request: Request

        /// The application's mailer (`app.mailroom.mailer`), logging every call through the
        /// request's logger whatever logger the call passes.
        public var mailer: any Mailer {
            RequestMailer(base: request.application.mailroom.mailer, logger: request.logger)
        }
    }
}
