/// Public because `Logger` appears in this file's public API.
public import Logging
import Mailroom
import NIOHTTP1

/// Mailgun's users API (`/v5/users`): the account's people and their roles.
public struct MailgunUsers: Sendable {
    /// The most users one page holds.
    public static let maximumPageSize = 1_000

    /// The client the API talks through.
    public let client: MailgunClient

    /// Creates the API.
    ///
    /// - Parameter client: The Mailgun client, e.g. a ``MailgunMailer``'s.
    public init(client: MailgunClient) {
        self.client = client
    }

    /// Every user, or those with `role`, a page of `pageSize` at a time.
    ///
    /// - Parameters:
    ///   - role: Only users with this role.
    ///   - pageSize: Users per request, 1 to 1,000.
    ///   - logger: Where to log.
    /// - Returns: The users, fetched as they are iterated.
    public func list(role: MailgunUser.Role? = nil, pageSize: Int = 100, logger: Logger) -> MailgunPages<MailgunUser> {
        let api = self
        return MailgunPages(pageSize: min(max(pageSize, 1), Self.maximumPageSize)) { skip, limit in
            try await api.page(role: role, skip: skip, limit: limit, logger: logger)
        }
    }

    /// One page of users.
    ///
    /// - Parameters:
    ///   - role: Only users with this role.
    ///   - skip: Users to skip.
    ///   - limit: Users to return, 1 to 1,000.
    ///   - logger: Where to log.
    /// - Returns: The users and the total.
    /// - Throws: ``MailroomError`` for an unknown role or a provider failure.
    public func page(role: MailgunUser.Role? = nil, skip: Int = 0, limit: Int = 100, logger: Logger) async throws -> MailgunPages<MailgunUser>.Page {
        if let role, !MailgunUser.Role.known.contains(role) {
            throw MailroomError.invalidValue(field: "role", "'\(role.rawValue.prefix(40))' is not one of \(MailgunUser.Role.known.map(\.rawValue).joined(separator: ", "))")
        }
        guard (1...Self.maximumPageSize).contains(limit) else { throw MailroomError.invalidValue(field: "limit", "must be 1 to 1000, not \(limit)") }
        guard skip >= 0 else { throw MailroomError.invalidValue(field: "skip", "must not be negative") }
        let target = MailgunPath.target("/v5/users", query: [("role", role?.rawValue), ("limit", String(limit)), ("skip", skip == 0 ? nil : String(skip))])
        let json = MailgunJSON(try await client.execute(.init(method: .GET, target: target), logger: logger).json(), what: "Mailgun's user list")
        return .init(items: try json.objects("users").map(MailgunUser.init(json:)), total: json.int("total"))
    }

    /// The user with `id`.
    ///
    /// - Parameters:
    ///   - id: The user's id.
    ///   - logger: Where to log.
    /// - Returns: The user.
    /// - Throws: ``MailroomError`` with ``MailroomError/Code/notFound`` when there is no such user.
    public func get(_ id: String, logger: Logger) async throws -> MailgunUser {
        guard !id.isEmpty, id.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw MailroomError.invalidValue(field: "id", "'\(id.prefix(60))' is not a user id")
        }
        return try await user("/v5/users/" + MailgunPath.encoded(id), logger: logger)
    }

    /// The user the API key belongs to.
    ///
    /// Only a key with a user on it (a `web` key, made with `POST /v1/keys` and `kind=web`) can ask;
    /// for any other key Mailgun answers 403, which becomes an error saying so.
    ///
    /// - Parameter logger: Where to log.
    /// - Returns: The key's user.
    /// - Throws: ``MailroomError`` with ``MailroomError/Code/unauthorized`` for a key without a user.
    public func me(logger: Logger) async throws -> MailgunUser {
        do {
            return try await user("/v5/users/me", logger: logger)
        } catch let error as MailroomError where error.status == 403 {
            var explained = error
            explained.message = "/v5/users/me needs a key with a user on it (a web key, made with POST /v1/keys and kind=web); Mailgun refused this key (HTTP 403): \(error.providerMessage ?? "")"
            throw explained
        }
    }

    private func user(_ target: String, logger: Logger) async throws -> MailgunUser {
        let json = try await client.execute(.init(method: .GET, target: target), logger: logger).json()
        return try MailgunUser(json: MailgunJSON(json, what: "Mailgun's user"))
    }
}
