/// Public because `Mailer` appears in this file's public API.
public import Mailroom
/// Public because `InMemoryMailer` appears in this file's public API.
public import MailroomTesting
/// Public because `Application` is extended in this file's public API.
public import Vapor

extension Application {
    /// Mailroom in this application: the provider that sends, the suppression mirror and the
    /// archive around it, and the webhooks that keep the mirror current.
    ///
    /// ```swift
    /// // configure.swift
    /// app.mailroom.use(.fromEnvironment)                 // Mailgun when MAILGUN_API_KEY is set, else the local outbox
    /// app.mailroom.suppressions.use(.sqlite())           // the local mirror, synced from Mailgun
    /// app.mailroom.archive.use(.fromEnvironment)         // MAILROOM_ARCHIVE_DIR
    /// app.mailroom.webhooks.use(.fromEnvironment)        // MAILGUN_WEBHOOK_SIGNING_KEY
    /// try app.register(collection: MailgunWebhookRoutes())
    ///
    /// // a route
    /// try await req.mailroom.mailer.send(welcome)       // logs through req.logger
    /// ```
    ///
    /// What is configured is opened when the application boots (a bad configuration fails the boot
    /// with an error naming the setting) and closed in its asynchronous shutdown.
    public var mailroom: Mailroom {
        .init(application: self)
    }

    /// Configures and reaches Mailroom in an application; see ``Vapor/Application/mailroom``.
    public struct Mailroom: Sendable {
        /// The application.
        public let application: Application

        /// Sets the provider that sends; the last call before boot wins.
        ///
        /// - Parameter provider: `.mailgun(_:)`, `.outbox(directory:)`, `.memory`, `.fromEnvironment` or a custom one.
        public func use(_ provider: Provider) {
            state.configure(logger: application.logger) { $0.provider = provider }
        }

        /// Sets a custom provider: `factory` makes the mailer when the application boots.
        ///
        /// - Parameter factory: Makes the mailer; it may throw to fail the boot.
        public func use(_ factory: @escaping @Sendable (Application) async throws -> any Mailer) {
            use(Provider(factory))
        }

        /// The suppression mirror checked before every send.
        public var suppressions: Suppressions {
            .init(application: application)
        }

        /// The archive that keeps a copy of every message sent.
        public var archive: Archive {
            .init(application: application)
        }

        /// Mailgun's webhooks, received by ``MailgunWebhookRoutes``.
        public var webhooks: Webhooks {
            .init(application: application)
        }

        /// The configured mailer: suppressions checked first, then archived, then the provider.
        ///
        /// It logs through the logger each call is given; in a route, use `req.mailroom.mailer`,
        /// which logs through the request's logger.
        public var mailer: any Mailer {
            ApplicationMailer(application: application)
        }

        /// What the `.memory` provider has sent, for tests; empty while another provider is in use.
        public var memory: InMemoryMailer {
            state.memory
        }

        /// The opened resources, opened now if the application was booted without its async boot.
        func stack() async throws -> MailroomStack {
            let state = self.state
            let application = self.application
            return try await state.resources.stack {
                try await MailroomStack.open(application: application, settings: state.freeze())
            }
        }

        var state: MailroomState {
            application.locks.lock(for: MailroomState.Key.self).withLock {
                if let existing = application.storage[MailroomState.Key.self] { return existing }
                let state = MailroomState()
                application.storage[MailroomState.Key.self] = state
                application.lifecycle.use(MailroomLifecycle())
                return state
            }
        }
    }
}
