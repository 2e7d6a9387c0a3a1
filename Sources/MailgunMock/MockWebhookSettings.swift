/// Where the mock posts events and how it signs them: set with the configuration, the
/// `mailgun-mock` flags `--webhook-url` and `--signing-key`, or `PUT /mock/webhooks`.
public struct MockWebhookSettings: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The webhook types Mailgun lets one subscribe to.
    public static let types = ["accepted", "delivered", "opened", "clicked", "unsubscribed", "complained", "permanent_fail", "temporary_fail"]

    /// The HTTP webhook signing key events are signed with; no events are posted without one.
    public var signingKey: String?
    /// The URLs per webhook type (`delivered`, `permanent_fail`, …).
    public var urls: [String: [String]]
    /// The waits before each retry of an answer other than 200 or 406 (`delivered` events are
    /// never retried, as with Mailgun). Default 50, 100 and 200 ms: Mailgun's schedule of minutes
    /// to hours, shortened for tests.
    public var retryDelays: [Duration]

    /// Creates settings.
    ///
    /// - Parameters:
    ///   - signingKey: The signing key; none means no deliveries.
    ///   - urls: The URLs per webhook type.
    ///   - retryDelays: The waits before each retry.
    public init(signingKey: String? = nil, urls: [String: [String]] = [:], retryDelays: [Duration] = [.milliseconds(50), .milliseconds(100), .milliseconds(200)]) {
        self.signingKey = signingKey
        self.urls = urls
        self.retryDelays = retryDelays
    }

    /// Settings that post every type of event to `url`.
    ///
    /// - Parameters:
    ///   - url: The receiver's URL.
    ///   - signingKey: The signing key.
    /// - Returns: The settings.
    public static func all(to url: String, signingKey: String) -> MockWebhookSettings {
        MockWebhookSettings(signingKey: signingKey, urls: Dictionary(uniqueKeysWithValues: types.map { ($0, [url]) }))
    }

    /// The settings without the signing key.
    public var description: String {
        "MockWebhookSettings(signingKey: \(signingKey == nil ? "none" : "<redacted>"), urls: \(urls), retryDelays: \(retryDelays))"
    }

    enum CodingKeys: String, CodingKey {
        case signingKey, urls, retryDelaysMilliseconds
    }

    /// Decodes `{"signingKey": "…", "urls": {"delivered": ["http://…"]}, "retryDelaysMilliseconds": [50]}`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        signingKey = try container.decodeIfPresent(String.self, forKey: .signingKey)
        urls = try container.decodeIfPresent([String: [String]].self, forKey: .urls) ?? [:]
        for type in urls.keys where !Self.types.contains(type) {
            throw DecodingError.dataCorruptedError(forKey: .urls, in: container, debugDescription: "unknown webhook type '\(type)'; one of \(Self.types)")
        }
        let delays = try container.decodeIfPresent([Int].self, forKey: .retryDelaysMilliseconds) ?? [50, 100, 200]
        retryDelays = delays.map { .milliseconds(max(0, $0)) }
    }

    /// Encodes the settings; the signing key is written as `<set>` so the inspection API never shows it.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(signingKey == nil ? nil : "<set>", forKey: .signingKey)
        try container.encode(urls, forKey: .urls)
        try container.encode(retryDelays.map { Int($0.components.seconds * 1_000 + $0.components.attoseconds / 1_000_000_000_000_000) }, forKey: .retryDelaysMilliseconds)
    }
}
