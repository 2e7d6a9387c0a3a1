/// A string-valued choice from Mailgun's alert vocabulary, written as a struct with static members
/// so that a value the provider adds later can still be carried.
public protocol AlertVocabulary: RawRepresentable, Sendable, Hashable, CustomStringConvertible where RawValue == String {
    /// The values the provider documents; validation accepts only these.
    static var known: [Self] { get }
}

extension AlertVocabulary {
    /// The provider's spelling.
    public var description: String { rawValue }

    /// Whether the provider documents this value.
    public var isKnown: Bool { Self.known.contains(self) }

    /// Throws unless the value is documented, naming `field` and listing the documented values.
    func check(field: String) throws {
        guard !isKnown else { return }
        let choices = Self.known.map(\.rawValue).joined(separator: ", ")
        throw MailroomError.invalidValue(field: field, "'\(rawValue)' is not one of: \(choices)")
    }
}
