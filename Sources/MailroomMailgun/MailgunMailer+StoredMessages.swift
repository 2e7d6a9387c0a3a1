/// Public because `Logger` appears in this file's public API.
public import Logging
/// Public because `EmailAddress` and `SendReceipt` appear in this file's public API.
public import Mailroom
import Foundation
import NIOHTTP1

extension MailgunMailer {
    /// Where a stored message is: by domain and storage key, or by the storage URL Mailgun gave.
    public struct StoredMessageLocation: Sendable, Hashable {
        enum Storage: Hashable {
            case key(String, domain: String?)
            case url(String)
        }

        let storage: Storage

        /// The message stored under `key` at `domain` (the configuration's domain when `nil`).
        public static func key(_ key: String, domain: String? = nil) -> StoredMessageLocation {
            StoredMessageLocation(storage: .key(key, domain: domain))
        }

        /// The message at a storage URL from an event or a response, followed as given.
        public static func url(_ url: String) -> StoredMessageLocation {
            StoredMessageLocation(storage: .url(url))
        }
    }

    /// The stored message's parsed view.
    ///
    /// - Parameters:
    ///   - location: Domain and key, or storage URL (only Mailgun hosts or the configured base URL).
    ///   - logger: Where to log.
    /// - Returns: Headers, bodies and attachment metadata.
    /// - Throws: `MailroomError`: `MailroomError.Code.notFound`, a refused host, or a provider failure.
    public func storedMessage(_ location: StoredMessageLocation, logger: Logger) async throws -> StoredMessage {
        let response = try await client.execute(.init(method: .GET, target: try target(location)), logger: logger)
        return StoredMessage(json: try response.json())
    }

    /// The stored message's raw MIME (`Accept: message/rfc2822`, Mailgun's `body-mime`).
    ///
    /// - Parameters:
    ///   - location: Domain and key, or storage URL.
    ///   - logger: Where to log.
    /// - Returns: The RFC 5322 bytes.
    /// - Throws: `MailroomError`.
    public func rawStoredMessage(_ location: StoredMessageLocation, logger: Logger) async throws -> [UInt8] {
        let response = try await client.execute(.init(method: .GET, target: try target(location), accept: "message/rfc2822"), logger: logger)
        guard let mime = try response.json()["body-mime"] as? String else {
            throw MailroomError(code: .invalidJSON, message: "Mailgun's raw view has no body-mime", status: response.status)
        }
        return Array(mime.utf8)
    }

    /// Sends the stored message again, to new recipients.
    ///
    /// - Parameters:
    ///   - location: Domain and key, or storage URL.
    ///   - recipients: Who receives the copy; at least one.
    ///   - logger: Where to log.
    /// - Returns: The new message's receipt.
    /// - Throws: `MailroomError`; nothing is sent when a recipient is invalid.
    public func resendStoredMessage(_ location: StoredMessageLocation, to recipients: [EmailAddress], logger: Logger) async throws -> SendReceipt {
        try Envelope(recipients: recipients).validate()
        let form = MultipartFormBody(parts: recipients.map { .field(name: "to", value: $0.description) })
        let response = try await client.execute(.init(method: .POST, target: try target(location), body: .form(form)), logger: logger)
        let json = try response.json()
        return SendReceipt(id: json["id"] as? String, message: json["message"] as? String ?? "", accepted: recipients)
    }

    private func target(_ location: StoredMessageLocation) throws -> String {
        switch location.storage {
        case .url(let url):
            return url
        case .key(let key, let override):
            return try keyPath(key, domain: client.domain(override))
        }
    }

    private func keyPath(_ key: String, domain: String) throws -> String {
        guard !key.isEmpty, key.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_=.".contains($0)) }) else {
            throw MailroomError.invalidValue(field: "key", "'\(key)' is not a storage key")
        }
        return "/v3/domains/\(domain)/messages/\(key)"
    }
}
