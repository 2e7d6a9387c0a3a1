import Foundation

/// Builds request targets from caller input: each path segment and query value percent-encoded,
/// so that a name with `/`, `?`, spaces or an address with `+` reaches the resource it names.
enum MailgunPath {
    /// RFC 3986 unreserved characters and `@`, which Mailgun takes unencoded in addresses.
    private static let allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~@")

    /// `text` percent-encoded as one path segment or query value.
    static func encoded(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    /// `path?name=value&…` for the pairs whose value is set.
    static func target(_ path: String, query: [(String, String?)]) -> String {
        let pairs = query.compactMap { name, value in value.map { "\(name)=\(encoded($0))" } }
        return pairs.isEmpty ? path : path + "?" + pairs.joined(separator: "&")
    }
}
