import CompressNIO
import Crypto
import Mailroom
/// Package because `ByteBuffer` appears in this file's package API.
package import NIOCore

/// Compresses a message into a gzip stream chunk by chunk while hashing the uncompressed bytes, so
/// a large message is never held whole. Where the compressed bytes go is the caller's: a file
/// (``GzipFileWriter``) or a database row.
package final class GzipEncoder {
    private let compressor: ZlibCompressor
    private var window: ByteBuffer
    private var hash = SHA256()
    /// The uncompressed bytes taken so far.
    package private(set) var size = 0
    /// The compressed bytes handed out so far.
    package private(set) var compressedSize = 0

    /// A gzip stream at zlib `level` (0 to 9; anything else is level 6).
    package init(level: Int) throws {
        let level = ZlibConfiguration.CompressionLevel(rawValue: Int32(level)) ?? .compressionLevel6
        compressor = try ZlibCompressor(algorithm: .gzip, configuration: ZlibConfiguration(compressionLevel: level))
        window = ByteBufferAllocator().buffer(capacity: 64 * 1024)
    }

    /// Hashes and compresses `chunk`, handing compressed output to `output` as the window fills.
    package func append(_ chunk: [UInt8], output: (ByteBuffer) throws -> Void) throws {
        guard !chunk.isEmpty else { return }
        hash.update(data: chunk)
        size += chunk.count
        var input = ByteBuffer(bytes: chunk)
        try input.compressStream(with: compressor, window: &window, flush: .no) { try handOut($0, to: output) }
    }

    /// Ends the stream, handing out the rest.
    ///
    /// - Returns: The SHA-256 of the uncompressed bytes, lowercase hexadecimal.
    package func finish(output: (ByteBuffer) throws -> Void) throws -> String {
        var empty = ByteBuffer()
        try empty.compressStream(with: compressor, window: &window, flush: .finish) { try handOut($0, to: output) }
        return Hex.string(hash.finalize())
    }

    private func handOut(_ buffer: ByteBuffer, to output: (ByteBuffer) throws -> Void) throws {
        compressedSize += buffer.readableBytes
        try output(buffer)
    }
}
