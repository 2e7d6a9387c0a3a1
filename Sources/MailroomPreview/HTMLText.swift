import Foundation

/// Text made safe to place in HTML: in element content and in quoted attribute values.
///
/// Everything a message carries (subject, addresses, header values, file names, links) goes
/// through here before it reaches a page.
enum HTMLText {
    /// `text` with `&`, `<`, `>`, `"` and `'` written as character references.
    static func escaped(_ text: String) -> String {
        var output = ""
        output.reserveCapacity(text.utf8.count)
        for character in text.unicodeScalars {
            switch character {
            case "&": output += "&amp;"
            case "<": output += "&lt;"
            case ">": output += "&gt;"
            case "\"": output += "&quot;"
            case "'": output += "&#39;"
            default: output.unicodeScalars.append(character)
            }
        }
        return output
    }

    /// `text` percent-encoded for a URL's query value or an RFC 5987 `filename*`: every byte but
    /// RFC 3986's unreserved ASCII characters.
    static func queryValue(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? text
    }

    // ASCII only: `CharacterSet.alphanumerics` would leave letters such as `é` unencoded.
    private static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
}
