/// Hexadecimal digits for bytes, written without `String(format:)`: that goes through CFString's
/// formatter on Linux, which is slow on the MIME encoder's per-byte path and crashed once in a
/// concurrent test run.
package enum Hex {
    private static let upper = Array("0123456789ABCDEF".utf8)
    private static let lower = Array("0123456789abcdef".utf8)

    /// Two digits for `byte`, e.g. `3D` (or `3d` with `uppercase: false`).
    package static func digits(_ byte: UInt8, uppercase: Bool = true) -> String {
        let table = uppercase ? upper : lower
        return String(decoding: [table[Int(byte >> 4)], table[Int(byte & 0x0F)]], as: UTF8.self)
    }

    /// Lower-case digits for every byte, e.g. a SHA-256 digest or an HMAC.
    package static func string(_ bytes: some Sequence<UInt8>) -> String {
        var utf8: [UInt8] = []
        utf8.reserveCapacity(bytes.underestimatedCount * 2)
        for byte in bytes {
            utf8.append(lower[Int(byte >> 4)])
            utf8.append(lower[Int(byte & 0x0F)])
        }
        return String(decoding: utf8, as: UTF8.self)
    }
}
