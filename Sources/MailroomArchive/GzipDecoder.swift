import Crypto
import Mailroom

/// Reads archived files back through ``GzipReader``, a piece at a time, so neither a large
/// message nor its compressed file is held twice.
enum GzipDecoder {
    /// How much of a file is read at a time.
    static let chunkSize = 256 * 1024

    /// The uncompressed bytes of the file at `path`, unchecked (for a message found without its
    /// metadata, whose size and hash are unknown).
    ///
    /// - Throws: `MailroomError.Code.corrupted` naming `id` when the data is not a gzip stream or
    ///   has bytes after its end; the storage error when the file cannot be read.
    static func contents(fileAt path: String, id: String) throws -> [UInt8] {
        try read(fileAt: path, id: id, entry: nil, keepingBytes: true)
    }

    /// The uncompressed bytes of an entry's file, checked against its recorded size and SHA-256.
    ///
    /// - Throws: `MailroomError.Code.corrupted` naming `id` when they do not decompress or do not match.
    static func verifiedContents(fileAt path: String, entry: ArchiveEntry) throws -> [UInt8] {
        try read(fileAt: path, id: entry.id, entry: entry, keepingBytes: true)
    }

    /// Checks an entry's file against its recorded size and SHA-256 without keeping the bytes.
    ///
    /// - Throws: `MailroomError.Code.corrupted` naming `id` when they do not decompress or do not match.
    static func verify(fileAt path: String, entry: ArchiveEntry) throws {
        _ = try read(fileAt: path, id: entry.id, entry: entry, keepingBytes: false)
    }

    private static func read(fileAt path: String, id: String, entry: ArchiveEntry?, keepingBytes: Bool) throws -> [UInt8] {
        let reader = try GzipReader(id: id, checking: entry, keepingBytes: keepingBytes)
        try DurableFile.readChunks(path, size: chunkSize) { try reader.feed($0) }
        return try reader.finish()
    }

    /// The lowercase hexadecimal SHA-256 of `bytes`.
    static func sha256(_ bytes: [UInt8]) -> String {
        Hex.string(SHA256.hash(data: bytes))
    }
}
