/// Open and click tracking for one message; `nil` members leave the provider's domain default.
public struct Tracking: Sendable, Hashable {
    /// How links are rewritten for click tracking; compare with the static members.
    public struct Clicks: Sendable, Hashable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }

        /// `yes`, `no` or `htmlonly`, the provider's vocabulary.
        public var description: String { name }
        /// Track clicks in every part.
        public static let enabled = Clicks("yes")
        /// Do not track clicks.
        public static let disabled = Clicks("no")
        /// Track clicks in the HTML part only.
        public static let htmlOnly = Clicks("htmlonly")
    }

    /// Tracking as a whole (Mailgun's `o:tracking`); `nil` keeps the domain default.
    public var enabled: Bool?
    /// Open tracking; `nil` keeps the domain default.
    public var opens: Bool?
    /// Click tracking; `nil` keeps the domain default.
    public var clicks: Clicks?

    /// Creates tracking settings; every member defaults to `nil` (the domain default).
    public init(enabled: Bool? = nil, opens: Bool? = nil, clicks: Clicks? = nil) {
        self.enabled = enabled
        self.opens = opens
        self.clicks = clicks
    }
}
