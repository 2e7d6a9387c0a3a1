import Foundation
import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Compresses a message into a gzip file chunk by chunk (``GzipEncoder``), so a large message is
/// never held whole. The file is written under a temporary name and appears under
/// its final name only once complete and (for ``ArchiveDurability/full``) synced.
final class GzipFileWriter: @unchecked Sendable {
    // Unchecked: a writer is used by one task, one call at a time (each awaited before the next),
    // on threads of NIOThreadPool; it is never shared.
    let temporaryPath: String
    let finalPath: String
    private var descriptor: Int32
    private let encoder: GzipEncoder
    var size: Int { encoder.size }
    var compressedSize: Int { encoder.compressedSize }

    /// Opens the temporary file beside `finalPath`.
    init(finalPath: String, compressionLevel: Int) throws {
        self.finalPath = finalPath
        let directory = (finalPath as NSString).deletingLastPathComponent
        temporaryPath = (directory as NSString).appendingPathComponent(DurableFile.temporaryName(for: (finalPath as NSString).lastPathComponent))
        encoder = try GzipEncoder(level: compressionLevel)
        descriptor = try DurableFile.openNew(temporaryPath)
    }

    /// Hashes and compresses `chunks`, writing compressed output as the window fills.
    func append(_ chunks: [[UInt8]]) throws {
        for chunk in chunks {
            try encoder.append(chunk) { try writeOut($0) }
        }
    }

    /// Ends the gzip stream; the file stays under its temporary name until ``commit(syncing:)``.
    ///
    /// - Returns: The SHA-256 of the uncompressed bytes, lowercase hexadecimal.
    func end() throws -> String {
        try encoder.finish { try writeOut($0) }
    }

    /// Syncs the file (when `syncing`), closes it and renames it into place. Its folder is synced
    /// by the caller, once for every file committed together.
    func commit(syncing: Bool) throws {
        if syncing { try DurableFile.sync(descriptor, path: temporaryPath) }
        close(descriptor)
        descriptor = -1
        try DurableFile.move(temporaryPath, to: finalPath)
    }

    /// Closes and removes the temporary file after a failure.
    func abandon() {
        if descriptor >= 0 {
            close(descriptor)
            descriptor = -1
        }
        unlink(temporaryPath)
    }

    private func writeOut(_ buffer: ByteBuffer) throws {
        try buffer.withUnsafeReadableBytes { bytes in
            try DurableFile.writeAll(bytes, to: descriptor, path: temporaryPath)
        }
    }
}
