import Foundation

/// How a web app answers a `MailroomError` that escapes a route, shared by the framework adapters
/// so that a Hummingbird app and a Vapor app answer the same.
extension MailroomError {
    /// 400 when the request's own input was at fault, 503 when a retry may succeed (rate limits,
    /// provider or network failures), 502 for anything else the provider refused.
    package var httpStatus: Int {
        if Self.clientErrorCodes.contains(code) { return 400 }
        if isTransient || [.rateLimited, .providerUnavailable, .timeout, .transport].contains(code) { return 503 }
        return 502
    }

    /// The `Retry-After` seconds of a 503, rounded up, when the provider said how long to wait.
    package var httpRetryAfterSeconds: Int? {
        guard httpStatus == 503, let wait = retryAfter else { return nil }
        let seconds = wait.components.seconds + (wait.components.attoseconds > 0 ? 1 : 0)
        return Int(max(1, seconds))
    }

    /// The JSON body, `{"code":"invalidAddress","error":"…","field":"to[1]"}` with sorted keys, built
    /// from the message, which never holds credentials.
    package var httpJSONBody: [UInt8] {
        let body = HTTPErrorBody(error: message, code: "\(code)", field: field)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding three strings cannot fail; the fallback keeps the answer JSON regardless.
        return (try? Array(encoder.encode(body))) ?? Array(#"{"error":"internal error"}"#.utf8)
    }

    private static var clientErrorCodes: Set<Code> {
        [.invalidAddress, .headerInjection, .missingField, .invalidValue, .tooManyRecipients, .messageTooLarge, .invalidJSON, .attachmentUnreadable]
    }
}

private struct HTTPErrorBody: Encodable {
    var error: String
    var code: String
    var field: String?
}
