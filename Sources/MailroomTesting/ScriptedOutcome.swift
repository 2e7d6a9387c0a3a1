/// Public because `MailroomError` appears in this file's public API.
public import Mailroom

/// What ``InMemoryMailer`` does with a send, instead of accepting it; compare with the static members.
///
/// ```swift
/// mailer.script(.rateLimited(retryAfter: .seconds(30)))                 // the next send
/// mailer.script(.fail(.init(code: .rejected, message: "nope")), forRecipient: "bob@example.com")
/// mailer.script(.delay(.milliseconds(5)), times: 3)
/// ```
public struct ScriptedOutcome: Sendable {
    enum Action: Sendable {
        case succeed
        case fail(MailroomError)
        case delay(Duration)
    }

    let action: Action

    /// Accept the send (the default without a script).
    public static let succeed = ScriptedOutcome(action: .succeed)

    /// Fail with `error`; nothing is recorded as sent.
    public static func fail(_ error: MailroomError) -> ScriptedOutcome {
        ScriptedOutcome(action: .fail(error))
    }

    /// Fail as Mailgun's 429 does: transient, status 429, with `retryAfter`.
    public static func rateLimited(retryAfter: Duration) -> ScriptedOutcome {
        let seconds = retryAfter.components.seconds
        let message = "Domain is not allowed to send: limit exceeded, try again after \(seconds) seconds"
        return .fail(MailroomError(
            code: .rateLimited, message: "rate-limited (HTTP 429): \(message)", isTransient: true,
            status: 429, providerMessage: message, retryAfter: retryAfter
        ))
    }

    /// Wait `duration` (on the mailer's injected sleeper), then accept the send.
    public static func delay(_ duration: Duration) -> ScriptedOutcome {
        ScriptedOutcome(action: .delay(duration))
    }
}
