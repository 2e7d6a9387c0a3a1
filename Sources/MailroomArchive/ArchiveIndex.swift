import Foundation
import Mailroom
import NIOPosix

/// One process's view of a store's index (every day's ``IndexShard``), and its writes to it.
///
/// An entry is committed here before its metadata file is written, and a commit returns once the
/// day's `index.json` on disk holds it. Commits are grouped: while one index write is under way,
/// later commits wait and go out together in the next, so a burst of sends costs a few index
/// writes rather than one each; and each write encodes only the entries that changed.
actor ArchiveIndex {
    private let layout: ArchiveLayout
    private let threadPool: NIOThreadPool
    private var shards: [String: IndexShard] = [:]
    private var loading: Task<Void, any Error>?
    private var isLoaded = false

    /// Changes not yet in the index on disk, by day folder.
    private var pending: [String: IndexFile.DayChanges] = [:]
    /// Counts changes made, and changes settled: written to disk, or failed and reported.
    private var version = 0
    private var durableVersion = 0
    private var flushing: Task<Void, any Error>?
    /// The changes of failed writes, by version range, so that every committer in a failed write
    /// gets the error (the changes are dropped: their callers undo or report them).
    private var failures: [(versions: ClosedRange<Int>, error: any Error)] = []

    init(layout: ArchiveLayout, threadPool: NIOThreadPool) {
        self.layout = layout
        self.threadPool = threadPool
    }

    /// Reads the index (rebuilding days that need it) the first time it is used.
    func load() async throws {
        if isLoaded { return }
        if let loading { return try await loading.value }
        let layout = layout
        let task = Task { self.shards = try await threadPool.runIfActive { try IndexFile.open(layout) } }
        loading = task
        do {
            try await task.value
            isLoaded = true
        } catch {
            loading = nil
            throw error
        }
    }

    /// Every entry, oldest first.
    func all() async throws -> [ArchiveEntry] {
        try await load()
        return shards.values.flatMap(\.entries.values).sorted { ($0.date, $0.id) < ($1.date, $1.id) }
    }

    /// The entry with `id`, if any.
    func entry(_ id: String) async throws -> ArchiveEntry? {
        try await load()
        return shards[layout.directory(for: id)]?.entries[id]
    }

    /// Adds or replaces `entry` and returns once the index on disk has it.
    func commit(_ entry: ArchiveEntry) async throws {
        try await load()
        pending[layout.directory(for: entry.id), default: .init()].changed.append(entry)
        try await flushChanges()
    }

    /// Removes entries and returns once the index on disk no longer has them.
    func remove(_ ids: [String]) async throws {
        try await load()
        for id in ids { pending[layout.directory(for: id), default: .init()].removed.append(id) }
        try await flushChanges()
    }

    private func flushChanges() async throws {
        version += 1
        let target = version
        while durableVersion < target {
            if let running = flushing {
                _ = try? await running.value
                if let failure = failures.last(where: { $0.versions.contains(target) }) { throw failure.error }
                continue
            }
            let task = Task { try await self.writeIndex() }
            flushing = task
            try await task.value
        }
    }

    /// Writes the changes made so far; later ones wait for the next write.
    private func writeIndex() async throws {
        defer { flushing = nil }
        let versions = (durableVersion + 1)...version
        let changes = pending
        pending = [:]
        let touched = shards.filter { changes[$0.key] != nil }
        let layout = layout
        do {
            let written = try await threadPool.runIfActive {
                try IndexFile.merge(layout, changes: changes, shards: touched)
            }
            shards.merge(written) { _, new in new }
        } catch {
            failures.append((versions, error))
            if failures.count > 64 { failures.removeFirst() }
            durableVersion = versions.upperBound  // settled, as failed: no later write retries them
            throw error
        }
        durableVersion = versions.upperBound
    }
}
