/// One custom header line of an ``Email``: `X-Campaign: spring-sale`.
///
/// ``Email/headers`` is an ordered array, so a name may repeat and the order is kept on the wire.
/// Values may hold any Unicode text; the renderer encodes and folds them. Header names that the
/// renderer writes itself (`From`, `To`, `Subject`, `Content-Type`, …) are rejected by validation,
/// because the ``Email`` properties own them.
public struct EmailHeader: Sendable, Hashable, Codable {
    /// The field name, printable ASCII without a colon.
    public var name: String
    /// The field value, without line breaks.
    public var value: String

    /// Creates a header.
    ///
    /// - Parameters:
    ///   - name: The field name, e.g. `List-Unsubscribe`.
    ///   - value: The value, e.g. `<mailto:unsubscribe@example.com>`.
    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }

    /// Names the renderer writes itself, lowercased.
    static let reservedNames: Set<String> = [
        "from", "to", "cc", "bcc", "reply-to", "subject", "date", "message-id", "mime-version",
        "content-type", "content-transfer-encoding", "content-disposition", "content-id",
    ]

    /// Checks the name and value, reporting problems against `field`.
    ///
    /// - Parameter field: The name used in errors, e.g. `headers[2]`.
    /// - Throws: ``MailroomError`` with ``MailroomError/Code/headerInjection`` for a line break, or
    ///   ``MailroomError/Code/invalidValue`` for a malformed or reserved name.
    public func validate(field: String) throws {
        // The name is checked against the positional field first, so an error never echoes a line break.
        try HeaderText.check(name, field: field)
        guard !name.isEmpty, name.allSatisfy(HeaderText.isFieldNameCharacter) else {
            throw MailroomError.invalidValue(field: field, "'\(name)' is not a header name (printable ASCII, no colon or space)")
        }
        let named = "headers[\(name)]"
        try HeaderText.check(value, field: named)
        guard name.utf8.count <= 76 else {
            throw MailroomError.invalidValue(field: named, "a header name is at most 76 characters")
        }
        if Self.reservedNames.contains(name.lowercased()) {
            throw MailroomError.invalidValue(field: named, "\(name) is written by the renderer; set the Email property instead")
        }
    }
}
