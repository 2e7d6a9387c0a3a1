/// Public because `Mailer`, `SuppressionStore` and `AlertSink` appear in this file's public API.
public import Mailroom

/// One implementation of Mailroom's three protocols, as the conformance suite drives it.
///
/// ```swift
/// let implementation = MailroomImplementation(
///     name: "in-memory", mailer: mailer, suppressions: store, alerts: sink,
///     delivered: { mailer.sent.map { $0.envelope.recipients.map(\.mailbox) } }
/// )
/// for check in MailroomConformance.checks { try await check.run(on: implementation) }
/// ```
public struct MailroomImplementation: Sendable {
    /// A name for reports, e.g. `in-memory` or `mailgun`.
    public var name: String
    /// The mailer. Messages are sent from `hello@<domain>`.
    public var mailer: any Mailer
    /// The suppression store.
    public var suppressions: any SuppressionStore
    /// The alert sink.
    public var alerts: any AlertSink
    /// What reached the provider so far, oldest first: each accepted request's recipients, bare addresses.
    public var delivered: @Sendable () async -> [[String]]
    /// The sending domain the mailer accepts. Default `acme.test`.
    public var domain: String

    /// Creates an implementation description.
    ///
    /// - Parameters:
    ///   - name: A name for reports.
    ///   - mailer: The mailer, fresh for this check.
    ///   - suppressions: The suppression store, empty.
    ///   - alerts: The alert sink, empty.
    ///   - domain: The sending domain the mailer accepts.
    ///   - delivered: What reached the provider so far.
    public init(
        name: String,
        mailer: any Mailer,
        suppressions: any SuppressionStore,
        alerts: any AlertSink,
        domain: String = "acme.test",
        delivered: @escaping @Sendable () async -> [[String]]
    ) {
        self.name = name
        self.mailer = mailer
        self.suppressions = suppressions
        self.alerts = alerts
        self.domain = domain
        self.delivered = delivered
    }
}
