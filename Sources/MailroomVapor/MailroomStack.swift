import Logging
import Mailroom
import MailroomArchive
import MailroomMailgun
import Vapor

/// What Mailroom opened for an application: the composed mailer, the webhook receiver, and what
/// to stop and close at shutdown.
struct MailroomStack: Sendable {
    /// Suppressions checked first, then the archive, then the provider.
    let mailer: any Mailer
    /// The Mailgun client, when Mailgun sends (borrowing the application's `HTTPClient`).
    let mailgun: MailgunClient?
    /// The receiver ``MailgunWebhookRoutes`` hands deliveries to; `nil` without a signing key.
    let receiver: MailgunWebhookReceiver?
    /// The mirror's periodic sync from Mailgun, when Mailgun sends and a mirror is configured.
    let sync: Task<Void, Never>?
    /// Closes the suppression store Mailroom opened.
    let closeSuppressions: (@Sendable () async throws -> Void)?

    /// Opens what `settings` name, in order; on a failure, closes what was opened and throws an
    /// error naming the setting.
    static func open(application: Application, settings: MailroomState.Settings) async throws -> MailroomStack {
        let logger = application.logger
        let provider = settings.provider ?? .defaultOutbox
        let provided = try await provider.make(application)
        var mailer: any Mailer = provided.mailer
        // Archive failures are logged by the archiving mailer through each send's logger.
        if let archive = settings.archive { mailer = try archive.wrap(mailer) }
        let suppressions = try await settings.suppressions?.open(application)
        do {
            var receiver: MailgunWebhookReceiver?
            if let webhooks = try settings.webhooks?.settings(logger) {
                receiver = MailgunWebhookReceiver(
                    signingKey: webhooks.signingKey, store: suppressions?.store, configuration: webhooks.configuration, handler: webhooks.handler
                )
            }
            var sync: Task<Void, Never>?
            if let suppressions {
                mailer = suppressing(mailer, with: suppressions.store)
                if let client = provided.mailgun, let schedule = settings.sync, let replica = suppressions.store as? any SuppressionReplica {
                    sync = keepSynced(replica, from: client, schedule: schedule, logger: logger)
                }
            }
            return MailroomStack(mailer: mailer, mailgun: provided.mailgun, receiver: receiver, sync: sync, closeSuppressions: suppressions?.close)
        } catch {
            try? await suppressions?.close?()
            throw error
        }
    }

    /// Stops the sync (a page being written is committed whole), then closes the store.
    func close(logger: Logger) async {
        if let sync {
            sync.cancel()
            await sync.value
        }
        do {
            try await closeSuppressions?()
        } catch {
            logger.warning("closing the suppression store failed", metadata: ["mailroom.error": "\(error)"])
        }
    }

    private static func suppressing<Store: SuppressionStore>(_ mailer: any Mailer, with store: Store) -> any Mailer {
        SuppressingMailer(wrapping: mailer, store: store)
    }

    private static func keepSynced<Local: SuppressionReplica>(
        _ local: Local, from client: MailgunClient, schedule: SuppressionSyncSchedule, logger: Logger
    ) -> Task<Void, Never> {
        let mirror = MailgunSuppressionMirror(mailgun: MailgunSuppressionStore(client: client), local: local)
        return Task { await mirror.keepSynced(schedule, logger: logger) }
    }
}
