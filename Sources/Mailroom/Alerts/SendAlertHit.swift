/// Public because `Date` appears in this file's public API.
public import Foundation

/// A send alert that fired: which alert, the value that crossed its limit, and whether it still holds
/// (Mailgun's `GET /v1/thresholds/hits`).
public struct SendAlertHit: Sendable, Hashable {
    /// The hit's id.
    public var id: String
    /// The alert's name.
    public var name: String
    /// The metric measured.
    public var metric: SendAlert.Metric
    /// How it was compared.
    public var comparator: SendAlert.Comparator
    /// The alert's limit, as written (`".05"`).
    public var limit: String
    /// The value that crossed it, as written.
    public var latestValue: String
    /// The dimension the alert groups by.
    public var dimension: SendAlert.Dimension
    /// Whether the alert is firing now.
    public var isTriggered: Bool
    /// When the hit was first recorded.
    public var createdAt: Date?
    /// When the hit last changed.
    public var updatedAt: Date?
    /// When the hit expires; `nil` when it has no end (Mailgun writes year 1).
    public var expiresAt: Date?

    /// Creates a hit.
    ///
    /// - Parameters:
    ///   - id: The hit's id.
    ///   - name: The alert's name.
    ///   - metric: The metric.
    ///   - comparator: The comparator.
    ///   - limit: The limit.
    ///   - latestValue: The value that crossed it.
    ///   - dimension: The dimension.
    ///   - isTriggered: Whether it is firing.
    ///   - createdAt: When it was first recorded.
    ///   - updatedAt: When it last changed.
    ///   - expiresAt: When it expires.
    public init(
        id: String, name: String, metric: SendAlert.Metric, comparator: SendAlert.Comparator, limit: String, latestValue: String,
        dimension: SendAlert.Dimension, isTriggered: Bool = true, createdAt: Date? = nil, updatedAt: Date? = nil, expiresAt: Date? = nil
    ) {
        self.id = id
        self.name = name
        self.metric = metric
        self.comparator = comparator
        self.limit = limit
        self.latestValue = latestValue
        self.dimension = dimension
        self.isTriggered = isTriggered
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.expiresAt = expiresAt
    }
}
