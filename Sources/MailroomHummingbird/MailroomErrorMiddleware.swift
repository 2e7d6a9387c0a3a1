/// Public because `Hummingbird` types appear in this file's public API.
public import Hummingbird
import Foundation
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
        if clientErrors.contains(error.code) { return 400 }
        if error.isTransient || [.rateLimited, .providerUnavailable, .timeout, .transport].contains(error.code) { return 503 }
        return 502
    }

    /// The answer for `error`.
    ///
    /// - Parameter error: The error.
    /// - Returns: A JSON response with the status of ``status(for:)``.
    public static func response(for error: MailroomError) -> Response {
        let status = status(for: error)
        var object: [String: String] = ["error": error.message, "code": "\(error.code)"]
        if let field = error.field { object["field"] = field }
        var headers: HTTPFields = [.contentType: "application/json; charset=utf-8"]
        if status == 503, let wait = error.retryAfter {
            let seconds = wait.components.seconds + (wait.components.attoseconds > 0 ? 1 : 0)
            headers[.retryAfter] = String(max(1, seconds))
        }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return Response(status: .init(code: status), headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// The codes that mean the request's own input was at fault.
    private static var clientErrors: Set<MailroomError.Code> {
        [.invalidAddress, .headerInjection, .missingField, .invalidValue, .tooManyRecipients, .messageTooLarge, .invalidJSON, .attachmentUnreadable]
    }
}
