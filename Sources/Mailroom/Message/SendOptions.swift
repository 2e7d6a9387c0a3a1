/// Public because `Date` appears in this file's public API.
public import Foundation

/// How a message is delivered, as opposed to what it says: tags, variables, schedule, test mode,
/// tracking, TLS, and provider-specific options.
///
/// These travel beside the MIME (as API parameters), not inside it, and apply to ``Email`` sends and
/// to pre-rendered MIME sends alike.
public struct SendOptions: Sendable, Hashable {
    /// Tags for analytics and tag-scoped unsubscribes, in order. Default empty.
    public var tags: [String]
    /// Custom variables attached to the message and echoed in events (Mailgun's `v:`). Default empty.
    public var variables: [String: String]
    /// When to deliver; immediately when `nil`. Default `nil`.
    public var deliveryTime: Date?
    /// Accept the message but do not deliver it. Default `false`.
    public var testMode: Bool
    /// Open and click tracking. Default: the provider's domain settings.
    public var tracking: Tracking
    /// Deliver only over TLS; `nil` keeps the domain default.
    public var requireTLS: Bool?
    /// Do not verify the receiving server's certificate; `nil` keeps the domain default.
    public var skipVerification: Bool?
    /// Options that only one provider understands, set through that provider's module.
    public var providerOptions: ProviderOptions

    /// Creates options; every member has the default its documentation states.
    public init(
        tags: [String] = [],
        variables: [String: String] = [:],
        deliveryTime: Date? = nil,
        testMode: Bool = false,
        tracking: Tracking = Tracking(),
        requireTLS: Bool? = nil,
        skipVerification: Bool? = nil,
        providerOptions: ProviderOptions = ProviderOptions()
    ) {
        self.tags = tags
        self.variables = variables
        self.deliveryTime = deliveryTime
        self.testMode = testMode
        self.tracking = tracking
        self.requireTLS = requireTLS
        self.skipVerification = skipVerification
        self.providerOptions = providerOptions
    }

    /// Checks tags and variable names.
    ///
    /// - Throws: ``MailroomError`` naming `tags[i]` or `variables`.
    public func validate() throws {
        for (index, tag) in tags.enumerated() {
            try HeaderText.check(tag, field: "tags[\(index)]")
            if HeaderText.isBlank(tag) {
                throw MailroomError.invalidValue(field: "tags[\(index)]", "a tag must not be empty")
            }
        }
        // Sorted so the first bad name is the same every time; most messages have none to sort.
        for name in variables.isEmpty ? [] : variables.keys.sorted() {
            try HeaderText.check(name, field: "variables")
            if name.isEmpty { throw MailroomError.invalidValue(field: "variables", "a variable name must not be empty") }
        }
    }
}
