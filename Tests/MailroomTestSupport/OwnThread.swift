public import Foundation

/// Blocking work (waiting for a child process, reading its pipes) run on a thread of its own.
///
/// Swift's concurrency pool has one thread per core, two on CI's machines. A test that blocks one
/// of them while waiting for a child starves everything else this process runs on the pool: an
/// in-process mock server answering that very child, a PostgreSQL client's connections, the
/// other tests' HTTP clients, which then time out.
public enum OwnThread {
    /// Runs `body` on a new thread and returns its result without holding a pool thread.
    public static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try body() }) }.start()
        }
    }
}

extension Process {
    /// Waits until the process exits, on a thread of its own.
    public func waitForExit() async {
        // A Process is a reference whose waiting is thread-safe; it is only read here.
        let process = UncheckedProcess(process: self)
        _ = try? await OwnThread.run { process.process.waitUntilExit() }
    }
}

extension FileHandle {
    /// What arrives until it contains `text` (or until the writer closes), read on a thread of its own.
    public func read(until text: String) async -> String {
        let handle = UncheckedHandle(handle: self)
        return (try? await OwnThread.run {
            var received = ""
            while !received.contains(text) {
                let chunk = handle.handle.availableData
                if chunk.isEmpty { break }
                received += String(decoding: chunk, as: UTF8.self)
            }
            return received
        }) ?? ""
    }

    /// What arrives up to the first line break (included), or until the writer closes.
    public func firstLine() async -> String { await read(until: "\n") }

    /// Every byte up to the end of the stream, read on a thread of its own.
    public func readAll() async -> Data {
        let handle = UncheckedHandle(handle: self)
        return (try? await OwnThread.run { handle.handle.readDataToEndOfFile() }) ?? Data()
    }
}

// Foundation's Process and FileHandle are not Sendable; each box is used by one thread at a time.
private struct UncheckedProcess: @unchecked Sendable { let process: Process }
private struct UncheckedHandle: @unchecked Sendable { let handle: FileHandle }
