/// Public because `Hummingbird` types appear in this file's public API.
public import Hummingbird
import Logging
/// Public because `MailroomError` appears in this file's public API.
public import Mailroom
import NIOCore

/// Turns a `MailroomError` escaping a route into the answer users expect: 400 naming the field for
/// bad input, 503 with `Retry-After` (when Mailgun said how long) for rate limits and provider or
/// network failures, 502 for anything else the provider refused.
///
/// The body is JSON, `{"error": "…", "code": "invalidAddress", "field": "to[1]"}`; it is built from the
/// error's message, which never holds credentials. Other errors pass through untouched.
///
/// ```swift
/// router.add(middleware: MailroomErrorMiddleware())
/// ```
public struct MailroomErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Creates the middleware.
    public init() {}

    /// Runs the route and maps a `MailroomError` it throws.
    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as MailroomError {
            let status = Self.status(for: error)
            context.logger.log(level: status == 400 ? .info : .error, "Mailroom error answered", metadata: [
                "mailroom.error": "\(error.shortDescription)", "http.status": "\(status)",
            ])
            return Self.response(for: error)
        }
    }

    /// The HTTP status for `error`: 400, 503 or 502.
    ///
    /// - Parameter error: The error.
    /// - Returns: The status code.
    public static func status(for error: MailroomError) -> Int {
        error.httpStatus
    }

    /// The answer for `error`.
    ///
    /// - Parameter error: The error.
    /// - Returns: A JSON response with the status of ``status(for:)``.
    public static func response(for error: MailroomError) -> Response {
        var headers: HTTPFields = [.contentType: "application/json; charset=utf-8"]
        if let seconds = error.httpRetryAfterSeconds { headers[.retryAfter] = String(seconds) }
        return Response(status: .init(code: error.httpStatus), headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: error.httpJSONBody)))
    }
}
