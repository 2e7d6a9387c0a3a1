import Mailroom

/// Where an archived message stands: recorded before the send, settled after it.
///
/// A fixed set of names, as a struct with static members so that adding one breaks no caller's
/// `switch`. The name is what the index and `mailroom archive list --state` use.
public struct ArchiveState: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The state's name: `pending`, `sent`, `failed`, `suppressed` or `outbox`.
    public let name: String

    private init(_ name: String) { self.name = name }

    /// Recorded before the send; the outcome was never recorded (the send is under way, or the
    /// process stopped before it finished).
    public static let pending = ArchiveState("pending")
    /// The provider accepted the message.
    public static let sent = ArchiveState("sent")
    /// The send failed; ``ArchiveEntry/failure`` says why.
    public static let failed = ArchiveState("failed")
    /// Nothing was sent because every recipient is suppressed.
    public static let suppressed = ArchiveState("suppressed")
    /// Kept in the local outbox and never delivered (``OutboxMailer``).
    public static let outbox = ArchiveState("outbox")

    /// Every state, in the order above.
    public static let all: [ArchiveState] = [.pending, .sent, .failed, .suppressed, .outbox]

    /// The state with this name.
    ///
    /// - Parameters:
    ///   - name: `pending`, `sent`, `failed`, `suppressed` or `outbox`.
    ///   - field: The input field to name in the error. Default `state`.
    /// - Throws: `MailroomError.Code.invalidValue` naming `field` for any other name.
    public static func named(_ name: String, field: String = "state") throws -> ArchiveState {
        guard let state = all.first(where: { $0.name == name }) else {
            throw MailroomError.invalidValue(
                field: field,
                "'\(name.prefix(40))' is not a state; use one of \(all.map(\.name).joined(separator: ", "))"
            )
        }
        return state
    }

    /// Whether the outcome is known (every state but ``pending``).
    public var isSettled: Bool { self != .pending }

    /// The name.
    public var description: String { name }

    /// Decodes the name; an unknown name is a decoding error.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let name = try container.decode(String.self)
        guard let state = Self.all.first(where: { $0.name == name }) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "unknown archive state '\(name)'")
        }
        self = state
    }

    /// Encodes the name.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(name)
    }
}
