import Foundation
import Mailroom

/// Builds the events Mailgun would post for one recipient of an accepted message, shaped like
/// real captures (`event-data` only; the dispatcher signs and wraps them).
struct MockEventFactory {
    /// One event and the webhook type it is delivered to.
    struct Event {
        var webhook: String
        var kind: String
        var data: [String: Any]
    }

    let message: MockMessage
    let now: Date

    /// The events for `recipient`: `accepted`, then what `outcome` (or an existing suppression) makes of it.
    func events(for recipient: String, outcome: MockOutcome, suppressedBy table: String?) -> [Event] {
        var events = [event("accepted", webhook: "accepted", recipient: recipient, offset: 0, extra: [
            "log-level": "info", "method": "HTTP",
            "flags": ["is-authenticated": true, "is-test-mode": false, "is-routed": false, "is-big": false],
        ])]
        if let table {
            // Mailgun does not deliver to an address already on a list: a permanent failure, code 605.
            let reason = ["bounces": "suppress-bounce", "complaints": "suppress-complaint"][table] ?? "suppress-unsubscribe"
            events.append(failure(recipient, severity: "permanent", reason: reason, code: 605, text: "Not delivering to previously bounced address", offset: 0.2))
            return events
        }
        switch outcome {
        case .bounce:
            events.append(failure(recipient, severity: "permanent", reason: "bounce", code: 550,
                                  text: "5.1.1 The email account that you tried to reach does not exist", offset: 1.1, bounceType: "hard"))
        case .temporaryFailure:
            events.append(failure(recipient, severity: "temporary", reason: "generic", code: 451,
                                  text: "4.7.1 Try again later", offset: 1.1, retrySeconds: 600))
        default:
            events.append(event("delivered", webhook: "delivered", recipient: recipient, offset: 1.1, extra: [
                "log-level": "info",
                "delivery-status": [
                    "tls": true, "mx-host": "mx.\(Self.domain(of: recipient))", "attempt-no": 1, "description": "",
                    "session-seconds": 0.42, "utf8": true, "code": 250, "message": "OK", "certificate-verified": true,
                ],
            ]))
            if outcome == .complain {
                events.append(event("complained", webhook: "complained", recipient: recipient, offset: 60, extra: ["log-level": "warn"]))
            } else if outcome == .unsubscribe {
                events.append(event("unsubscribed", webhook: "unsubscribed", recipient: recipient, offset: 30, headersOnlyID: true, extra: [
                    "log-level": "info", "ip": "198.51.100.7",
                    "geolocation": ["country": "US", "region": "CA", "city": "San Francisco"],
                    "client-info": ["client-type": "browser", "client-os": "Linux", "device-type": "desktop", "client-name": "Firefox", "user-agent": "Mozilla/5.0"],
                ]))
            }
        }
        return events
    }

    /// The tags the message was sent with.
    var tags: [String] { message.values("o:tag") }

    private var userVariables: [String: Any] {
        var variables: [String: Any] = [:]
        for value in message.values("h:X-Mailgun-Variables") {
            if let object = try? JSONSerialization.jsonObject(with: Data(value.utf8)) as? [String: Any] { variables.merge(object) { $1 } }
        }
        for field in message.fields where field.count == 2 && field[0].hasPrefix("v:") { variables[String(field[0].dropFirst(2))] = field[1] }
        return variables
    }

    private func failure(
        _ recipient: String, severity: String, reason: String, code: Int, text: String, offset: Double, bounceType: String? = nil, retrySeconds: Int? = nil
    ) -> Event {
        var status: [String: Any] = ["attempt-no": 1, "code": code, "message": text, "description": "", "mx-host": "mx.\(Self.domain(of: recipient))"]
        if let bounceType { status["bounce-type"] = bounceType }
        if let retrySeconds { status["retry-seconds"] = retrySeconds }
        return event("failed", webhook: severity == "permanent" ? "permanent_fail" : "temporary_fail", recipient: recipient, offset: offset, extra: [
            "log-level": severity == "permanent" ? "error" : "warn", "severity": severity, "reason": reason, "delivery-status": status,
        ])
    }

    private func event(_ kind: String, webhook: String, recipient: String, offset: Double, headersOnlyID: Bool = false, extra: [String: Any]) -> Event {
        let head = MIMEReader.parse(message.mime)
        let messageID = message.id.trimmingCharacters(in: CharacterSet(charactersIn: "<>"))
        var headers: [String: Any] = ["message-id": messageID]
        if !headersOnlyID {
            headers["from"] = head.header("From") ?? ""
            headers["to"] = head.header("To") ?? recipient
            headers["subject"] = head.header("Subject") ?? ""
        }
        var data: [String: Any] = [
            "event": kind,
            "id": UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(22).lowercased(),
            "timestamp": (now.timeIntervalSince1970 + offset).rounded(toPlaces: 6),
            "recipient": recipient,
            "recipient-domain": Self.domain(of: recipient),
            "recipient-provider": "Other",
            "tags": tags,
            "user-variables": userVariables,
            "campaigns": [],
            "envelope": ["sender": "postmaster@\(message.domain)", "targets": recipient, "transport": "smtp"],
            "message": ["headers": headers, "attachments": [], "size": message.mime.count],
            "storage": ["url": message.storageURL, "key": message.storageKey],
            "domain": ["name": message.domain],
        ]
        data.merge(extra) { $1 }
        return Event(webhook: webhook, kind: kind, data: data)
    }

    private static func domain(of address: String) -> String {
        address.split(separator: "@").last.map(String.init) ?? address
    }
}

extension Double {
    fileprivate func rounded(toPlaces places: Int) -> Double {
        let scale = pow(10, Double(places))
        return (self * scale).rounded() / scale
    }
}
