/// Public because `Logger` appears in this file's public API.
public import Logging
/// Public because `SuppressionReplica` appears in this file's public API.
public import Mailroom
/// Public because `MailgunSuppressionMirror` appears in this file's public API.
public import MailroomMailgun
/// Public because the type is a `Service`.
public import ServiceLifecycle

/// The resources Mailroom owns in a running app, as a swift-service-lifecycle `Service` in the
/// app's service group: the local suppression store, closed after graceful shutdown, and, when
/// Mailgun is configured, the mirror's sync of Mailgun's lists at start and then every interval.
///
/// On graceful shutdown a sync in progress stops between pages (a page being written is committed
/// whole, and the next start resumes where it stopped), then the store is closed.
///
/// ```swift
/// let local = try await SQLiteSuppressionStore.open(path: ".mailroom/suppressions.sqlite")
/// let mirror = MailgunSuppressionMirror(mailgun: MailgunSuppressionStore(client: mailgun.client), local: local)
/// let service = MailroomService(mirror: mirror, logger: logger, close: local.close)
/// let app = Application(router: router, services: [service])
/// ```
///
/// `run()` returns only after graceful shutdown (or cancellation); a failed sync is logged and
/// tried again at the next interval, never a reason to stop. The archive needs no service:
/// `FileArchiveStore` holds no resources of its own.
public struct MailroomService<Local: SuppressionReplica>: Service {
    /// When to sync: once at start, then every interval.
    public typealias Configuration = SuppressionSyncSchedule

    /// The mirror synced; `nil` when the app runs without Mailgun (the local outbox).
    public let mirror: MailgunSuppressionMirror<Local>?
    /// When it syncs.
    public let configuration: Configuration
    private let logger: Logger
    private let close: @Sendable () async throws -> Void
    private let sleep: @Sendable (Duration) async throws -> Void

    /// Creates the service.
    ///
    /// - Parameters:
    ///   - mirror: The mirror to sync, or `nil` for none (the service then only closes the store).
    ///   - configuration: When to sync.
    ///   - logger: Where to log each sync.
    ///   - close: Closes the local store once the service stops, e.g. `local.close`; nothing by default.
    ///   - sleep: Waits between syncs; tests inject a clock here. Default `Task.sleep(for:)`.
    public init(
        mirror: MailgunSuppressionMirror<Local>?,
        configuration: Configuration = Configuration(),
        logger: Logger,
        close: @escaping @Sendable () async throws -> Void = {},
        sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }
    ) {
        self.mirror = mirror
        self.configuration = configuration
        self.logger = logger
        self.close = close
        self.sleep = sleep
    }

    /// Syncs on schedule until graceful shutdown, then closes the local store.
    public func run() async throws {
        do {
            try await cancelWhenGracefulShutdown {
                if let mirror {
                    await mirror.keepSynced(configuration, logger: logger, sleep: sleep)
                }
                // Nothing more to do: hold the store open until shutdown.
                if !Task.isCancelled { try await gracefulShutdown() }
            }
        } catch is CancellationError {
            // Graceful shutdown: what was synced is committed; the next start resumes the rest.
        }
        try await close()
    }
}
