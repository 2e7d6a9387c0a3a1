import Foundation
import MailroomArchive
import MailroomConformance
import MailroomTestSupport
import NIOPosix
import Testing

/// The archive conformance suite on `FileArchiveStore`: what a check stores, it finds in the
/// message's file, and damage is done to that file.
@Suite("FileArchiveStore: the archive conformance suite")
struct FileArchiveStoreConformanceTests {
    @Test(arguments: ArchiveConformance.checks)
    func conforms(check: ArchiveConformanceCheck) async throws {
        let directory = try TemporaryDirectory()
        let clock = ConformanceClock()
        // The store's file work on a pool of the test's own, as a deployment would give it.
        let pool = NIOThreadPool(numberOfThreads: 8)
        pool.start()
        let store = try FileArchiveStore(directory: directory.path, configuration: .init(now: { clock.now }, threadPool: pool))
        let path = directory.path
        let subject = ArchiveSubject(
            name: "file",
            store: store,
            clock: clock,
            reopen: { try FileArchiveStore(directory: path) },
            storedBytes: { id in
                FileManager.default.contents(atPath: ArchiveFiles.messagePath(id: id, in: path)).map { Array($0) }
            },
            replaceStoredBytes: { id, bytes in
                let file = ArchiveFiles.messagePath(id: id, in: path)
                if let bytes {
                    try Data(bytes).write(to: URL(fileURLWithPath: file))
                } else {
                    try FileManager.default.removeItem(atPath: file)
                }
            }
        )
        do {
            try await check.run(on: subject)
        } catch {
            try? await store.close()
            try await pool.shutdownGracefully()
            throw error
        }
        try await store.close()  // before its pool shuts down
        try await pool.shutdownGracefully()
    }
}
