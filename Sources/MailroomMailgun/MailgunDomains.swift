/// Public because `Logger` appears in this file's public API.
public import Logging
import Foundation
import Mailroom
import NIOHTTP1

/// Mailgun's domains API: list, get, create, update, verify, delete.
///
/// Names and settings are checked before any request, so a bad one fails with the field at fault
/// and nothing is sent.
///
/// ```swift
/// let domains = MailgunDomains(client: mailer.client)
/// var settings = MailgunDomainSettings()
/// settings.webScheme = "https"
/// let updated = try await domains.update("mg.acme.test", settings: settings, logger: logger)
/// ```
public struct MailgunDomains: Sendable {
    /// What a list asks for; `nil` fields are left to Mailgun's defaults.
    public struct Query: Sendable, Hashable {
        /// Only domains in this state.
        public var state: MailgunDomain.State?
        /// `name`, `name:asc` or `name:desc`.
        public var sort: String?
        /// Only domains whose name contains this.
        public var search: String?
        /// Only domains whose DKIM authority is this domain.
        public var authority: String?
        /// Whether subaccounts' domains are listed too.
        public var includeSubaccounts: Bool?

        /// Creates a query.
        ///
        /// - Parameters:
        ///   - state: Only domains in this state.
        ///   - sort: `name`, `name:asc` or `name:desc`.
        ///   - search: A part of the name.
        ///   - authority: A DKIM authority domain.
        ///   - includeSubaccounts: Whether to include subaccounts' domains.
        public init(state: MailgunDomain.State? = nil, sort: String? = nil, search: String? = nil, authority: String? = nil, includeSubaccounts: Bool? = nil) {
            self.state = state
            self.sort = sort
            self.search = search
            self.authority = authority
            self.includeSubaccounts = includeSubaccounts
        }

        func validate() throws {
            if let state, !MailgunDomain.State.known.contains(state) {
                throw MailroomError.invalidValue(field: "state", "'\(state.rawValue.prefix(40))' is not one of active, unverified, disabled")
            }
            if let sort, !["name", "name:asc", "name:desc"].contains(sort) {
                throw MailroomError.invalidValue(field: "sort", "'\(sort.prefix(40))' is not one of name, name:asc, name:desc")
            }
            if let authority, !MailgunDomains.isDomainName(authority) {
                throw MailroomError.invalidValue(field: "authority", "'\(authority.prefix(100))' is not a domain name")
            }
        }
    }

    /// The most domains one page holds.
    public static let maximumPageSize = 1_000

    /// The client the API talks through.
    public let client: MailgunClient

    /// Creates the API.
    ///
    /// - Parameter client: The Mailgun client, e.g. a ``MailgunMailer``'s.
    public init(client: MailgunClient) {
        self.client = client
    }

    /// Every domain matching `query`, a page of `pageSize` (1 to 1,000) at a time.
    ///
    /// - Parameters:
    ///   - query: Filters and order.
    ///   - pageSize: Domains per request.
    ///   - logger: Where to log.
    /// - Returns: The domains, fetched as they are iterated.
    public func list(_ query: Query = Query(), pageSize: Int = 100, logger: Logger) -> MailgunPages<MailgunDomain> {
        let api = self
        return MailgunPages(pageSize: min(max(pageSize, 1), Self.maximumPageSize)) { skip, limit in
            try await api.page(query, skip: skip, limit: limit, logger: logger)
        }
    }

    /// One page of domains.
    ///
    /// - Parameters:
    ///   - query: Filters and order.
    ///   - skip: Domains to skip.
    ///   - limit: Domains to return, 1 to 1,000.
    ///   - logger: Where to log.
    /// - Returns: The domains and the total.
    /// - Throws: ``MailroomError`` for a bad query or a provider failure.
    public func page(_ query: Query = Query(), skip: Int = 0, limit: Int = 100, logger: Logger) async throws -> MailgunPages<MailgunDomain>.Page {
        try query.validate()
        guard (1...Self.maximumPageSize).contains(limit) else { throw MailroomError.invalidValue(field: "limit", "must be 1 to 1000, not \(limit)") }
        guard skip >= 0 else { throw MailroomError.invalidValue(field: "skip", "must not be negative") }
        let target = MailgunPath.target("/v4/domains", query: [
            ("limit", String(limit)), ("skip", skip == 0 ? nil : String(skip)), ("state", query.state?.rawValue), ("sort", query.sort),
            ("authority", query.authority), ("search", query.search), ("include_subaccounts", query.includeSubaccounts.map(String.init)),
        ])
        let json = MailgunJSON(try await client.execute(.init(method: .GET, target: target), logger: logger).json(), what: "Mailgun's domain list")
        let dates = MailgunDates()
        return .init(items: try json.objects("items").map { try MailgunDomain(answer: $0, dates: dates) }, total: json.int("total_count"))
    }

    /// The domain called `name`, with its sending and receiving DNS records.
    ///
    /// - Parameters:
    ///   - name: The domain name.
    ///   - logger: Where to log.
    /// - Returns: The domain.
    /// - Throws: ``MailroomError`` with ``MailroomError/Code/notFound`` when Mailgun has no such domain.
    public func get(_ name: String, logger: Logger) async throws -> MailgunDomain {
        try await domain(.GET, try Self.path("/v4/domains", name), logger: logger)
    }

    /// Adds a domain.
    ///
    /// - Parameters:
    ///   - name: The new domain's name.
    ///   - settings: Its settings; only those set are sent.
    ///   - logger: Where to log.
    /// - Returns: The domain with the DNS records to publish.
    /// - Throws: ``MailroomError``: a bad name or setting, ``MailroomError/Code/alreadyExists``, or a provider failure.
    public func create(_ name: String, settings: MailgunDomainSettings = MailgunDomainSettings(), logger: Logger) async throws -> MailgunDomain {
        _ = try Self.path("/v4/domains", name)
        try settings.validate(for: .create)
        let form = MultipartFormBody(parts: ([(name: "name", value: name)] + settings.fields).map { .field(name: $0.name, value: $0.value) })
        return try await domain(.POST, "/v4/domains", body: .form(form), logger: logger)
    }

    /// Changes the settings that are set in `settings`, leaving the others as they are.
    ///
    /// - Parameters:
    ///   - name: The domain name.
    ///   - settings: The settings to change; at least one.
    ///   - logger: Where to log.
    /// - Returns: The domain as Mailgun now describes it.
    /// - Throws: ``MailroomError``: a bad name or setting, ``MailroomError/Code/notFound``, or a provider failure.
    public func update(_ name: String, settings: MailgunDomainSettings, logger: Logger) async throws -> MailgunDomain {
        let path = try Self.path("/v4/domains", name)
        try settings.validate(for: .update)
        guard !settings.fields.isEmpty else { throw MailroomError.missingField("settings", "nothing to update: set at least one field") }
        let form = MultipartFormBody(parts: settings.fields.map { .field(name: $0.name, value: $0.value) })
        return try await domain(.PUT, path, body: .form(form), logger: logger)
    }

    /// Asks Mailgun to look up the domain's DNS records again.
    ///
    /// - Parameters:
    ///   - name: The domain name.
    ///   - logger: Where to log.
    /// - Returns: The domain with its state and records as Mailgun found them.
    /// - Throws: ``MailroomError`` with ``MailroomError/Code/notFound`` when Mailgun has no such domain.
    public func verify(_ name: String, logger: Logger) async throws -> MailgunDomain {
        try await domain(.PUT, try Self.path("/v4/domains", name) + "/verify", logger: logger)
    }

    /// Deletes the domain (Mailgun does so in the background; not for sandbox or DKIM-authority domains).
    ///
    /// - Parameters:
    ///   - name: The domain name.
    ///   - logger: Where to log.
    /// - Throws: ``MailroomError`` with ``MailroomError/Code/notFound`` when Mailgun has no such domain.
    public func delete(_ name: String, logger: Logger) async throws {
        _ = try await client.execute(.init(method: .DELETE, target: try Self.path("/v3/domains", name)), logger: logger)
    }

    private func domain(_ method: HTTPMethod, _ target: String, body: MailgunClient.Request.Body = .none, logger: Logger) async throws -> MailgunDomain {
        let json = try await client.execute(.init(method: method, target: target, body: body), logger: logger).json()
        return try MailgunDomain(answer: MailgunJSON(json, what: "Mailgun's domain"), dates: MailgunDates())
    }

    /// `collection/name` after checking the name.
    static func path(_ collection: String, _ name: String) throws -> String {
        guard isDomainName(name) else { throw MailroomError.invalidValue(field: "name", "'\(name.prefix(100))' is not a domain name") }
        return collection + "/" + name.lowercased()
    }

    /// Letters, digits and hyphens in dot-separated labels of 1 to 63 characters, 253 at most.
    static func isDomainName(_ text: String) -> Bool {
        guard (1...253).contains(text.utf8.count) else { return false }
        return text.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
            (1...63).contains(label.utf8.count) && label.first != "-" && label.last != "-"
                && label.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7A) || $0 == 0x2D }
        }
    }
}
