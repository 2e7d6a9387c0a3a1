import Logging
import Mailroom
/// Public because the type is a Vapor `AsyncMiddleware`.
public import Vapor

/// Answers a `MailroomError` escaping a route as ``MailroomErrorResponse`` does (400 naming the
/// field, 503 with `Retry-After`, 502, a JSON body); other errors pass on to Vapor's `ErrorMiddleware`.
///
/// ```swift
/// app.middleware.use(MailroomErrorMiddleware())
/// ```
public struct MailroomErrorMiddleware: AsyncMiddleware {
    /// Creates the middleware.
    public init() {}

    /// Runs the route and maps a `MailroomError` it throws.
    public func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        do {
            return try await next.respond(to: request)
        } catch let error as MailroomError {
            let answer = MailroomErrorResponse(error)
            request.logger.log(level: error.httpStatus == 400 ? .info : .error, "Mailroom error answered", metadata: [
                "mailroom.error": "\(error.shortDescription)", "http.status": "\(error.httpStatus)",
            ])
            return try await answer.encodeResponse(for: request)
        }
    }
}
