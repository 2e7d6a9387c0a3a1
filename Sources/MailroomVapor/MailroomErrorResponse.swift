/// Public because `MailroomError` appears in this file's public API.
public import Mailroom
/// Public because the type is a Vapor `AbortError` and `AsyncResponseEncodable`.
public import Vapor

/// A `MailroomError` as a Vapor answer, the same as a Hummingbird app's (MailroomHummingbird's
/// `MailroomErrorMiddleware`): 400 naming the field for bad input, 503 with `Retry-After` (when
/// the provider said how long) for rate limits and provider or network failures, 502 for anything
/// else the provider refused; the body is `{"code": "invalidAddress", "error": "…", "field": "to[1]"}`.
///
/// As an `AbortError`, Vapor's own `ErrorMiddleware` answers it with this status and headers:
/// `throw MailroomErrorResponse(error)`. ``MailroomErrorMiddleware`` answers every `MailroomError`
/// with the JSON body above. The body is built from the error's message, which never holds credentials.
public struct MailroomErrorResponse: AbortError, AsyncResponseEncodable, Sendable {
    /// The error.
    public let error: MailroomError

    /// Wraps an error.
    ///
    /// - Parameter error: The error.
    public init(_ error: MailroomError) {
        self.error = error
    }

    /// 400, 503 or 502.
    public var status: HTTPResponseStatus {
        HTTPResponseStatus(statusCode: error.httpStatus)
    }

    /// The error's message, with the field it names.
    public var reason: String {
        error.field.map { "\($0): \(error.message)" } ?? error.message
    }

    /// `Retry-After` on a 503 when the provider said how long to wait.
    public var headers: HTTPHeaders {
        var headers = HTTPHeaders()
        if let seconds = error.httpRetryAfterSeconds { headers.replaceOrAdd(name: .retryAfter, value: String(seconds)) }
        return headers
    }

    /// The JSON answer.
    public func encodeResponse(for request: Request) async throws -> Response {
        var headers = self.headers
        headers.replaceOrAdd(name: .contentType, value: "application/json; charset=utf-8")
        return Response(status: status, headers: headers, body: .init(data: Data(error.httpJSONBody)))
    }
}
