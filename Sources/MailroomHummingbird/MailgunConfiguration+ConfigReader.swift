/// Public because `ConfigReader` appears in this file's public API.
public import Configuration
/// Public because `MailgunConfiguration` is extended in this file's public API.
public import MailroomMailgun
import Mailroom

@available(macOS 15, iOS 18, macCatalyst 18, tvOS 18, visionOS 2, *)
extension MailgunConfiguration {
    /// Reads the configuration the way Hummingbird 2 apps read theirs, from apple/swift-configuration.
    ///
    /// ## Configuration keys
    /// - `apiKey` (string, secret, required): the private API key; `MAILGUN_API_KEY` with an
    ///   environment provider and the reader scoped to `mailgun`.
    /// - `domain` (string, optional): the default sending domain (`MAILGUN_DOMAIN`).
    /// - `region` (string, optional, default `us`): `us` or `eu` (`MAILGUN_REGION`).
    /// - `baseURL` (string, optional): a custom base URL, e.g. a local `mailgun-mock`; wins over the
    ///   region; `http://` only for loopback hosts (`MAILGUN_BASE_URL`).
    ///
    /// ```swift
    /// let config = ConfigReader(providers: [EnvironmentVariablesProvider(), try await JSONProvider(filePath: "config.json")])
    /// let mailgun = try MailgunConfiguration(reader: config.scoped(to: "mailgun"))
    /// ```
    ///
    /// - Parameter reader: The reader, scoped to Mailgun's keys.
    /// - Throws: `MailroomError` with `MailroomError.Code.configuration` naming the key that is missing or invalid.
    public init(reader: ConfigReader) throws {
        guard let key = reader.string(forKey: "apiKey", isSecret: true), !key.isEmpty else {
            throw MailroomError(code: .configuration, field: "apiKey", message: "is not set; give the Mailgun API key (MAILGUN_API_KEY)")
        }
        var region = MailgunConfiguration.Region.us
        do {
            if let url = reader.string(forKey: "baseURL"), !url.isEmpty {
                region = try .custom(url)
            } else if let name = reader.string(forKey: "region"), !name.isEmpty {
                region = try .named(name)
            }
        } catch var error as MailroomError {
            error.code = .configuration
            error.field = reader.string(forKey: "baseURL")?.isEmpty == false ? "baseURL" : "region"
            throw error
        }
        let domain = reader.string(forKey: "domain").flatMap { $0.isEmpty ? nil : $0 }
        do {
            try self.init(apiKey: key, region: region, domain: domain)
        } catch var error as MailroomError {
            error.code = .configuration
            error.field = error.field == "domain" ? "domain" : "apiKey"
            throw error
        }
    }
}
