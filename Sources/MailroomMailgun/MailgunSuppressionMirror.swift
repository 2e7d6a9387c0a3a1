/// Public because `Date` appears in this file's public API.
public import Foundation
/// Public because `Logger` appears in this file's public API.
public import Logging
/// Public because `SuppressionStore` and its values are this file's public API.
public import Mailroom

/// Mailgun's suppression lists mirrored into a local store: reads are local, writes go to Mailgun
/// and then to the local copy, and ``sync(pageSize:logger:progress:)`` brings Mailgun's three lists
/// into the local copy.
///
/// Mailgun stays the source of truth; the app checks the mirror, so a send makes no suppression
/// request to Mailgun at all. Webhooks keep the mirror current between syncs: give
/// ``local`` to a ``MailgunWebhookReceiver`` (the events come from Mailgun, so they are not
/// written back to it).
///
/// ```swift
/// let local = try await SQLiteSuppressionStore.open(path: ".mailroom/suppressions.sqlite")
/// let mirror = MailgunSuppressionMirror(mailgun: MailgunSuppressionStore(client: mailer.client), local: local)
/// let summary = try await mirror.sync(logger: logger)                // e.g. nightly
/// let sending = SuppressingMailer(wrapping: mailer, store: mirror)  // one local query per send
/// ```
public struct MailgunSuppressionMirror<Local: SuppressionReplica>: SuppressionStore {
    /// What one sync did to one list.
    public struct ListSummary: Sendable, Hashable {
        /// The list.
        public var kind: Suppression.Kind
        /// Entries Mailgun listed and the mirror stored, including those stored before an
        /// interruption this sync resumed after.
        public var entries: Int
        /// Pages fetched by this call.
        public var pages: Int
        /// Local entries removed because Mailgun no longer lists them.
        public var removed: Int
        /// Whether this call resumed an interrupted sync rather than starting anew.
        public var resumed: Bool
    }

    /// Progress of a sync, reported after every page.
    public struct Progress: Sendable, Hashable {
        /// The list being synced.
        public var kind: Suppression.Kind
        /// Entries stored so far in this list's sync.
        public var entries: Int
        /// Pages fetched so far by this call for this list.
        public var pages: Int
    }

    /// Mailgun's lists.
    public let mailgun: MailgunSuppressionStore
    /// The local copy every read uses.
    public let local: Local
    private let now: @Sendable () -> Date

    /// Creates a mirror.
    ///
    /// - Parameters:
    ///   - mailgun: Mailgun's lists, the source of truth.
    ///   - local: The local copy, e.g. a `SQLiteSuppressionStore`.
    ///   - now: The clock that dates a sync. Default: the system clock.
    public init(mailgun: MailgunSuppressionStore, local: Local, now: @escaping @Sendable () -> Date = { Date() }) {
        self.mailgun = mailgun
        self.local = local
        self.now = now
    }

    /// Adds the entry to Mailgun, then to the local copy.
    public func add(_ suppression: Suppression, logger: Logger) async throws {
        try suppression.validate(field: "suppression")
        try await mailgun.add(suppression, logger: logger)
        try await local.add(suppression, logger: logger)
    }

    /// Adds the entries to Mailgun, then to the local copy.
    public func add(contentsOf suppressions: [Suppression], logger: Logger) async throws {
        try Suppression.validate(batch: suppressions)
        try await mailgun.add(contentsOf: suppressions, logger: logger)
        try await local.add(contentsOf: suppressions, logger: logger)
    }

    /// The local entry.
    public func get(_ kind: Suppression.Kind, address: EmailAddress, logger: Logger) async throws -> Suppression? {
        try await local.get(kind, address: address, logger: logger)
    }

    /// The local verdict for every address, with the local store's batch look-up.
    public func suppressions(for addresses: [EmailAddress], taggedWith tags: [String], logger: Logger) async throws -> [Suppression?] {
        try await local.suppressions(for: addresses, taggedWith: tags, logger: logger)
    }

    /// The local verdict for one address.
    public func suppression(for address: EmailAddress, taggedWith tags: [String], logger: Logger) async throws -> Suppression? {
        try await local.suppressions(for: [address], taggedWith: tags, logger: logger).first ?? nil
    }

    /// Removes from Mailgun, then from the local copy; when Mailgun does not list the entry, the
    /// local copy is cleared of it too and the `notFound` error is passed on.
    public func remove(_ kind: Suppression.Kind, address: EmailAddress, tag: String?, logger: Logger) async throws {
        do {
            try await mailgun.remove(kind, address: address, tag: tag, logger: logger)
        } catch let error as MailroomError where error.code == .notFound {
            try await removeLocally(kind, address: address, tag: tag, logger: logger)
            throw error
        }
        try await removeLocally(kind, address: address, tag: tag, logger: logger)
    }

    /// Empties the list on Mailgun, then locally.
    public func removeAll(_ kind: Suppression.Kind, logger: Logger) async throws {
        try await mailgun.removeAll(kind, logger: logger)
        try await local.removeAll(kind, logger: logger)
    }

    /// The local list.
    public func list(_ kind: Suppression.Kind, pageSize: Int, logger: Logger) -> SuppressionSequence {
        local.list(kind, pageSize: pageSize, logger: logger)
    }

    /// Brings Mailgun's unsubscribes, bounces and complaints into the local copy.
    ///
    /// Mailgun's lists have no "changed since" filter, so each list is walked whole, a page at a
    /// time; every page and the cursor after it are stored together, so a sync that was killed
    /// resumes at its last stored page. At the end, local entries Mailgun no longer lists are
    /// removed, except those written locally after the sync started (a webhook that arrived
    /// meanwhile).
    ///
    /// - Parameters:
    ///   - pageSize: Entries per request, 1 to 1,000. Default 1,000.
    ///   - logger: Where to log.
    ///   - progress: Called after every page.
    /// - Returns: One summary per list.
    /// - Throws: `MailroomError` from Mailgun or the local store; what was stored stays, and the
    ///   next sync resumes.
    @discardableResult
    public func sync(
        pageSize: Int = 1_000,
        logger: Logger,
        progress: @Sendable (Progress) -> Void = { _ in }
    ) async throws -> [ListSummary] {
        var summaries: [ListSummary] = []
        for kind in Suppression.Kind.all {
            summaries.append(try await sync(kind, pageSize: pageSize, logger: logger, progress: progress))
        }
        return summaries
    }

    /// Syncs on `schedule` until the calling task is cancelled (an app's graceful shutdown).
    ///
    /// A failed sync is logged and tried again at the next interval, never a reason to stop; a sync
    /// cancelled midway keeps the pages it committed, and the next start resumes after them.
    /// Returns after the first sync when the schedule has no interval.
    ///
    /// - Parameters:
    ///   - schedule: When to sync.
    ///   - logger: Where to log each sync.
    ///   - sleep: Waits between syncs; tests inject a clock here. Default `Task.sleep(for:)`.
    public func keepSynced(
        _ schedule: SuppressionSyncSchedule = SuppressionSyncSchedule(),
        logger: Logger,
        sleep: @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }
    ) async {
        if schedule.syncAtStart { await syncLogged(pageSize: schedule.pageSize, logger: logger) }
        guard let interval = schedule.interval else { return }
        while !Task.isCancelled {
            do {
                try await sleep(interval)
            } catch {
                return  // cancelled while waiting
            }
            await syncLogged(pageSize: schedule.pageSize, logger: logger)
        }
    }

    private func syncLogged(pageSize: Int, logger: Logger) async {
        do {
            let summaries = try await sync(pageSize: pageSize, logger: logger)
            logger.info("suppression mirror synced", metadata: [
                "mailroom.entries": "\(summaries.map(\.entries).reduce(0, +))", "mailroom.removed": "\(summaries.map(\.removed).reduce(0, +))",
            ])
        } catch is CancellationError {
            logger.info("suppression sync stopped by shutdown; it resumes at the next start")
        } catch {
            logger.error("suppression sync failed; trying again at the next interval", metadata: ["mailroom.error": "\(error)"])
        }
    }

    private func sync(_ kind: Suppression.Kind, pageSize: Int, logger: Logger, progress: @Sendable (Progress) -> Void) async throws -> ListSummary {
        let started = now()
        var checkpoint = try await local.beginSync(kind, startedAt: started, logger: logger)
        let resumed = checkpoint.cursor != nil || checkpoint.entriesApplied > 0
        if resumed {
            logger.info("resuming an interrupted suppression sync", metadata: ["mailroom.list": "\(kind)", "mailroom.entries": "\(checkpoint.entriesApplied)"])
        }
        var pages = 0
        var cursor = checkpoint.cursor
        // A resumed sync whose cursor is nil had stored nothing yet; one whose last page ended the
        // list has a cursor whose page comes back empty.
        while true {
            try Task.checkCancellation()
            let page = try await mailgun.page(kind, at: cursor, pageSize: pageSize, logger: logger)
            pages += 1
            if page.items.isEmpty { break }
            checkpoint = try await local.applySyncPage(page.items, of: kind, next: page.next, logger: logger)
            progress(Progress(kind: kind, entries: checkpoint.entriesApplied, pages: pages))
            guard let next = page.next else { break }
            cursor = next
        }
        let removed = try await local.finishSync(kind, logger: logger)
        logger.info("suppression list synced", metadata: [
            "mailroom.list": "\(kind)", "mailroom.entries": "\(checkpoint.entriesApplied)", "mailroom.removed": "\(removed)",
        ])
        return ListSummary(kind: kind, entries: checkpoint.entriesApplied, pages: pages, removed: removed, resumed: resumed)
    }

    private func removeLocally(_ kind: Suppression.Kind, address: EmailAddress, tag: String?, logger: Logger) async throws {
        do {
            try await local.remove(kind, address: address, tag: tag, logger: logger)
        } catch let error as MailroomError where error.code == .notFound {
            // Already gone locally: the mirror agrees with Mailgun.
        }
    }
}
