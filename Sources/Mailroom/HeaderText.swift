import Foundation

/// Checks shared by every value that ends up in a header line.
enum HeaderText {
    /// Whether `value` is empty or only spaces and tabs (`CharacterSet.whitespaces`): what
    /// `trimmingCharacters(in: .whitespaces).isEmpty` says, without building a trimmed copy, which
    /// goes through `NSString` on Linux and showed in the send path's profile.
    static func isBlank(_ value: String) -> Bool {
        value.unicodeScalars.allSatisfy { scalar in
            // ASCII answered here: the character set's lookup is a Foundation call per scalar.
            scalar.isASCII ? scalar == " " || scalar == "\t" : CharacterSet.whitespaces.contains(scalar)
        }
    }

    /// Rejects CR and LF (header injection) and other control characters, naming `field`.
    static func check(_ value: String, field: String) throws {
        for scalar in value.unicodeScalars {
            if scalar == "\r" || scalar == "\n" || scalar == "\u{2028}" || scalar == "\u{2029}" || scalar == "\u{85}" {
                throw MailroomError.headerInjection(field: field)
            }
            if scalar.value < 0x20 && scalar != "\t" || scalar.value == 0x7F {
                throw MailroomError.invalidValue(field: field, "must not contain control characters")
            }
        }
    }

    /// RFC 2045 `token` characters: printable ASCII except space and `tspecials`.
    static func isTokenCharacter(_ character: Character) -> Bool {
        guard let ascii = character.asciiValue, ascii > 0x20, ascii < 0x7F else { return false }
        return !"()<>@,;:\\\"/[]?=".contains(character)
    }

    /// RFC 5322 field-name characters: printable ASCII except the colon.
    static func isFieldNameCharacter(_ character: Character) -> Bool {
        guard let ascii = character.asciiValue else { return false }
        return ascii > 0x20 && ascii < 0x7F && ascii != UInt8(ascii: ":")
    }
}
