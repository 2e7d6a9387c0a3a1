import Foundation
import Mailroom

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The POSIX file operations the archive needs to survive a crash: writes that reach the disk
/// (`fsync`) before a `rename` makes them visible, and directories synced after entries change.
///
/// Foundation's `Data.write(options: .atomic)` renames but never syncs, so a crash can leave an
/// empty or partial file under the final name; hence these few calls by hand. Every function
/// blocks, so callers run them on `NIOThreadPool`, never on the concurrency pool.
enum DurableFile {
    /// The prefix of temporary files; they carry the writing process's id so that `prune` can tell
    /// leftovers of a process that is gone from writes under way.
    static let temporaryPrefix = ".tmp-"

    /// The temporary name of a file whose destination is `name`, in the same directory. Unique
    /// because destination names are (an archive id holds 48 random bits), so no random part of
    /// its own (Foundation's UUID reads `/dev/urandom` each time: three system calls).
    static func temporaryName(for name: String) -> String {
        "\(temporaryPrefix)\(getpid())-\(name)"
    }

    /// The process id in a temporary file's name, if any.
    static func processID(inName name: String) -> Int32? {
        var rest = Substring(name)
        if rest.hasPrefix(temporaryPrefix) { rest = rest.dropFirst(temporaryPrefix.count) }
        return rest.split(separator: "-", maxSplits: 1).first.flatMap { Int32($0) }
    }

    /// Whether a process with this id is running.
    static func isRunning(_ pid: Int32) -> Bool {
        kill(pid, 0) == 0 || errno == EPERM
    }

    /// Creates a file that must not exist yet, for writing.
    static func openNew(_ path: String) throws -> Int32 {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw failure("create", path) }
        return descriptor
    }

    /// Writes every byte of `buffer`, retrying short writes and interruptions.
    static func writeAll(_ buffer: UnsafeRawBufferPointer, to descriptor: Int32, path: String) throws {
        var offset = 0
        while offset < buffer.count {
            let written = write(descriptor, buffer.baseAddress.map { $0 + offset }, buffer.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                throw failure("write", path)
            }
            offset += written
        }
    }

    /// Flushes a file's data to the disk.
    static func sync(_ descriptor: Int32, path: String) throws {
        guard fsync(descriptor) == 0 else { throw failure("sync", path) }
    }

    /// Renames within one file system, replacing any file at `destination`.
    static func move(_ source: String, to destination: String) throws {
        guard rename(source, destination) == 0 else {
            let error = failure("rename", destination)
            unlink(source)
            throw error
        }
    }

    /// Syncs a directory, so that entries created, renamed or removed in it survive a crash.
    static func syncDirectory(_ path: String) throws {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw failure("open", path) }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw failure("sync", path) }
    }

    /// Creates `path` and any missing parents, syncing each parent that gained an entry.
    static func makeDirectory(_ path: String) throws {
        var missing: [String] = []
        var current = path
        while !FileManager.default.fileExists(atPath: current) {
            missing.append(current)
            let parent = (current as NSString).deletingLastPathComponent
            if parent == current { break }
            current = parent
        }
        for directory in missing.reversed() {
            if mkdir(directory, 0o755) != 0 && errno != EEXIST { throw failure("create directory", directory) }
            try syncDirectory((directory as NSString).deletingLastPathComponent)
        }
    }

    /// Calls `body` with the file's contents, `size` bytes at a time.
    static func readChunks(_ path: String, size: Int, _ body: ([UInt8]) throws -> Void) throws {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw failure("open", path) }
        defer { close(descriptor) }
        var chunk = [UInt8](repeating: 0, count: size)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw failure("read", path)
            }
            if count == 0 { return }
            try body(count == size ? chunk : Array(chunk[..<count]))
        }
    }

    /// The whole file.
    static func readAll(_ path: String) throws -> [UInt8] {
        var bytes: [UInt8] = []
        try readChunks(path, size: 64 * 1024) { bytes += $0 }
        return bytes
    }

    /// Removes a file; one already gone is fine.
    static func remove(_ path: String) throws {
        guard unlink(path) == 0 || errno == ENOENT else { throw failure("remove", path) }
    }

    /// A storage error naming the operation, the file and the system's reason.
    static func failure(_ operation: String, _ path: String) -> MailroomError {
        let reason = String(cString: strerror(errno))
        return MailroomError(code: .storage, field: "archive", message: "could not \(operation) '\(path)': \(reason)")
    }
}
