public import Mailroom

/// What both framework adapters must answer, in one table so that a Hummingbird app and a Vapor app
/// answer alike: errors with their status and `Retry-After`, and the signups the samples refuse.
public enum HTTPAnswerCases {
    /// A `MailroomError` escaping a route, the status it is answered with, and its `Retry-After`.
    public static let errors: [(error: MailroomError, status: Int, retryAfter: String?)] = [
        (MailroomError.invalidAddress(field: "to[1]", "missing '@' in 'bob'"), 400, nil),
        (MailroomError.headerInjection(field: "subject"), 400, nil),
        (MailroomError(code: .rateLimited, message: "slow down", isTransient: true, status: 429, retryAfter: .seconds(120)), 503, "120"),
        (MailroomError(code: .providerUnavailable, message: "Mailgun answered 503", isTransient: true, status: 503), 503, nil),
        (MailroomError(code: .timeout, message: "timed out", isTransient: true, retryAfter: .milliseconds(1_500)), 503, "2"),
        (MailroomError(code: .unauthorized, message: "Forbidden", status: 401), 502, nil),
        (MailroomError(code: .rejected, message: "Domain not allowed", status: 400), 502, nil),
    ]

    /// Signup bodies the sample apps answer with 400, and the field each answer names.
    public static let refusedSignups: [(body: String, field: String)] = [
        (#"{"email":"a@example.com"}"#, "name"),
        (#"{"name":"Bob","email":"bob"}"#, "email"),
        ("not json", "body"),
        (#"{"name":"Eve\r\nBcc: x@example.com","email":"e@example.com"}"#, "name"),
    ]
}
