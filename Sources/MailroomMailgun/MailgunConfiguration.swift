import Foundation
/// Public because `MetricsFactory` appears in this file's public API.
public import CoreMetrics
import Mailroom
import Metrics

/// Everything a ``MailgunMailer`` needs to reach Mailgun: credentials, region, domain, timeouts,
/// retries, user agent and where metrics go.
///
/// The API key is never shown: ``description`` and `debugDescription` redact it, and it is sent only
/// to the configured base URL.
///
/// ```swift
/// let configuration = try MailgunConfiguration.fromEnvironment()      // MAILGUN_API_KEY, MAILGUN_DOMAIN, …
/// var eu = try MailgunConfiguration(apiKey: key, region: .eu, domain: "mg.acme.test")
/// eu.retry.maximumAttempts = 5
/// ```
public struct MailgunConfiguration: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// Where Mailgun's API lives; compare with the static members.
    public struct Region: Sendable, Hashable, CustomStringConvertible {
        /// The API's base URL, without a trailing slash.
        public let baseURL: String
        private init(baseURL: String) { self.baseURL = baseURL }

        /// `https://api.mailgun.net`.
        public static let us = Region(baseURL: "https://api.mailgun.net")
        /// `https://api.eu.mailgun.net`.
        public static let eu = Region(baseURL: "https://api.eu.mailgun.net")

        /// Any other base URL: `https://` anywhere, `http://` only on a loopback host (a local mock).
        ///
        /// - Parameter url: The base URL, e.g. `http://127.0.0.1:8025`.
        /// - Throws: `MailroomError` with code `MailroomError.Code.configuration` naming `baseURL`.
        public static func custom(_ url: String) throws -> Region {
            var trimmed = url.trimmingCharacters(in: .whitespaces)
            while trimmed.hasSuffix("/") { trimmed.removeLast() }
            guard let components = URLComponents(string: trimmed), let scheme = components.scheme?.lowercased(),
                let host = components.host, !host.isEmpty, components.query == nil, components.user == nil
            else {
                throw MailroomError(code: .configuration, field: "baseURL", message: "'\(url)' is not an absolute http(s) URL")
            }
            switch scheme {
            case "https":
                break
            case "http":
                guard isLoopback(host) else {
                    throw MailroomError(code: .configuration, field: "baseURL", message: "plain http:// is allowed only for loopback hosts (127.0.0.1, ::1, localhost); use https://")
                }
            default:
                throw MailroomError(code: .configuration, field: "baseURL", message: "'\(url)' is not an http(s) URL")
            }
            return Region(baseURL: trimmed)
        }

        /// The region named `us` or `eu` (any case).
        ///
        /// - Parameter name: `us` or `eu`.
        /// - Throws: `MailroomError` naming `region` for any other name.
        public static func named(_ name: String) throws -> Region {
            switch name.lowercased() {
            case "us": return .us
            case "eu": return .eu
            default: throw MailroomError(code: .configuration, field: "region", message: "'\(name)' is not a region; use us or eu")
            }
        }

        /// The base URL.
        public var description: String { baseURL }

        static func isLoopback(_ host: String) -> Bool {
            let bare = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]")).lowercased()
            return bare == "localhost" || bare == "::1" || bare.hasPrefix("127.")
        }
    }

    /// When and how failed requests are tried again (DESIGN decision 6).
    public struct RetryPolicy: Sendable {
        /// Attempts in all, the first included. Default 3.
        public var maximumAttempts: Int
        /// The first backoff; each retry doubles it, with full jitter. Default 500 ms.
        public var initialBackoff: Duration
        /// The longest wait between attempts, advised or computed. Default 60 s.
        public var maximumBackoff: Duration
        /// Retry `POST /messages` on 5xx and timeouts too. Default `false`: a duplicate email is worse than an error.
        public var retriesSendsOnServerErrors: Bool
        /// Waits between attempts. Default `Task.sleep`, which honours cancellation; tests inject a recorder.
        public var sleep: @Sendable (Duration) async throws -> Void
        /// Picks the jittered wait up to a bound. Default: uniformly random.
        public var jitter: @Sendable (Duration) -> Duration

        /// Creates a policy; every member has the default its documentation states.
        public init(
            maximumAttempts: Int = 3,
            initialBackoff: Duration = .milliseconds(500),
            maximumBackoff: Duration = .seconds(60),
            retriesSendsOnServerErrors: Bool = false,
            sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) },
            jitter: @escaping @Sendable (Duration) -> Duration = { bound in
                .nanoseconds(Int64.random(in: 0...max(0, Int64(bound.components.seconds) * 1_000_000_000 + bound.components.attoseconds / 1_000_000_000)))
            }
        ) {
            self.maximumAttempts = maximumAttempts
            self.initialBackoff = initialBackoff
            self.maximumBackoff = maximumBackoff
            self.retriesSendsOnServerErrors = retriesSendsOnServerErrors
            self.sleep = sleep
            self.jitter = jitter
        }

        /// No retries at all.
        public static var never: RetryPolicy { RetryPolicy(maximumAttempts: 1) }
    }

    /// How long requests may take. Connection timeouts belong to the borrowed `HTTPClient`'s own
    /// configuration, which this library does not own.
    public struct Timeouts: Sendable {
        /// One whole request, upload and response included. Default 120 s.
        public var request: Duration

        /// Creates timeouts; every member has the default its documentation states.
        public init(request: Duration = .seconds(120)) {
            self.request = request
        }
    }

    /// The private API key, sent as the HTTP Basic password with user `api`. Never shown.
    public var apiKey: String
    /// Where the API lives. Default ``Region/us``.
    public var region: Region
    /// The sending domain used when a call names none. Default `nil`: every call must name one.
    public var domain: String?
    /// Request timeouts. Default ``Timeouts/init(request:)``.
    public var timeouts: Timeouts
    /// Retries. Default ``RetryPolicy/init(maximumAttempts:initialBackoff:maximumBackoff:retriesSendsOnServerErrors:sleep:jitter:)``.
    public var retry: RetryPolicy
    /// The `User-Agent` header. Default `Mailroom/0.1 (MailroomMailgun)`.
    public var userAgent: String
    /// Where request counters and latency timers go. Default: the process's bootstrapped `MetricsSystem`.
    public var metricsFactory: any MetricsFactory

    /// Creates a configuration.
    ///
    /// - Parameters:
    ///   - apiKey: The private API key.
    ///   - region: Where the API lives. Default US.
    ///   - domain: The default sending domain.
    ///   - timeouts: Request timeouts.
    ///   - retry: Retries.
    ///   - userAgent: The `User-Agent` header.
    ///   - metricsFactory: Where metrics go. Default: the bootstrapped `MetricsSystem`.
    /// - Throws: `MailroomError` with code `MailroomError.Code.configuration` for an empty key
    ///   or a key or domain with a line break or space.
    public init(
        apiKey: String,
        region: Region = .us,
        domain: String? = nil,
        timeouts: Timeouts = Timeouts(),
        retry: RetryPolicy = RetryPolicy(),
        userAgent: String = "Mailroom/0.1 (MailroomMailgun)",
        metricsFactory: (any MetricsFactory)? = nil
    ) throws {
        self.apiKey = apiKey
        self.region = region
        self.domain = domain
        self.timeouts = timeouts
        self.retry = retry
        self.userAgent = userAgent
        self.metricsFactory = metricsFactory ?? MetricsSystem.factory
        try validate()
    }

    /// Checks the key and domain.
    ///
    /// - Throws: `MailroomError` with code `MailroomError.Code.configuration` naming `apiKey` or `domain`.
    public func validate() throws {
        if apiKey.isEmpty { throw MailroomError(code: .configuration, field: "apiKey", message: "the Mailgun API key is empty") }
        if apiKey.contains(where: { $0.isWhitespace || $0.isNewline }) {
            throw MailroomError(code: .configuration, field: "apiKey", message: "the Mailgun API key contains white space")
        }
        if let domain { try Self.checkDomain(domain, field: "domain") }
        if retry.maximumAttempts < 1 {
            throw MailroomError(code: .configuration, field: "retry.maximumAttempts", message: "at least 1 attempt is needed")
        }
    }

    static func checkDomain(_ domain: String, field: String) throws {
        let valid = !domain.isEmpty && domain.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "-") }
        if !valid { throw MailroomError(code: .configuration, field: field, message: "'\(domain)' is not a domain name") }
    }

    /// The configuration with the key redacted.
    public var description: String {
        "MailgunConfiguration(apiKey: <redacted>, region: \(region), domain: \(domain ?? "none"), userAgent: \(userAgent))"
    }

    /// The same as ``description``: the key is redacted here too.
    public var debugDescription: String { description }
}
