public import Foundation

/// One event the mock posted (or tried to post) to one webhook URL, with every attempt.
public struct MockWebhookDelivery: Sendable, Hashable, Codable {
    /// One POST.
    public struct Attempt: Sendable, Hashable, Codable {
        /// The HTTP status answered, or `nil` when the request failed.
        public var status: Int?
        /// Why the request failed, when it did.
        public var error: String?
        /// When it was made.
        public var at: Date
    }

    /// The webhook type the URL is configured for, e.g. `permanent_fail`.
    public var webhook: String
    /// The event's `event` field, e.g. `failed`.
    public var event: String
    /// The event's recipient.
    public var recipient: String
    /// The message's Message-ID, `<…>`.
    public var messageID: String
    /// The URL posted to.
    public var url: String
    /// The JSON body posted, signed.
    public var body: String
    /// Every attempt, in order.
    public var attempts: [Attempt]

    /// Whether the last attempt was answered 200.
    public var succeeded: Bool { attempts.last?.status == 200 }
}
