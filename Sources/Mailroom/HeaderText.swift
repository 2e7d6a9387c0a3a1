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

    /// Rejects CR and LF (header injection), the other line separators (U+0085, U+2028, U+2029)
    /// and other control characters, naming `field`.
    ///
    /// A scan of the UTF-8 bytes, with the field's name made only for an error: this runs for
    /// the subject, the names and the tags of every send.
    static func check(_ value: String, field: @autoclosure () -> String) throws {
        // In valid UTF-8 (every String) 0xC2 and 0xE2 only start a character, so U+0085 is exactly
        // C2 85 and U+2028/U+2029 are E2 80 A8/A9.
        var previous: UInt8 = 0
        var beforePrevious: UInt8 = 0
        for byte in value.utf8 {
            let lineBreak: Bool
            switch byte {
            case 0x0A, 0x0D: lineBreak = true
            case 0x85: lineBreak = previous == 0xC2
            case 0xA8, 0xA9: lineBreak = previous == 0x80 && beforePrevious == 0xE2
            default: lineBreak = false
            }
            if lineBreak { throw MailroomError.headerInjection(field: field()) }
            if byte < 0x20 && byte != 0x09 || byte == 0x7F {
                throw MailroomError.invalidValue(field: field(), "must not contain control characters")
            }
            beforePrevious = previous
            previous = byte
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
