import Foundation
import Mailroom

/// A JSON object from one of Mailgun's answers, read leniently where the recorded answers differ
/// from the spec (MAILGUN-API-NOTES errata): numbers that arrive as strings and the other way
/// round, fields the spec calls required that are missing.
struct MailgunJSON {
    let object: [String: Any]
    /// What the object is, for errors: "Mailgun's domain".
    let what: String

    init(_ object: [String: Any], what: String) {
        self.object = object
        self.what = what
    }

    /// The object under `key`, required.
    func object(_ key: String) throws -> MailgunJSON {
        guard let nested = object[key] as? [String: Any] else {
            throw MailroomError(code: .invalidJSON, field: key, message: "\(what) has no \(key) object")
        }
        return MailgunJSON(nested, what: what)
    }

    /// The objects under `key`; an absent key is an empty list.
    func objects(_ key: String) throws -> [MailgunJSON] {
        guard let value = object[key], !(value is NSNull) else { return [] }
        guard let items = value as? [[String: Any]] else {
            throw MailroomError(code: .invalidJSON, field: key, message: "\(what)'s \(key) is not a list of objects")
        }
        return items.map { MailgunJSON($0, what: what) }
    }

    /// A required string.
    func string(_ key: String) throws -> String {
        guard let value = optionalString(key) else {
            throw MailroomError(code: .invalidJSON, field: key, message: "\(what) has no \(key)")
        }
        return value
    }

    /// A string, or a number written as one (`priority` is `"10"` in answers and `10` in the spec).
    func optionalString(_ key: String) -> String? {
        switch object[key] {
        case let text as String: return text
        case let number as NSNumber: return number.stringValue
        default: return nil
        }
    }

    /// Strings under `key`; an absent key is an empty list.
    func strings(_ key: String) -> [String] {
        object[key] as? [String] ?? []
    }

    /// A Boolean, also from `"true"`/`"false"`; `nil` when absent.
    func bool(_ key: String) -> Bool? {
        switch object[key] {
        case let number as NSNumber: return number.boolValue
        case let text as String: return text == "true" ? true : text == "false" ? false : nil
        default: return nil
        }
    }

    /// An integer, also from a string; `nil` when absent.
    func int(_ key: String) -> Int? {
        switch object[key] {
        case let number as NSNumber: return number.intValue
        case let text as String: return Int(text)
        default: return nil
        }
    }
}
