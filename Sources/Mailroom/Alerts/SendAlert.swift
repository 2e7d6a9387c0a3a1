/// Public because `Date` appears in this file's public API.
public import Foundation

/// A send alert: notify a channel when a sending metric crosses a limit (Mailgun's
/// `/v1/thresholds/alerts/send`).
///
/// ```swift
/// let alert = SendAlert(name: "hard bounce rate", metric: .hardBounceRate, comparator: .greaterThan,
///                       limit: ".05", dimension: .domain, channels: [.email], period: "1h")
/// try alert.validate()
/// ```
public struct SendAlert: Sendable, Hashable {
    /// What is measured.
    public struct Metric: AlertVocabulary {
        /// The provider's spelling.
        public let rawValue: String
        /// Wraps a spelling; validation accepts only ``known`` ones.
        public init(rawValue: String) { self.rawValue = rawValue }
        /// Share of messages that hard-bounced.
        public static let hardBounceRate = Metric(rawValue: "hard_bounce_rate")
        /// Share of messages that failed temporarily.
        public static let temporaryFailRate = Metric(rawValue: "temporary_fail_rate")
        /// Share of messages delivered.
        public static let deliveredRate = Metric(rawValue: "delivered_rate")
        /// Share of messages reported as spam.
        public static let complainedRate = Metric(rawValue: "complained_rate")
        /// The documented metrics.
        public static let known: [Metric] = [.hardBounceRate, .temporaryFailRate, .deliveredRate, .complainedRate]
    }

    /// How the metric is compared with the limit.
    public struct Comparator: AlertVocabulary {
        /// The provider's spelling.
        public let rawValue: String
        /// Wraps a spelling; validation accepts only ``known`` ones.
        public init(rawValue: String) { self.rawValue = rawValue }
        /// `=`
        public static let equal = Comparator(rawValue: "=")
        /// `!=`
        public static let notEqual = Comparator(rawValue: "!=")
        /// `<`
        public static let lessThan = Comparator(rawValue: "<")
        /// `<=`
        public static let lessThanOrEqual = Comparator(rawValue: "<=")
        /// `>`
        public static let greaterThan = Comparator(rawValue: ">")
        /// `>=`
        public static let greaterThanOrEqual = Comparator(rawValue: ">=")
        /// The documented comparators.
        public static let known: [Comparator] = [.equal, .notEqual, .lessThan, .lessThanOrEqual, .greaterThan, .greaterThanOrEqual]
    }

    /// What the metric is grouped by.
    public struct Dimension: AlertVocabulary {
        /// The provider's spelling.
        public let rawValue: String
        /// Wraps a spelling; validation accepts only ``known`` ones.
        public init(rawValue: String) { self.rawValue = rawValue }
        /// The sending domain.
        public static let domain = Dimension(rawValue: "domain")
        /// The sending IP address.
        public static let ip = Dimension(rawValue: "ip")
        /// The IP pool.
        public static let ipPool = Dimension(rawValue: "ip_pool")
        /// The recipient's mailbox provider.
        public static let recipientProvider = Dimension(rawValue: "recipient_provider")
        /// The subaccount.
        public static let subaccount = Dimension(rawValue: "subaccount")
        /// The documented dimensions.
        public static let known: [Dimension] = [.domain, .ip, .ipPool, .recipientProvider, .subaccount]
    }

    /// Where a triggered alert is sent.
    public struct Channel: AlertVocabulary {
        /// The provider's spelling.
        public let rawValue: String
        /// Wraps a spelling; validation accepts only ``known`` ones.
        public init(rawValue: String) { self.rawValue = rawValue }
        /// Email to the account's users.
        public static let email = Channel(rawValue: "email")
        /// The account's webhook.
        public static let webhook = Channel(rawValue: "webhook")
        /// The account's Slack integration.
        public static let slack = Channel(rawValue: "slack")
        /// The documented channels.
        public static let known: [Channel] = [.email, .webhook, .slack]
    }

    /// Restricts an alert to some values of a dimension.
    public struct Filter: Sendable, Hashable {
        /// How a filter compares the dimension with its values.
        public struct Comparator: AlertVocabulary {
            /// The provider's spelling.
            public let rawValue: String
            /// Wraps a spelling; validation accepts only ``known`` ones.
            public init(rawValue: String) { self.rawValue = rawValue }
            /// `=`
            public static let equal = Comparator(rawValue: "=")
            /// `!=`
            public static let notEqual = Comparator(rawValue: "!=")
            /// `contains`
            public static let contains = Comparator(rawValue: "contains")
            /// `not contains`
            public static let notContains = Comparator(rawValue: "not contains")
            /// `<`
            public static let lessThan = Comparator(rawValue: "<")
            /// `<=`
            public static let lessThanOrEqual = Comparator(rawValue: "<=")
            /// `>`
            public static let greaterThan = Comparator(rawValue: ">")
            /// `>=`
            public static let greaterThanOrEqual = Comparator(rawValue: ">=")
            /// The documented comparators.
            public static let known: [Comparator] = [
                .equal, .notEqual, .contains, .notContains, .lessThan, .lessThanOrEqual, .greaterThan, .greaterThanOrEqual,
            ]
        }

        /// The dimension filtered on.
        public var dimension: Dimension
        /// The comparison.
        public var comparator: Comparator
        /// The values compared with; at least one.
        public var values: [String]

        /// Creates a filter.
        ///
        /// - Parameters:
        ///   - dimension: The dimension filtered on.
        ///   - comparator: The comparison.
        ///   - values: The values; at least one.
        public init(dimension: Dimension, comparator: Comparator, values: [String]) {
            self.dimension = dimension
            self.comparator = comparator
            self.values = values
        }
    }

    /// The alert's unique name; it may contain spaces.
    public var name: String
    /// What is measured.
    public var metric: Metric
    /// How the metric is compared with ``limit``.
    public var comparator: Comparator
    /// The threshold as the provider writes it, a decimal string such as `".99"`.
    public var limit: String
    /// What the metric is grouped by.
    public var dimension: Dimension
    /// Where notifications go. Default empty (the provider's default).
    public var channels: [Channel]
    /// The aggregation period, e.g. `1h` or `1d`; the provider's default when `nil`.
    public var period: String?
    /// Restrictions to some dimension values. Default empty.
    public var filters: [Filter]
    /// A description for people. Default `nil`.
    public var description: String?
    /// The provider's id, set on alerts read back.
    public var id: String?
    /// When the alert was created, set on alerts read back.
    public var createdAt: Date?
    /// When the alert was last changed, set on alerts read back.
    public var updatedAt: Date?
    /// When the provider last evaluated the alert, set on alerts read back.
    public var lastChecked: Date?

    /// Creates an alert.
    ///
    /// - Parameters:
    ///   - name: The unique name.
    ///   - metric: What is measured.
    ///   - comparator: How it is compared.
    ///   - limit: The threshold, a decimal string such as `".99"`.
    ///   - dimension: What it is grouped by.
    ///   - channels: Where notifications go.
    ///   - period: The aggregation period, e.g. `1h`.
    ///   - filters: Restrictions to some dimension values.
    ///   - description: A description for people.
    public init(
        name: String,
        metric: Metric,
        comparator: Comparator,
        limit: String,
        dimension: Dimension,
        channels: [Channel] = [],
        period: String? = nil,
        filters: [Filter] = [],
        description: String? = nil
    ) {
        self.name = name
        self.metric = metric
        self.comparator = comparator
        self.limit = limit
        self.dimension = dimension
        self.channels = channels
        self.period = period
        self.filters = filters
        self.description = description
    }

    /// Checks every field against the provider's vocabulary and formats.
    ///
    /// - Throws: ``MailroomError`` naming the field: `name`, `metric`, `comparator`, `limit`,
    ///   `dimension`, `channels[i]`, `period`, `filters[i].dimension`, `filters[i].comparator`,
    ///   `filters[i].values`, or `description`.
    public func validate() throws {
        try HeaderText.check(name, field: "name")
        if name.trimmingCharacters(in: .whitespaces).isEmpty { throw MailroomError.missingField("name", "an alert needs a name") }
        try metric.check(field: "metric")
        try comparator.check(field: "comparator")
        let isDecimal = !limit.isEmpty && limit.allSatisfy { $0.isASCII && ($0.isNumber || $0 == ".") }
            && limit.filter { $0 == "." }.count <= 1 && limit != "."
        if !isDecimal { throw MailroomError.invalidValue(field: "limit", "'\(limit)' is not a decimal number such as .99 or 5") }
        try dimension.check(field: "dimension")
        for (index, channel) in channels.enumerated() { try channel.check(field: "channels[\(index)]") }
        if let period {
            let isPeriod = period.count >= 2 && (period.hasSuffix("h") || period.hasSuffix("d"))
                && period.dropLast().allSatisfy { $0.isASCII && $0.isNumber } && Int(period.dropLast()) != 0
            if !isPeriod { throw MailroomError.invalidValue(field: "period", "'\(period)' is not a period such as 1h or 1d") }
        }
        for (index, filter) in filters.enumerated() {
            try filter.dimension.check(field: "filters[\(index)].dimension")
            try filter.comparator.check(field: "filters[\(index)].comparator")
            if filter.values.isEmpty { throw MailroomError.missingField("filters[\(index)].values", "a filter needs at least one value") }
        }
        if let description { try HeaderText.check(description, field: "description") }
    }
}
