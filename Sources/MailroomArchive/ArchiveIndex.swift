import Foundation
import Mailroom
import NIOPosix

/// One process's view of a store's index, and its writes to it.
///
/// Writers commit entries here after their files are durable. Commits are grouped: while one
/// index write is under way, later commits wait and go out together in the next, so a burst of
/// sends costs a few index writes rather than one each. A marker file in `writers/` exists while
/// this view holds changes the index on disk lacks; if the process dies, the marker tells the next
/// opener to rebuild the index from the files.
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

    private var writesInFlight = 0
    private var marker: String?

    init(layout: ArchiveLayout) {
        self.layout = layout
    }

    /// Reads the index (rebuilding it if needed) the first time it is used.
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

    /// Announces a write: from now until it is committed and in the index, this process's marker exists.
    func beginWrite() async throws {
        try await load()
        writesInFlight += 1
        guard marker == nil else { return }
        let path = (layout.writersDirectory as NSString).appendingPathComponent("\(getpid())-\(UUID().uuidString.prefix(8).lowercased())")
        marker = path
        let layout = layout
        do {
            try await NIOThreadPool.singleton.runIfActive {
                try DurableFile.makeDirectory(layout.writersDirectory)
                try DurableFile.writeAtomically([], to: path)
            }
        } catch {
            writesInFlight -= 1
            marker = nil
            throw error
        }
    }

    /// Ends a write: commits `entry` (if it got that far), writes the index, and removes the marker
    /// when nothing is left to write.
    ///
    /// - Throws: The index write's error; the entry's own files are durable regardless, and the
    ///   marker stays so the next opener rebuilds the index.
    func endWrite(committing entry: ArchiveEntry?, removing ids: [String] = []) async throws {
        defer { writesInFlight -= 1 }
        if let entry {
            entries[entry.id] = entry
            changed[entry.id] = entry
            removed.remove(entry.id)
        }
        for id in ids {
            entries[id] = nil
            changed[id] = nil
            removed.insert(id)
        }
        if entry != nil || !ids.isEmpty {
            version += 1
            try await flush(upTo: version)
        }
        if writesInFlight == 1, changed.isEmpty, removed.isEmpty, let path = marker {
            marker = nil
            try await NIOThreadPool.singleton.runIfActive { try DurableFile.remove(path) }
        }
    }

    private func flush(upTo target: Int) async throws {
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

    /// Writes the changes made so far to the index on disk and adopts the merged result.
    private func writeIndex() async throws {
        defer { flushing = nil }
        let target = version
        let changes = changed
        let removals = removed
        let layout = layout
        let merged = try await NIOThreadPool.singleton.runIfActive {
            try IndexFile.merge(layout, changed: changes, removed: removals)
        }
        // Keep what changed while the index was being written; it goes out in the next write.
        for (id, entry) in changes where changed[id] == entry { changed[id] = nil }
        for id in removals where removed.contains(id) && changed[id] == nil { removed.remove(id) }
        var adopted = merged
        for (id, entry) in changed { adopted[id] = entry }
        for id in removed { adopted[id] = nil }
        entries = adopted
        durableVersion = max(durableVersion, target)
    }
}
