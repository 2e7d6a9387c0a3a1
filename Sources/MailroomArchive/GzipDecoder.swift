import CompressNIO
import Foundation
import Crypto
import Mailroom
import NIOCore

/// Reads archived bytes back: gunzips a file's contents and checks them against what was recorded.
enum GzipDecoder {
    /// The uncompressed bytes of `compressed`.
    ///
    /// - Parameters:
    ///   - compressed: A gzip member.
    ///   - expectedSize: The recorded uncompressed size; decompression stops a little past it.
    ///   - id: The archive id, for errors.
    /// - Throws: `MailroomError.Code.corrupted` when the data does not decompress.
    static func decompress(_ compressed: [UInt8], expectedSize: Int?, id: String) throws -> [UInt8] {
        var input = ByteBuffer(bytes: compressed)
        do {
            var output = try input.decompress(with: .gzip, maxSize: max(expectedSize ?? .max / 2, 0) + 1)
            return output.readBytes(length: output.readableBytes) ?? []
        } catch {
            throw MailroomError(code: .corrupted, field: "id", message: "archived message '\(id)' does not decompress: \(error)")
        }
    }

    /// The lowercase hexadecimal SHA-256 of `bytes`.
    static func sha256(_ bytes: [UInt8]) -> String {
        SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
    }

    /// The verified uncompressed bytes of an entry's file.
    ///
    /// - Throws: `MailroomError.Code.corrupted` naming `id` when they do not decompress or do not
    ///   match the recorded size and SHA-256.
    static func verifiedContents(_ compressed: [UInt8], entry: ArchiveEntry) throws -> [UInt8] {
        let bytes = try decompress(compressed, expectedSize: entry.size, id: entry.id)
        guard bytes.count == entry.size else {
            throw MailroomError(
                code: .corrupted,
                field: "id",
                message: "archived message '\(entry.id)' is \(bytes.count) bytes uncompressed; \(entry.size) were recorded"
            )
        }
        guard sha256(bytes) == entry.sha256 else {
            throw MailroomError(code: .corrupted, field: "id", message: "archived message '\(entry.id)' does not match its recorded SHA-256")
        }
        return bytes
    }
}
