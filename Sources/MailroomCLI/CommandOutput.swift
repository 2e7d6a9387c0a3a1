import Foundation

/// What commands print on stdout: lines for people, JSON for scripts; hints on stderr, so that
/// stdout stays what a script reads.
enum CommandOutput {
    static func say(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    static func note(_ text: String) {
        FileHandle.standardError.write(Data("mailroom: \(text)\n".utf8))
    }

    static func json(_ value: Any, pretty: Bool = false) throws {
        var options: JSONSerialization.WritingOptions = [.sortedKeys, .withoutEscapingSlashes]
        if pretty { options.insert(.prettyPrinted) }
        let data = try JSONSerialization.data(withJSONObject: value, options: options)
        FileHandle.standardOutput.write(data + Data("\n".utf8))
    }
}
