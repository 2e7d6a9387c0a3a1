import Foundation
import Mailroom
import NIOPosix

/// One process's view of a store's index, and its writes to it.
///
/// Entries are committed here before their metadata files are written, and a commit returns once
/// the day's `index.json` on disk holds it. Commits are grouped: while one index write is under
/// way, later commits wait and go out together in the next, so a burst of sends costs a few index
/// writes rather than one each.
actor ArchiveIndex {
    private let layout: ArchiveLayout
    private var entries: [String: ArchiveEntry] = [:]
    private var loading: Task<Void, any Error>?
    private var isLoaded = false

    /// Changes not yet in the index on disk.
    private var changed: [String: ArchiveEntry] = [:]
    private var removed: Set<String> = []
    /// Counts changes made, and changes known to be on disk.
    private var version = 0
    private var durableVersion = 0
    private var flushing: Task<Void, any Error>?

    init(layout: ArchiveLayout) {
        self.layout = layout
    }

    /// Reads the index (rebuilding days that need it) the first time it is used.
    func load() async throws {
        if isLoaded { return }
        if let loading { return try await loading.value }
        let layout = layout
        let task = Task { self.entries = try await NIOThreadPool.singleton.runIfActive { try IndexFile.open(layout) } }
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
        return entries.values.sorted { ($0.date, $0.id) < ($1.date, $1.id) }
    }

    /// The entry with `id`, if any.
    func entry(_ id: String) async throws -> ArchiveEntry? {
        try await load()
        return entries[id]
    }

    /// Adds or replaces `entry` and returns once the index on disk has it.
    func commit(_ entry: ArchiveEntry) async throws {
        try await load()
        entries[entry.id] = entry
        changed[entry.id] = entry
        removed.remove(entry.id)
        try await flushChanges()
    }

    /// Removes entries and returns once the index on disk no longer has them.
    func remove(_ ids: [String]) async throws {
        try await load()
        for id in ids {
            entries[id] = nil
            changed[id] = nil
            removed.insert(id)
        }
        try await flushChanges()
    }

    private func flushChanges() async throws {
        version += 1
        let target = version
        while durableVersion < target {
            if let running = flushing {
                _ = try? await running.value
                continue
            }
            let task = Task { try await self.writeIndex() }
            flushing = task
            try await task.value
        }
    }

    /// Writes the changes made so far to the index on disk and adopts the merged days.
    private func writeIndex() async throws {
        defer { flushing = nil }
        let target = version
        let changes = changed
        let removals = removed
        let layout = layout
        let merged = try await NIOThreadPool.singleton.runIfActive {
            try IndexFile.merge(layout, changed: changes, removed: removals)
        }
        // What changed while the index was being written stays for the next write.
        for (id, entry) in changes where changed[id] == entry { changed[id] = nil }
        removed.subtract(removals)
        for (id, entry) in merged where changed[id] == nil && !removed.contains(id) { entries[id] = entry }
        durableVersion = max(durableVersion, target)
    }
}
