/// Public because `PostgresClient.Configuration` appears in this file's public API.
public import PostgresNIO
import Foundation
import Mailroom
import NIOSSL

/// Where a PostgreSQL server is and how to log in, from a URL such as
/// `postgres://mailroom:secret@db.internal:5432/app?sslmode=require` (`MAILROOM_POSTGRES_URL`).
///
/// `sslmode` is `disable`, `prefer` (the default, as libpq's) or `require` (then the server's
/// certificate is verified against the system's roots). The password is kept for the connection
/// only: ``description`` shows `***` in its place, and no error quotes it.
public struct PostgresURL: Sendable, CustomStringConvertible {
    /// The server's host name or address.
    public var host: String
    /// The server's port. Default 5432.
    public var port: Int
    /// The user to log in as.
    public var username: String
    /// The password, if any; never printed.
    public var password: String?
    /// The database; default: the user's name.
    public var database: String
    /// `disable`, `prefer` or `require`.
    public var sslMode: String

    /// The environment variable the CLI, the adapters and the tests read.
    public static let environmentVariable = "MAILROOM_POSTGRES_URL"

    /// Reads a URL.
    ///
    /// - Parameters:
    ///   - url: `postgres://` or `postgresql://`, user, optional password, host, optional port and database.
    ///   - field: The input to name in errors. Default ``environmentVariable``.
    /// - Throws: `MailroomError.Code.invalidValue` naming `field` for anything else; the message
    ///   never holds the password.
    public init(_ url: String, field: String = PostgresURL.environmentVariable) throws {
        guard let components = URLComponents(string: url), let scheme = components.scheme, ["postgres", "postgresql"].contains(scheme) else {
            throw MailroomError.invalidValue(field: field, "must be a postgres:// URL, like postgres://user:password@127.0.0.1:5432/app")
        }
        guard let host = components.host, !host.isEmpty else { throw MailroomError.invalidValue(field: field, "has no host") }
        guard let username = components.user, !username.isEmpty else { throw MailroomError.invalidValue(field: field, "has no user name") }
        let database = components.path.drop { $0 == "/" }
        guard !database.contains("/") else { throw MailroomError.invalidValue(field: field, "names more than one database") }
        var sslMode = "prefer"
        for item in components.queryItems ?? [] {
            guard item.name == "sslmode", let value = item.value else {
                throw MailroomError.invalidValue(field: field, "has an unknown parameter '\(item.name.prefix(30))'; only sslmode is read")
            }
            guard ["disable", "prefer", "require"].contains(value) else {
                throw MailroomError.invalidValue(field: field, "sslmode '\(value.prefix(20))' is not disable, prefer or require")
            }
            sslMode = value
        }
        self.host = host
        self.port = components.port ?? 5432
        self.username = username.removingPercentEncoding ?? username
        self.password = components.password.map { $0.removingPercentEncoding ?? $0 }
        self.database = database.isEmpty ? self.username : String(database)
        self.sslMode = sslMode
    }

    /// The URL with `***` for the password.
    public var description: String {
        "postgres://\(username)\(password == nil ? "" : ":***")@\(host.contains(":") ? "[\(host)]" : host):\(port)/\(database)?sslmode=\(sslMode)"
    }

    /// The configuration of a `PostgresClient` for this server.
    public var clientConfiguration: PostgresClient.Configuration {
        let tls: PostgresClient.Configuration.TLS = switch sslMode {
        case "disable": .disable
        case "require": .require(.makeClientConfiguration())
        default: .prefer(.makeClientConfiguration())
        }
        return PostgresClient.Configuration(host: host, port: port, username: username, password: password, database: database, tls: tls)
    }
}
