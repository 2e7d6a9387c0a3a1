import Foundation

/// A reference to a template stored at the provider, rendered there with the given variables.
///
/// ```swift
/// email.template = try EmailTemplate(name: "welcome", version: "v2", variables: ["name": user.name])
/// ```
public struct EmailTemplate: Sendable, Hashable {
    /// The template's name at the provider.
    public var name: String
    /// The version to use; the provider's active version when `nil`.
    public var version: String?
    /// The variables as a JSON object, exactly as they travel to the provider.
    public var variablesJSON: String?
    /// Whether the provider should also render a plain-text part from the template. Default `false`.
    public var rendersText: Bool

    /// Creates a template reference without variables.
    ///
    /// - Parameters:
    ///   - name: The template's name.
    ///   - version: The version; the active one when `nil`.
    ///   - rendersText: Whether to render a text part too. Default `false`.
    public init(name: String, version: String? = nil, rendersText: Bool = false) {
        self.name = name
        self.version = version
        self.variablesJSON = nil
        self.rendersText = rendersText
    }

    /// Creates a template reference whose variables are any `Encodable` value that encodes as a JSON object.
    ///
    /// - Parameters:
    ///   - name: The template's name.
    ///   - version: The version; the active one when `nil`.
    ///   - variables: A value encoding to a JSON object, e.g. a struct or `[String: String]`.
    ///   - rendersText: Whether to render a text part too. Default `false`.
    /// - Throws: ``MailroomError`` with ``MailroomError/Code/invalidJSON`` when `variables` does not
    ///   encode to a JSON object.
    public init(name: String, version: String? = nil, variables: some Encodable, rendersText: Bool = false) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data: Data
        do {
            data = try encoder.encode(variables)
        } catch {
            throw MailroomError(code: .invalidJSON, field: "template.variables", message: "the variables could not be encoded: \(error)")
        }
        guard data.first == UInt8(ascii: "{") else {
            throw MailroomError(code: .invalidJSON, field: "template.variables", message: "the variables must encode to a JSON object")
        }
        self.init(name: name, version: version, rendersText: rendersText)
        self.variablesJSON = String(decoding: data, as: UTF8.self)
    }

    /// Creates a template reference from variables already written as a JSON object.
    ///
    /// - Parameters:
    ///   - name: The template's name.
    ///   - version: The version; the active one when `nil`.
    ///   - variablesJSON: A JSON object, e.g. `{"name":"Zoë"}`.
    ///   - rendersText: Whether to render a text part too. Default `false`.
    /// - Throws: ``MailroomError`` with ``MailroomError/Code/invalidJSON`` when the text is not a JSON object.
    public init(name: String, version: String? = nil, variablesJSON: String, rendersText: Bool = false) throws {
        let parsed = try? JSONSerialization.jsonObject(with: Data(variablesJSON.utf8))
        guard parsed is [String: Any] else {
            throw MailroomError(code: .invalidJSON, field: "template.variables", message: "not a JSON object: \(EmailAddress.quoted(variablesJSON))")
        }
        self.init(name: name, version: version, rendersText: rendersText)
        self.variablesJSON = variablesJSON
    }

    /// Checks the name and version.
    ///
    /// - Throws: ``MailroomError`` naming `template.name` or `template.version`.
    public func validate() throws {
        try HeaderText.check(name, field: "template.name")
        if name.trimmingCharacters(in: .whitespaces).isEmpty {
            throw MailroomError.missingField("template.name", "a template reference needs a name")
        }
        if let version { try HeaderText.check(version, field: "template.version") }
    }
}
