import Mailroom

extension MIMEMessage {
    /// The message's first bytes, up to the blank line that ends its header section (at most 64 KiB),
    /// to index a pre-rendered message by its `From` and `Subject`.
    func head() async throws -> [UInt8] {
        let limit = 64 * 1024
        var head: [UInt8] = []
        for try await chunk in self {
            head += chunk.prefix(limit - head.count)
            if head.count >= limit || Self.containsBlankLine(head) { break }
        }
        return head
    }

    private static func containsBlankLine(_ bytes: [UInt8]) -> Bool {
        guard bytes.count >= 2 else { return false }
        for index in 1 ..< bytes.count where bytes[index] == UInt8(ascii: "\n") {
            if bytes[index - 1] == UInt8(ascii: "\n") { return true }
            if index >= 3, bytes[index - 1] == UInt8(ascii: "\r"), bytes[index - 2] == UInt8(ascii: "\n") { return true }
        }
        return false
    }
}
