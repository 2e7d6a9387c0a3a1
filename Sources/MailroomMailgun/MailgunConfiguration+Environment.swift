/// Public because `ProcessInfo` is a default argument of this file's public API.
public import Foundation
import Mailroom

extension MailgunConfiguration {
    /// The environment variables read by ``fromEnvironment(_:)``.
    public enum EnvironmentKey {
        /// The private API key (required).
        public static let apiKey = "MAILGUN_API_KEY"
        /// The default sending domain.
        public static let domain = "MAILGUN_DOMAIN"
        /// `us` (default) or `eu`.
        public static let region = "MAILGUN_REGION"
        /// A custom base URL; wins over the region. `http://` only for loopback hosts.
        public static let baseURL = "MAILGUN_BASE_URL"
    }

    /// Reads `MAILGUN_API_KEY`, `MAILGUN_DOMAIN`, `MAILGUN_REGION` and `MAILGUN_BASE_URL`.
    ///
    /// - Parameter environment: The variables. Default: the process's environment.
    /// - Returns: A validated configuration.
    /// - Throws: `MailroomError` with code `MailroomError.Code.configuration` naming the variable
    ///   that is missing or invalid; never a crash.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> MailgunConfiguration {
        guard let key = environment[EnvironmentKey.apiKey], !key.isEmpty else {
            throw MailroomError(code: .configuration, field: EnvironmentKey.apiKey, message: "is not set; export your Mailgun API key")
        }
        var region = MailgunConfiguration.Region.us
        do {
            if let url = environment[EnvironmentKey.baseURL], !url.isEmpty {
                region = try .custom(url)
            } else if let name = environment[EnvironmentKey.region], !name.isEmpty {
                region = try .named(name)
            }
        } catch var error as MailroomError {
            error.field = environment[EnvironmentKey.baseURL].map { $0.isEmpty ? nil : $0 } != nil ? EnvironmentKey.baseURL : EnvironmentKey.region
            throw error
        }
        let domain = environment[EnvironmentKey.domain].flatMap { $0.isEmpty ? nil : $0 }
        do {
            return try MailgunConfiguration(apiKey: key, region: region, domain: domain)
        } catch var error as MailroomError {
            error.field = error.field == "domain" ? EnvironmentKey.domain : EnvironmentKey.apiKey
            throw error
        }
    }
}
