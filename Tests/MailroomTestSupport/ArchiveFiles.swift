import Foundation

/// Reading an archive's files the way an operator would: by path, with the standard `gzip` tool.
public enum ArchiveFiles {
    /// Where a store keeps the message with `id`: `messages/YYYY/MM/DD/ID.eml.gz` under `store`.
    public static func messagePath(id: String, in store: String) -> String {
        "\(store)/messages/\(id.prefix(4))/\(id.dropFirst(4).prefix(2))/\(id.dropFirst(6).prefix(2))/\(id).eml.gz"
    }

    /// `gzip -dc FILE`: the bytes the standard tool reads from an archived file, waited for on a
    /// thread of its own (``OwnThread``).
    public static func gunzip(_ path: String) async throws -> [UInt8] {
        try await OwnThread.run { try gunzipBlocking(path) }
    }

    private static func gunzipBlocking(_ path: String) throws -> [UInt8] {
        guard let gzip = Executable.find("gzip") else { throw GzipFailure(message: "gzip is not installed") }
        let process = Process()
        process.executableURL = gzip
        process.arguments = ["-dc", path]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw GzipFailure(message: "gzip -dc exited \(process.terminationStatus)") }
        return Array(data)
    }

    /// `gzip` is missing or could not read the file.
    public struct GzipFailure: Error, CustomStringConvertible {
        /// What went wrong.
        public var message: String
        /// The message.
        public var description: String { message }
    }
}
