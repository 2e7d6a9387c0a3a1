public import Mailroom

/// The answer to a signup, `202 {"id": "<…>" or null, "accepted": […], "suppressed": […]}`: who got
/// the welcome email and who was left out because a suppression list holds them.
public struct SignupAnswer: Codable, Sendable, Equatable {
    /// The provider's message id; `nil` when nothing was sent.
    public var id: String?
    /// The addresses the provider accepted.
    public var accepted: [String]
    /// The addresses left out.
    public var suppressed: [String]

    /// Creates an answer.
    ///
    /// - Parameters:
    ///   - id: The provider's message id, or `nil` when nothing was sent.
    ///   - accepted: The addresses the provider accepted.
    ///   - suppressed: The addresses left out.
    public init(id: String?, accepted: [String], suppressed: [String]) {
        self.id = id
        self.accepted = accepted
        self.suppressed = suppressed
    }

    /// The answer for a receipt.
    ///
    /// - Parameter receipt: The send's receipt.
    public init(_ receipt: SendReceipt) {
        self.init(id: receipt.id, accepted: receipt.accepted.map(\.mailbox), suppressed: receipt.suppressed.map(\.mailbox))
    }

    private enum CodingKeys: String, CodingKey { case id, accepted, suppressed }

    /// Decodes an answer.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decodeIfPresent(String.self, forKey: .id)
        accepted = try container.decode([String].self, forKey: .accepted)
        suppressed = try container.decode([String].self, forKey: .suppressed)
    }

    /// Encodes the answer; `id` is written as null when nothing was sent, as the API promises.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(accepted, forKey: .accepted)
        try container.encode(suppressed, forKey: .suppressed)
    }
}
