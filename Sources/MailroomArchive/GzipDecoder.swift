import CompressNIO
import Crypto
import Foundation
import Mailroom
import NIOCore

/// Reads archived files back: gunzips them in pieces and checks them against what was recorded,
/// so neither a large message nor its compressed file is held twice.
enum GzipDecoder {
    /// How much of a file is read, and how much output is produced, at a time.
    static let chunkSize = 256 * 1024

    /// Streams the uncompressed bytes of the gzip file at `path` to `body`, piece by piece.
    ///
    /// - Throws: `MailroomError.Code.corrupted` naming `id` when the data is not a gzip stream or
    ///   has bytes after its end; the storage error when the file cannot be read.
    static func stream(fileAt path: String, id: String, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        let decompressor = try ZlibDecompressor(algorithm: .gzip)
        var output = ByteBufferAllocator().buffer(capacity: chunkSize)
        try DurableFile.readChunks(path, size: chunkSize) { chunk in
            var input = ByteBuffer(bytes: chunk)
            while input.readableBytes > 0 {
                do {
                    try decompressor.inflate(from: &input, to: &output)
                    // Returning with input left means the stream ended before the file did.
                    if input.readableBytes > 0 { throw corrupted(id, "has data after the end of its gzip stream") }
                } catch let error as CompressNIOError where error == .bufferOverflow || error == .inputBufferOverflow {
                    // The output is full (drained below), or the input is used up (read more).
                } catch let error as CompressNIOError {
                    throw corrupted(id, "does not decompress: \(error)")
                }
                if output.readableBytes > 0 {
                    try output.withUnsafeReadableBytes(body)
                    output.clear()
                }
            }
        }
    }

    /// The uncompressed bytes of the file at `path`, unchecked (for a message found without its
    /// metadata, whose size and hash are unknown).
    static func contents(fileAt path: String, id: String) throws -> [UInt8] {
        var bytes: [UInt8] = []
        try stream(fileAt: path, id: id) { bytes.append(contentsOf: $0) }
        return bytes
    }

    /// The uncompressed bytes of an entry's file, checked against its recorded size and SHA-256.
    ///
    /// - Throws: `MailroomError.Code.corrupted` naming `id` when they do not decompress or do not match.
    static func verifiedContents(fileAt path: String, entry: ArchiveEntry) throws -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(entry.size)
        try check(fileAt: path, entry: entry) { bytes.append(contentsOf: $0) }
        return bytes
    }

    /// Checks an entry's file against its recorded size and SHA-256 without keeping the bytes.
    ///
    /// - Throws: `MailroomError.Code.corrupted` naming `id` when they do not decompress or do not match.
    static func verify(fileAt path: String, entry: ArchiveEntry) throws {
        try check(fileAt: path, entry: entry) { _ in }
    }

    private static func check(fileAt path: String, entry: ArchiveEntry, _ body: (UnsafeRawBufferPointer) -> Void) throws {
        var hash = SHA256()
        var size = 0
        try stream(fileAt: path, id: entry.id) { piece in
            size += piece.count
            guard size <= entry.size else { throw corrupted(entry.id, "is longer than the \(entry.size) bytes recorded") }
            hash.update(bufferPointer: piece)
            body(piece)
        }
        guard size == entry.size else {
            throw corrupted(entry.id, "is \(size) bytes uncompressed; \(entry.size) were recorded")
        }
        guard hex(hash.finalize()) == entry.sha256 else {
            throw corrupted(entry.id, "does not match its recorded SHA-256")
        }
    }

    /// The lowercase hexadecimal SHA-256 of `bytes`.
    static func sha256(_ bytes: [UInt8]) -> String {
        hex(SHA256.hash(data: bytes))
    }

    static func hex(_ digest: SHA256.Digest) -> String {
        Hex.string(digest)
    }

    private static func corrupted(_ id: String, _ problem: String) -> MailroomError {
        MailroomError(code: .corrupted, field: "id", message: "archived message '\(id)' \(problem)")
    }
}
