import Foundation
import Mailroom
import NIOHTTP1

/// Maps Mailgun's error answers into the one error vocabulary: status, Mailgun's message,
/// transient or permanent, and `retryAfter` when Mailgun said how long to wait.
enum MailgunResponseError {
    static func error(status: Int, headers: HTTPHeaders, body: [UInt8], now: Date = Date()) -> MailroomError {
        let text = String(decoding: body, as: UTF8.self)
        let message = providerMessage(body) ?? text.trimmingCharacters(in: .whitespacesAndNewlines)
        let retryAfter = retryAfter(headers: headers, message: message, now: now)
        func make(_ code: MailroomError.Code, _ summary: String, transient: Bool = false) -> MailroomError {
            MailroomError(
                code: code,
                message: "\(summary) (HTTP \(status)): \(message)",
                isTransient: transient,
                status: status,
                providerMessage: message,
                retryAfter: retryAfter
            )
        }
        switch status {
        case 400: return make(.rejected, "Mailgun rejected the request")
        case 401: return make(.unauthorized, "Mailgun rejected the API key")
        case 403: return make(.unauthorized, "Mailgun does not allow this key to make the request")
        case 402: return make(.rejected, "Mailgun requires a payment or an upgrade for this request")
        case 404: return make(.notFound, "Mailgun found no such resource")
        case 409: return make(.alreadyExists, "Mailgun already has this")
        case 413: return make(.messageTooLarge, "Mailgun refused the message as too large")
        case 420: return make(.rateLimited, "Mailgun's sending limit was reached", transient: true)
        case 429: return make(.rateLimited, "Mailgun rate-limited the request", transient: true)
        case 500...599: return make(.providerUnavailable, "Mailgun failed", transient: true)
        default: return make(.rejected, "Mailgun answered with an unexpected status")
        }
    }

    /// The message in any of Mailgun's error shapes: `{"message"}`, `{"Reason"}`, `{"Description"}`
    /// or `{"Field", "Value"}` (MAILGUN-API-NOTES errata 6); `nil` for a body that is not one of them.
    static func providerMessage(_ body: [UInt8]) -> String? {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] else { return nil }
        for key in ["message", "Reason", "Description"] {
            if let text = object[key] as? String { return text }
        }
        if let field = object["Field"] as? String {
            return object["Value"].map { "\(field): \($0)" } ?? field
        }
        return nil
    }

    /// From `Retry-After` (seconds or an HTTP date), `X-RateLimit-Reset` (epoch seconds or
    /// milliseconds, or seconds from now), or the message's "try again after N seconds".
    static func retryAfter(headers: HTTPHeaders, message: String, now: Date) -> Duration? {
        if let value = headers.first(name: "Retry-After")?.trimmingCharacters(in: .whitespaces) {
            if let seconds = Int(value) { return .seconds(max(0, seconds)) }
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
            if let date = formatter.date(from: value) { return .seconds(max(0, Int(date.timeIntervalSince(now).rounded(.up)))) }
        }
        if let value = headers.first(name: "X-RateLimit-Reset").flatMap({ Double($0.trimmingCharacters(in: .whitespaces)) }) {
            let nowSeconds = now.timeIntervalSince1970
            let seconds = value > 1e12 ? value / 1_000 - nowSeconds : value > 1e9 ? value - nowSeconds : value
            return .seconds(max(0, Int(seconds.rounded(.up))))
        }
        if let range = message.range(of: #"try again after (\d+) seconds?"#, options: [.regularExpression, .caseInsensitive]) {
            let digits = message[range].filter(\.isNumber)
            if let seconds = Int(digits) { return .seconds(seconds) }
        }
        return nil
    }
}
