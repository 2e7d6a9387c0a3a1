/// Public because `Logger` appears in this file's public API.
public import Logging
import Foundation
import Mailroom
import NIOHTTP1

/// A domain's webhooks (`/v3` by event type with up to three URLs each, `/v4` by URL with several
/// event types) and the account's HTTP signing key.
///
/// Event types and URLs are checked before any request. The signing key never appears in a log
/// line or a description (``MailgunSigningKey``).
public struct MailgunWebhooks: Sendable {
    /// The event types Mailgun posts webhooks for.
    public static let eventTypes = ["accepted", "delivered", "opened", "clicked", "unsubscribed", "complained", "permanent_fail", "temporary_fail"]

    /// The most URLs one event type takes (v3).
    public static let maximumURLs = 3

    /// The client the API talks through.
    public let client: MailgunClient
    /// The domain whose webhooks are managed; the configuration's default when `nil`.
    public let domain: String?

    /// Creates the API.
    ///
    /// - Parameters:
    ///   - client: The Mailgun client, e.g. a ``MailgunMailer``'s.
    ///   - domain: The domain; the configuration's default when `nil`.
    public init(client: MailgunClient, domain: String? = nil) {
        self.client = client
        self.domain = domain
    }

    // MARK: v3, by event type

    /// The configured URLs per event type (only the types that have any).
    ///
    /// - Parameter logger: Where to log.
    /// - Returns: URLs by event type.
    /// - Throws: ``MailroomError`` for a provider failure.
    public func list(logger: Logger) async throws -> [String: [String]] {
        let json = try await client.execute(.init(method: .GET, target: try collection("v3")), logger: logger).json()
        return try Self.webhookMap(MailgunJSON(json, what: "Mailgun's webhook list"))
    }

    /// The URLs for one event type.
    ///
    /// - Parameters:
    ///   - eventType: One of ``eventTypes``.
    ///   - logger: Where to log.
    /// - Returns: The URLs.
    /// - Throws: ``MailroomError`` with ``MailroomError/Code/notFound`` when the type has none.
    public func get(_ eventType: String, logger: Logger) async throws -> [String] {
        let json = try await client.execute(.init(method: .GET, target: try path(eventType)), logger: logger).json()
        return try Self.urls(MailgunJSON(json, what: "Mailgun's webhook").object("webhook"))
    }

    /// Sets the URLs for an event type that has none yet.
    ///
    /// - Parameters:
    ///   - eventType: One of ``eventTypes``.
    ///   - urls: One to three http(s) URLs.
    ///   - logger: Where to log.
    /// - Returns: The URLs as Mailgun stored them.
    /// - Throws: ``MailroomError`` for a bad type or URL, ``MailroomError/Code/alreadyExists``, or a provider failure.
    public func create(_ eventType: String, urls: [String], logger: Logger) async throws -> [String] {
        try Self.check(eventType: eventType, field: "event")
        try Self.check(urls: urls)
        let form = MultipartFormBody(parts: [.field(name: "id", value: eventType)] + urls.map { .field(name: "url", value: $0) })
        let json = try await client.execute(.init(method: .POST, target: try collection("v3"), body: .form(form)), logger: logger).json()
        return try Self.urls(MailgunJSON(json, what: "Mailgun's webhook").object("webhook"))
    }

    /// Replaces the URLs of an event type.
    ///
    /// - Parameters:
    ///   - eventType: One of ``eventTypes``.
    ///   - urls: One to three http(s) URLs.
    ///   - logger: Where to log.
    /// - Returns: The URLs as Mailgun stored them.
    /// - Throws: ``MailroomError`` for a bad type or URL, ``MailroomError/Code/notFound``, or a provider failure.
    public func update(_ eventType: String, urls: [String], logger: Logger) async throws -> [String] {
        let target = try path(eventType)
        try Self.check(urls: urls)
        let form = MultipartFormBody(parts: urls.map { .field(name: "url", value: $0) })
        let json = try await client.execute(.init(method: .PUT, target: target, body: .form(form)), logger: logger).json()
        return try Self.urls(MailgunJSON(json, what: "Mailgun's webhook").object("webhook"))
    }

    /// Removes every URL of an event type.
    ///
    /// - Parameters:
    ///   - eventType: One of ``eventTypes``.
    ///   - logger: Where to log.
    /// - Throws: ``MailroomError`` with ``MailroomError/Code/notFound`` when the type has none.
    public func delete(_ eventType: String, logger: Logger) async throws {
        _ = try await client.execute(.init(method: .DELETE, target: try path(eventType)), logger: logger)
    }

    // MARK: v4, by URL

    /// Adds `url` for several event types at once (v4).
    ///
    /// - Parameters:
    ///   - url: An http(s) URL.
    ///   - eventTypes: Event types from ``eventTypes``.
    ///   - logger: Where to log.
    /// - Returns: The whole map of URLs by event type afterwards.
    /// - Throws: ``MailroomError`` for a bad type or URL, or a provider failure.
    public func add(url: String, eventTypes: [String], logger: Logger) async throws -> [String: [String]] {
        try await byURL(.POST, url: url, eventTypes: eventTypes, logger: logger)
    }

    /// Makes `url` receive exactly `eventTypes` (v4).
    ///
    /// - Parameters:
    ///   - url: An http(s) URL already configured.
    ///   - eventTypes: Event types from ``eventTypes``.
    ///   - logger: Where to log.
    /// - Returns: The whole map of URLs by event type afterwards.
    /// - Throws: ``MailroomError`` for a bad type or URL, or a provider failure.
    public func replace(url: String, eventTypes: [String], logger: Logger) async throws -> [String: [String]] {
        try await byURL(.PUT, url: url, eventTypes: eventTypes, logger: logger)
    }

    /// Removes `urls` from every event type (v4).
    ///
    /// - Parameters:
    ///   - urls: The URLs to remove.
    ///   - logger: Where to log.
    /// - Throws: ``MailroomError`` for a bad URL or a provider failure.
    public func remove(urls: [String], logger: Logger) async throws {
        try Self.check(urls: urls, limit: nil)
        let target = MailgunPath.target(try collection("v4"), query: [("url", urls.joined(separator: ","))])
        _ = try await client.execute(.init(method: .DELETE, target: target), logger: logger)
    }

    private func byURL(_ method: HTTPMethod, url: String, eventTypes: [String], logger: Logger) async throws -> [String: [String]] {
        try Self.check(urls: [url])
        guard !eventTypes.isEmpty else { throw MailroomError.missingField("event_types", "at least one event type") }
        for (index, type) in eventTypes.enumerated() { try Self.check(eventType: type, field: "event_types[\(index)]") }
        let form = ([("url", url)] + eventTypes.map { ("event_types", $0) }).map { "\($0.0)=\(MailgunPath.encoded($0.1))" }.joined(separator: "&")
        let json = try await client.execute(.init(method: method, target: try collection("v4"), body: .urlEncoded(form)), logger: logger).json()
        return try Self.webhookMap(MailgunJSON(json, what: "Mailgun's webhook list"))
    }

    // MARK: The signing key

    /// The account's HTTP webhook signing key.
    ///
    /// - Parameter logger: Where to log (the key is never logged).
    /// - Returns: The key.
    /// - Throws: ``MailroomError`` for a provider failure.
    public func signingKey(logger: Logger) async throws -> MailgunSigningKey {
        try await signingKey(.GET, logger: logger)
    }

    /// Replaces the account's HTTP webhook signing key with a new one; webhooks signed with the old
    /// key no longer verify.
    ///
    /// - Parameter logger: Where to log (the key is never logged).
    /// - Returns: The new key.
    /// - Throws: ``MailroomError`` for a provider failure.
    public func rotateSigningKey(logger: Logger) async throws -> MailgunSigningKey {
        try await signingKey(.POST, logger: logger)
    }

    private func signingKey(_ method: HTTPMethod, logger: Logger) async throws -> MailgunSigningKey {
        let json = try await client.execute(.init(method: method, target: "/v5/accounts/http_signing_key"), logger: logger).json()
        return MailgunSigningKey(try MailgunJSON(json, what: "Mailgun's signing key answer").string("http_signing_key"))
    }

    // MARK: Wire forms

    private func collection(_ version: String) throws -> String {
        "/\(version)/domains/\(try client.domain(domain))/webhooks"
    }

    private func path(_ eventType: String) throws -> String {
        try Self.check(eventType: eventType, field: "event")
        return try collection("v3") + "/" + eventType
    }

    static func check(eventType: String, field: String) throws {
        guard eventTypes.contains(eventType) else {
            throw MailroomError.invalidValue(field: field, "'\(eventType.prefix(40))' is not one of \(eventTypes.joined(separator: ", "))")
        }
    }

    static func check(urls: [String], limit: Int? = maximumURLs) throws {
        guard !urls.isEmpty else { throw MailroomError.missingField("url", "at least one URL") }
        if let limit, urls.count > limit { throw MailroomError.invalidValue(field: "url", "at most \(limit) URLs per event type, not \(urls.count)") }
        for (index, url) in urls.enumerated() {
            let field = urls.count == 1 ? "url" : "url[\(index)]"
            if url.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "\r\n" }) { throw MailroomError.headerInjection(field: field) }
            guard let components = URLComponents(string: url), ["http", "https"].contains(components.scheme?.lowercased() ?? ""), components.host?.isEmpty == false else {
                throw MailroomError.invalidValue(field: field, "'\(url.prefix(200))' is not an absolute http(s) URL")
            }
            if url.contains(",") { throw MailroomError.invalidValue(field: field, "a webhook URL must not contain a comma") }
        }
    }

    /// `{"webhooks": {"clicked": {"urls": [...]}}}`.
    static func webhookMap(_ json: MailgunJSON) throws -> [String: [String]] {
        let map = try json.object("webhooks")
        var result: [String: [String]] = [:]
        for key in map.object.keys {
            let urls = try urls(try map.object(key))
            if !urls.isEmpty { result[key] = urls }
        }
        return result
    }

    /// `{"urls": [...]}`, or an older answer's single `{"url": "..."}`.
    static func urls(_ json: MailgunJSON) throws -> [String] {
        if json.object["urls"] != nil { return json.strings("urls") }
        if let url = json.optionalString("url") { return [url] }
        throw MailroomError(code: .invalidJSON, field: "urls", message: "\(json.what) has no urls")
    }
}
