import Foundation

/// Writes header fields: RFC 2047 encoded words for non-ASCII text, RFC 2231 parameters for
/// non-ASCII or long file names, and folding so lines stay within 76 characters where there is a
/// place to fold, and always within 998.
enum MIMEHeaderEncoder {
    /// The line length folding aims for, without the CRLF: RFC 2047's limit for lines holding
    /// encoded words, within RFC 5322's recommended 78.
    static let preferredLineLength = 76
    /// The longest a folded token may make a line before the value is encoded instead.
    static let hardLineLength = 998
    /// The longest an encoded word may be (RFC 2047 section 2).
    static let encodedWordLength = 75

    // MARK: Fields

    /// `Name: value` for free text (Subject, custom headers), folded, with CRLF.
    static func unstructured(_ name: String, _ value: String) -> String {
        let words = value.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        let longest = words.map(\.utf8.count).max() ?? 0
        let plain = value.unicodeScalars.allSatisfy { ($0.value >= 0x20 && $0.value < 0x7F) || $0 == "\t" }
            && !value.contains("=?")
            && longest + name.utf8.count + 2 < hardLineLength
        return fold(name, plain ? words : encodedWords(value, firstWordLimit: firstLineRoom(name)))
    }

    /// `Name: a, "B" <b@x.io>` for an address list, folded between addresses and encoded words.
    static func addressList(_ name: String, _ addresses: [EmailAddress]) -> String {
        var tokens: [String] = []
        for (index, address) in addresses.enumerated() {
            var addressTokens = displayNameTokens(address.displayName, firstWordLimit: index == 0 ? firstLineRoom(name) : encodedWordLength)
            addressTokens.append(addressTokens.isEmpty ? address.mailbox : "<\(address.mailbox)>")
            if index < addresses.count - 1 { addressTokens[addressTokens.count - 1] += "," }
            tokens += addressTokens
        }
        return fold(name, tokens)
    }

    /// `Name: value; key="v"; key*=utf-8''%E2%82%AC` with each parameter encoded as it needs.
    static func parameterized(_ name: String, _ value: String, _ parameters: [(String, String)]) -> String {
        var tokens = [value]
        for (key, parameterValue) in parameters {
            tokens[tokens.count - 1] += ";"
            tokens += parameterTokens(key, parameterValue)
        }
        if let last = tokens.last, last.hasSuffix(";") { tokens[tokens.count - 1] = String(last.dropLast()) }
        return fold(name, tokens)
    }

    /// Room for an encoded word after `Name: ` on the first line; a word that cannot fit usefully
    /// there starts on the next line instead.
    private static func firstLineRoom(_ name: String) -> Int {
        let room = preferredLineLength - name.utf8.count - 2
        return room >= 20 ? min(room, encodedWordLength) : encodedWordLength
    }

    /// Joins tokens with single spaces, breaking a line (CRLF SP) before a non-empty token that
    /// would pass the preferred length. Unfolding restores exactly the joined value.
    static func fold(_ name: String, _ tokens: [String]) -> String {
        var output = name + ":"
        var lineLength = output.utf8.count
        for token in tokens {
            let length = token.utf8.count
            if lineLength + 1 + length > preferredLineLength && !token.isEmpty {
                output += "\r\n "
                lineLength = 1
            } else {
                output += " "
                lineLength += 1
            }
            output += token
            lineLength += length
        }
        return output + "\r\n"
    }

    // MARK: Display names

    /// The display name as phrase tokens: atoms, or one quoted string, when it is printable ASCII;
    /// otherwise ASCII words stay plain and each run of other words becomes encoded words.
    ///
    /// A run is encoded whole, so its spaces travel inside the encoded text: decoders drop white
    /// space between adjacent encoded words (RFC 2047 section 6.2), except Python's, which keeps it;
    /// one word per run keeps both readings alike unless a run is longer than one encoded word.
    private static func displayNameTokens(_ displayName: String?, firstWordLimit: Int) -> [String] {
        guard let displayName, !displayName.isEmpty else { return [] }
        let words = displayName.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        if isQuotable(displayName) {
            if words.allSatisfy(isAtom) { return words }
            if displayName.utf8.count < hardLineLength / 2 { return quotedTokens(displayName) }
        }
        var tokens: [String] = []
        var run: [String] = []
        func flushRun() {
            guard !run.isEmpty else { return }
            tokens += encodedWords(run.joined(separator: " "), firstWordLimit: tokens.isEmpty ? firstWordLimit : encodedWordLength)
            run = []
        }
        for word in words where !word.isEmpty {
            if isQuotable(word) {
                flushRun()
                tokens += isAtom(word) ? [word] : quotedTokens(word)
            } else {
                run.append(word)
            }
        }
        flushRun()
        return tokens
    }

    /// Printable ASCII (tabs allowed) without anything that looks like an encoded word.
    private static func isQuotable(_ text: String) -> Bool {
        // A byte scan: Foundation's `contains("=?")` showed in the archive path's profile.
        var previous: UInt8 = 0
        for byte in text.utf8 {
            guard (0x20..<0x7F).contains(byte) || byte == UInt8(ascii: "\t") else { return false }
            if previous == UInt8(ascii: "=") && byte == UInt8(ascii: "?") { return false }
            previous = byte
        }
        return true
    }

    /// An RFC 5322 atom: one or more `atext` characters.
    private static func isAtom(_ word: String) -> Bool {
        !word.isEmpty && word.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F && !EmailAddress.isPhraseSpecial($0) }
    }

    /// A quoted string with `\` and `"` escaped.
    private static func quotedString(_ text: String) -> String {
        // Most text has nothing to escape; the byte scan spares it Foundation's replacement, which
        // showed in the archive path's profile.
        guard text.utf8.contains(where: { $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: "\"") }) else { return "\"" + text + "\"" }
        return "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    /// A quoted string cut at its spaces, so folding may break it there (FWS is allowed inside a
    /// quoted string, and unfolding restores the space).
    private static func quotedTokens(_ text: String) -> [String] {
        quotedString(text).split(separator: " ", omittingEmptySubsequences: false).map(String.init)
    }

    // MARK: RFC 2047 encoded words

    /// Characters a Q-encoded word may carry literally in any header context (RFC 2047 section 5(3)).
    private static func isQLiteral(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        case UInt8(ascii: "!"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "/"):
            true
        default:
            false
        }
    }

    /// Splits `text` into UTF-8 encoded words of at most 75 characters (the first at most
    /// `firstWordLimit`), never splitting a character, choosing Q or B encoding by which is shorter.
    /// Q uses only the characters RFC 2047 allows in phrases, so the words suit any header.
    static func encodedWords(_ text: String, firstWordLimit: Int = encodedWordLength) -> [String] {
        let utf8 = Array(text.utf8)
        let qLength = utf8.reduce(0) { $0 + (isQLiteral($1) || $1 == UInt8(ascii: " ") ? 1 : 3) }
        let useQ = qLength <= (utf8.count + 2) / 3 * 4
        let prefix = useQ ? "=?utf-8?q?" : "=?utf-8?b?"
        let overhead = prefix.utf8.count + 2
        var capacity = firstWordLimit - overhead

        var words: [String] = []
        var pending: [UInt8] = []
        func encodedLength(_ bytes: [UInt8]) -> Int {
            useQ ? bytes.reduce(0) { $0 + (isQLiteral($1) || $1 == UInt8(ascii: " ") ? 1 : 3) } : (bytes.count + 2) / 3 * 4
        }
        func flush() {
            guard !pending.isEmpty else { return }
            words.append(prefix + encode(pending, q: useQ) + "?=")
            pending.removeAll(keepingCapacity: true)
            capacity = encodedWordLength - overhead
        }
        let fullCapacity = encodedWordLength - overhead
        for character in text {
            // A character longer than one word (a long grapheme cluster) is split between scalars.
            let bytes = Array(character.utf8)
            let pieces = encodedLength(bytes) <= fullCapacity ? [bytes] : character.unicodeScalars.map { Array(String($0).utf8) }
            for piece in pieces {
                if encodedLength(pending + piece) > capacity {
                    // Too big for what is left of the first line: start the word on the next one.
                    if pending.isEmpty { capacity = fullCapacity } else { flush() }
                }
                pending += piece
            }
        }
        flush()
        return words
    }

    private static func encode(_ bytes: [UInt8], q: Bool) -> String {
        guard q else {
            var output: [UInt8] = []
            MIMEBodyEncoder.appendBase64(bytes[...], to: &output)
            return String(decoding: output, as: UTF8.self)
        }
        var output = ""
        for byte in bytes {
            if byte == UInt8(ascii: " ") {
                output += "_"
            } else if isQLiteral(byte) {
                output.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                output += "=" + Hex.digits(byte)
            }
        }
        return output
    }

    // MARK: RFC 2231 parameters

    /// The longest a parameter segment's value gets before it is continued (`name*0*`, `name*1*`).
    private static let parameterSegmentLength = 60

    /// RFC 2231 `attribute-char`: token characters other than `*`, `'` and `%`.
    private static func isAttributeCharacter(_ byte: UInt8) -> Bool {
        guard byte > 0x20, byte < 0x7F else { return false }
        return !"*'%()<>@,;:\\\"/[]?=".utf8.contains(byte)
    }

    private static func parameterTokens(_ key: String, _ value: String) -> [String] {
        let isPrintableASCII = value.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value < 0x7F }
        if isPrintableASCII {
            let quoted = quotedString(value)
            if quoted.utf8.count <= parameterSegmentLength + 2 { return ["\(key)=\(quoted)"] }
        }
        // Percent-encode per RFC 2231, never splitting a %XX triplet or a UTF-8 sequence across segments.
        var segments: [String] = []
        var current = ""
        for character in value {
            var encoded = ""
            for byte in character.utf8 {
                encoded += isAttributeCharacter(byte) ? String(Unicode.Scalar(byte)) : "%" + Hex.digits(byte)
            }
            if !current.isEmpty && current.utf8.count + encoded.utf8.count > parameterSegmentLength {
                segments.append(current)
                current = ""
            }
            current += encoded
        }
        segments.append(current)
        if segments.count == 1 { return ["\(key)*=utf-8''\(segments[0])"] }
        return segments.enumerated().map { index, segment in
            let token = index == 0 ? "\(key)*0*=utf-8''\(segment)" : "\(key)*\(index)*=\(segment)"
            return index < segments.count - 1 ? token + ";" : token
        }
    }

    // MARK: Dates

    /// RFC 5322 date-time in UTC: `Sat, 21 Nov 2026 19:28:39 +0000`.
    static func date(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second, .weekday], from: date)
        let weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        let weekday = weekdays[((parts.weekday ?? 1) - 1) % 7]
        let month = months[((parts.month ?? 1) - 1) % 12]
        func padded(_ value: Int?, _ width: Int) -> String {
            let digits = String(value ?? 0)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        let time = "\(padded(parts.hour, 2)):\(padded(parts.minute, 2)):\(padded(parts.second, 2))"
        return "\(weekday), \(padded(parts.day, 2)) \(month) \(padded(parts.year, 4)) \(time) +0000"
    }
}
