import Foundation

/// A mailbox with an optional display name: `Jane Doe <jane@example.com>`.
///
/// Parse one with ``init(_:field:)`` or a comma-separated list with ``list(_:field:)``. The accepted syntax is a
/// practical subset of RFC 5322 and RFC 5321: bare addresses, `Name <addr>`, quoted display names
/// (`"Doe, Jane" <j@x.io>`) with backslash escapes, dot-atom or quoted local parts of at most 64
/// octets, host names or address literals as domains, and at most 254 octets in all. Display names
/// may hold any Unicode text; the MIME renderer encodes them.
///
/// ```swift
/// let jane = try EmailAddress("\"Doe, Jane\" <jane@example.com>")
/// jane.displayName   // "Doe, Jane"
/// jane.mailbox       // "jane@example.com"
/// ```
///
/// A string literal also makes an address. A literal cannot throw, so a malformed one is kept as it
/// is and reported by ``Email/validate()`` (which every mailer runs) with the field it sits in.
public struct EmailAddress: Sendable, Hashable, Codable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// The human name shown beside the address, or `nil` when there is none.
    public let displayName: String?
    /// The address itself, `local@domain`.
    public let mailbox: String

    /// The part before the `@`.
    public var localPart: String {
        guard let at = mailbox.lastIndex(of: "@") else { return mailbox }
        return String(mailbox[..<at])
    }

    /// The part after the `@`.
    public var domain: String {
        guard let at = mailbox.lastIndex(of: "@") else { return "" }
        return String(mailbox[mailbox.index(after: at)...])
    }

    /// Parses one address: `jane@example.com`, `Jane <jane@example.com>` or `"Doe, Jane" <jane@example.com>`.
    ///
    /// - Parameters:
    ///   - string: The text to parse; surrounding white space is ignored.
    ///   - field: The name used in errors, e.g. `from`. Default `address`.
    /// - Throws: ``MailroomError`` with code ``MailroomError/Code/invalidAddress`` saying what is
    ///   wrong, or ``MailroomError/Code/headerInjection`` for a line break.
    public init(_ string: String, field: String = "address") throws {
        self = try Self.parse(string, field: field)
    }

    /// Creates an address from its parts, validating both.
    ///
    /// - Parameters:
    ///   - mailbox: The bare address, `local@domain`.
    ///   - displayName: The human name, any Unicode text without line breaks.
    /// - Throws: ``MailroomError`` when either part is invalid.
    public init(mailbox: String, displayName: String? = nil) throws {
        self.init(unchecked: mailbox, displayName: displayName)
        try validate(field: "address")
    }

    /// Creates an address from a literal; a malformed literal is reported later by validation.
    public init(stringLiteral value: String) {
        self = (try? Self.parse(value, field: "address")) ?? Self(unchecked: value, displayName: nil)
    }

    /// Decodes an address from its string form.
    public init(from decoder: any Decoder) throws {
        let string = try decoder.singleValueContainer().decode(String.self)
        self = try Self.parse(string, field: "address")
    }

    private init(unchecked mailbox: String, displayName: String?) {
        self.mailbox = mailbox
        self.displayName = displayName.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Encodes the address as its string form.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    /// Parses a comma-separated list of addresses; commas inside quotes or angle brackets do not split.
    ///
    /// - Parameters:
    ///   - string: The list, e.g. `a@x.io, "Doe, Jane" <j@x.io>`.
    ///   - field: The name used in errors; entries are reported as `field[index]`.
    /// - Returns: The addresses in order.
    /// - Throws: ``MailroomError`` naming the entry at fault, including empty entries.
    public static func list(_ string: String, field: String = "addresses") throws -> [EmailAddress] {
        try splitList(string).enumerated().map { index, entry in
            try parse(entry, field: "\(field)[\(index)]")
        }
    }

    /// The address as a person reads it: `Jane Doe <jane@example.com>`, quoting the name when needed.
    ///
    /// This is not header syntax: the MIME renderer encodes non-ASCII names.
    public var description: String {
        guard let displayName else { return mailbox }
        if Self.needsQuotes(displayName) {
            // Escaped scalar by scalar, as the parser reads them: a backslash or quote followed by
            // a combining mark is one Character, which a Character-wise replacement would miss (the
            // fuzzer's third finding).
            var escaped = String.UnicodeScalarView()
            for scalar in displayName.unicodeScalars {
                if scalar == "\\" || scalar == "\"" { escaped.append("\\") }
                escaped.append(scalar)
            }
            return "\"\(String(escaped))\" <\(mailbox)>"
        }
        return "\(displayName) <\(mailbox)>"
    }

    /// The display name when ``description`` shows it as it is, `name <mailbox>` (no quotes, no
    /// escapes), so that a writer can copy the name and the mailbox without making the string;
    /// `nil` without a name or when the name is quoted.
    package var verbatimDisplayName: String? {
        guard let displayName, !Self.needsQuotes(displayName) else { return nil }
        return displayName
    }

    /// Whether a display name must be quoted: a special would end the phrase, or whitespace at
    /// either end would be trimmed away on parsing (the fuzzer's round trip found the tab that
    /// went missing). The specials are ASCII, so bytes answer it (no set look-up per scalar):
    /// this runs for every address of every send.
    private static func needsQuotes(_ displayName: String) -> Bool {
        displayName.utf8.contains(where: isPhraseSpecial)
            || displayName.unicodeScalars.first.map(isWhitespace) == true
            || displayName.unicodeScalars.last.map(isWhitespace) == true
    }

    /// Checks the address, reporting problems against `field`.
    ///
    /// - Parameter field: The name used in errors, e.g. `to[2]`.
    /// - Throws: ``MailroomError`` with ``MailroomError/Code/headerInjection`` for a line break in
    ///   either part, or ``MailroomError/Code/invalidAddress`` saying what is wrong.
    public func validate(field: String) throws {
        if let displayName {
            try Self.checkDisplayName(displayName, field: field)
        }
        do {
            try Self.checkMailbox(mailbox, field: field)
        } catch let error as MailroomError where error.code == .invalidAddress && displayName == nil {
            // A literal that failed to parse is kept whole; the parser explains it better.
            _ = try Self.parse(mailbox, field: field)
            throw error
        }
    }
}

// MARK: - Parsing

extension EmailAddress {
    /// Unicode whitespace, with ASCII answered without the property tables (every send describes
    /// its addresses).
    static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        guard scalar.isASCII else { return scalar.properties.isWhitespace }
        return scalar == " " || (0x09...0x0D).contains(scalar.value)
    }

    /// Whether `byte` forces a display name into a quoted string (RFC 5322 `specials`:
    /// `()<>[]:;@\,."`).
    static func isPhraseSpecial(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "["), UInt8(ascii: "]"),
            UInt8(ascii: ":"), UInt8(ascii: ";"), UInt8(ascii: "@"), UInt8(ascii: "\\"), UInt8(ascii: ","), UInt8(ascii: "."), UInt8(ascii: "\""):
            true
        default:
            false
        }
    }

    static func parse(_ raw: String, field: String) throws -> EmailAddress {
        if raw.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "\r\n" }) {
            throw MailroomError.headerInjection(field: field)
        }
        let text = raw.trimmingCharacters(in: .whitespaces)
        guard !text.isEmpty else { throw MailroomError.invalidAddress(field: field, "the address is empty") }

        // Scalars, not Characters: a combining mark after `"` or `<` would otherwise merge with it
        // into one Character and hide it (the address fuzzer's finding).
        let scalars = text.unicodeScalars
        guard let open = indexOutsideQuotes(of: "<", in: scalars) else {
            try checkMailbox(text, field: field)
            return EmailAddress(unchecked: text, displayName: nil)
        }
        guard let close = scalars[open...].firstIndex(of: ">") else {
            throw MailroomError.invalidAddress(field: field, "'<' is not closed by '>' in \(quoted(text))")
        }
        let trailing = String(scalars[scalars.index(after: close)...]).trimmingCharacters(in: .whitespaces)
        guard trailing.isEmpty else {
            throw MailroomError.invalidAddress(field: field, "unexpected text after '>' in \(quoted(text))")
        }
        let mailbox = String(scalars[scalars.index(after: open)..<close]).trimmingCharacters(in: .whitespaces)
        let phrase = String(scalars[..<open]).trimmingCharacters(in: .whitespaces)
        let displayName = try parseDisplayName(phrase, field: field)
        try checkMailbox(mailbox, field: field)
        if let displayName { try checkDisplayName(displayName, field: field) }
        return EmailAddress(unchecked: mailbox, displayName: displayName)
    }

    private static func parseDisplayName(_ phrase: String, field: String) throws -> String? {
        guard !phrase.isEmpty else { return nil }
        guard phrase.unicodeScalars.first == "\"" else {
            if phrase.unicodeScalars.contains("\"") {
                throw MailroomError.invalidAddress(field: field, "a display name with '\"' must be quoted whole")
            }
            return phrase
        }
        var result = String.UnicodeScalarView()
        var escaped = false
        var closed = false
        for scalar in phrase.unicodeScalars.dropFirst() {
            if closed {
                throw MailroomError.invalidAddress(field: field, "unexpected text after the quoted display name")
            }
            if escaped {
                result.append(scalar)
                escaped = false
            } else if scalar == "\\" {
                escaped = true
            } else if scalar == "\"" {
                closed = true
            } else {
                result.append(scalar)
            }
        }
        guard closed else {
            throw MailroomError.invalidAddress(field: field, "the quoted display name is not closed")
        }
        return result.isEmpty ? nil : String(result)
    }

    static func splitList(_ string: String) -> [String] {
        var entries: [String] = []
        var current = ""
        var inQuotes = false
        var inAngle = false
        var escaped = false
        for character in string {
            if escaped {
                escaped = false
            } else if character == "\\" && inQuotes {
                escaped = true
            } else if character == "\"" {
                inQuotes.toggle()
            } else if !inQuotes && character == "<" {
                inAngle = true
            } else if !inQuotes && character == ">" {
                inAngle = false
            } else if !inQuotes && !inAngle && character == "," {
                entries.append(current)
                current = ""
                continue
            }
            current.append(character)
        }
        entries.append(current)
        return entries
    }

    private static func indexOutsideQuotes(of target: Unicode.Scalar, in scalars: String.UnicodeScalarView) -> String.Index? {
        var inQuotes = false
        var escaped = false
        for index in scalars.indices {
            let scalar = scalars[index]
            if escaped {
                escaped = false
            } else if scalar == "\\" && inQuotes {
                escaped = true
            } else if scalar == "\"" {
                inQuotes.toggle()
            } else if scalar == target && !inQuotes {
                return index
            }
        }
        return nil
    }

    static func quoted(_ text: some StringProtocol) -> String {
        let shown = text.count > 80 ? text.prefix(77) + "..." : Substring(text)
        return "'\(shown)'"
    }
}

// MARK: - Validation

extension EmailAddress {
    /// RFC 5322 `atext`: the characters of an unquoted local part besides letters and digits.
    private static let atextSymbols: Set<UInt8> = Set("!#$%&'*+-/=?^_`{|}~".utf8)

    static func checkDisplayName(_ name: String, field: String) throws {
        for scalar in name.unicodeScalars {
            if scalar == "\r" || scalar == "\n" { throw MailroomError.headerInjection(field: field) }
            if scalar.value < 0x20 && scalar != "\t" || scalar.value == 0x7F {
                throw MailroomError.invalidAddress(field: field, "the display name contains a control character")
            }
        }
    }

    static func checkMailbox(_ mailbox: String, field: String) throws {
        func fail(_ reason: String) -> MailroomError {
            MailroomError.invalidAddress(field: field, "\(reason) in \(quoted(mailbox))")
        }
        // Bytes, not Characters: cheaper on every send, and a line break that a combining mark
        // follows (one Character) is caught too. A native string's bytes are read in place.
        if let checked = try mailbox.utf8.withContiguousStorageIfAvailable({ try checkMailbox(bytes: $0, field: field, fail: fail) }) {
            return checked
        }
        try Array(mailbox.utf8).withUnsafeBufferPointer { try checkMailbox(bytes: $0, field: field, fail: fail) }
    }

    private static func checkMailbox(bytes mailbox: UnsafeBufferPointer<UInt8>, field: String, fail: (String) -> MailroomError) throws {
        if mailbox.contains(where: { $0 == 0x0D || $0 == 0x0A }) {
            throw MailroomError.headerInjection(field: field)
        }
        guard !mailbox.isEmpty else { throw MailroomError.invalidAddress(field: field, "the address is empty") }
        guard let at = mailbox.lastIndex(of: UInt8(ascii: "@")) else { throw fail("missing '@'") }
        let local = mailbox[..<at]
        let domain = mailbox[(at + 1)...]
        guard mailbox.count <= 254 else { throw fail("longer than 254 octets") }
        guard !local.isEmpty else { throw fail("the local part before '@' is empty") }
        guard local.count <= 64 else { throw fail("the local part is longer than 64 octets") }
        guard !domain.isEmpty else { throw fail("the domain after '@' is empty") }
        if local.contains(where: { $0 >= 0x80 }) {
            throw fail("non-ASCII local parts (SMTPUTF8) are not supported")
        }
        if local.first == UInt8(ascii: "\"") {
            try checkQuotedLocalPart(Array(local), fail: fail)
        } else {
            try checkDotAtom(local, fail: fail)
        }
        try checkDomain(domain, fail: fail)
    }

    private static func checkQuotedLocalPart(_ bytes: [UInt8], fail: (String) -> MailroomError) throws {
        guard bytes.count >= 2, bytes.last == UInt8(ascii: "\"") else { throw fail("the quoted local part is not closed") }
        var escaped = false
        for byte in bytes.dropFirst().dropLast() {
            if escaped {
                escaped = false
                continue
            }
            if byte == UInt8(ascii: "\\") {
                escaped = true
            } else if byte == UInt8(ascii: "\"") || byte < 0x20 || byte == 0x7F {
                throw fail("the quoted local part contains a character that must be escaped")
            }
        }
        if escaped { throw fail("the quoted local part ends with a lone backslash") }
    }

    // The dot-atom and domain checks read the mailbox's bytes in place (no copies, no arrays of
    // labels): they run for every address of every send.
    private static func checkDotAtom<Bytes: BidirectionalCollection<UInt8>>(_ bytes: Bytes, fail: (String) -> MailroomError) throws {
        if bytes.first == UInt8(ascii: ".") || bytes.last == UInt8(ascii: ".") {
            throw fail("the local part starts or ends with '.'")
        }
        var previous: UInt8 = 0
        for byte in bytes {
            if byte == UInt8(ascii: ".") {
                if previous == byte { throw fail("the local part contains '..'") }
            } else if !(isAlphanumeric(byte) || atextSymbols.contains(byte)) {
                throw fail("the local part contains \(describe(byte)), which is not allowed unquoted")
            }
            previous = byte
        }
    }

    private static func checkDomain<Bytes: BidirectionalCollection<UInt8>>(_ bytes: Bytes, fail: (String) -> MailroomError) throws {
        if bytes.contains(where: { $0 >= 0x80 }) {
            throw fail("the domain is not ASCII; use its punycode (xn--) form")
        }
        if bytes.first == UInt8(ascii: "[") {
            try checkAddressLiteral(Array(bytes), fail: fail)
            return
        }
        guard bytes.count <= 253 else { throw fail("the domain is longer than 253 octets") }
        guard bytes.contains(UInt8(ascii: ".")) else { throw fail("the domain needs a dot, as in example.com") }
        var start = bytes.startIndex
        while true {
            let end = bytes[start...].firstIndex(of: UInt8(ascii: ".")) ?? bytes.endIndex
            let label = bytes[start..<end]
            guard !label.isEmpty else { throw fail("the domain has an empty label") }
            guard label.count <= 63 else { throw fail("a domain label is longer than 63 octets") }
            guard label.first != UInt8(ascii: "-"), label.last != UInt8(ascii: "-") else {
                throw fail("a domain label starts or ends with '-'")
            }
            if let bad = label.first(where: { !(isAlphanumeric($0) || $0 == UInt8(ascii: "-")) }) {
                throw fail("the domain contains \(describe(bad))")
            }
            guard end != bytes.endIndex else {
                if label.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) {
                    throw fail("the top-level domain is numeric; write an IP address as [192.0.2.1]")
                }
                return
            }
            start = bytes.index(after: end)
        }
    }

    private static func checkAddressLiteral(_ bytes: [UInt8], fail: (String) -> MailroomError) throws {
        guard bytes.last == UInt8(ascii: "]") else { throw fail("the address literal is not closed by ']'") }
        let inner = String(decoding: bytes.dropFirst().dropLast(), as: UTF8.self)
        if inner.lowercased().hasPrefix("ipv6:") {
            let hex = inner.dropFirst(5)
            let valid = !hex.isEmpty && hex.contains(":")
                && hex.allSatisfy { $0.isHexDigit || $0 == ":" || $0 == "." }
            guard valid else { throw fail("the IPv6 address literal is malformed") }
            return
        }
        let octets = inner.split(separator: ".", omittingEmptySubsequences: false)
        let valid = octets.count == 4 && octets.allSatisfy { octet in
            guard (1...3).contains(octet.count), octet.allSatisfy(\.isASCII), let value = Int(octet) else { return false }
            return value <= 255
        }
        guard valid else { throw fail("the address literal is not an IPv4 or IPv6: address") }
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte | 0x20) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }

    private static func describe(_ byte: UInt8) -> String {
        byte >= 0x21 && byte < 0x7F ? "'\(Character(Unicode.Scalar(byte)))'" : "byte 0x" + Hex.digits(byte)
    }
}
