public import Configuration
public import Hummingbird
public import Logging
public import Mailroom
/// Public because `ArchiveStore` appears in this file's public API.
public import MailroomArchive
import MailroomHummingbird
public import MailroomMailgun
import MailroomPreview
import MailroomSQLite
public import ServiceLifecycle

/// What the app's routes need, built once at start-up and injected: the mailer, the webhook
/// receiver (when a signing key is configured) and the services that own Mailroom's resources.
public struct AppDependencies: Sendable {
    /// Sends the welcome email: suppressions checked against the local mirror, archived when configured.
    public var mailer: any Mailer
    /// Receives Mailgun's webhooks into the mirror; `nil` without a signing key.
    public var receiver: MailgunWebhookReceiver?
    /// Services to run with the server (the mirror's store and sync).
    public var services: [any Service]
    /// The local outbox, shown in the browser under `/_mailroom` (`nil` when mail really goes out).
    public var outbox: (any ArchiveStore)?

    /// Creates the dependencies.
    public init(mailer: any Mailer, receiver: MailgunWebhookReceiver?, services: [any Service] = [], outbox: (any ArchiveStore)? = nil) {
        self.mailer = mailer
        self.receiver = receiver
        self.services = services
        self.outbox = outbox
    }

    /// Reads the configuration and opens what it names.
    ///
    /// Keys (environment names in brackets): `mailgun.apiKey` (`MAILGUN_API_KEY`), `mailgun.domain`,
    /// `mailgun.region`, `mailgun.baseURL`, `mailgun.webhookSigningKey` (`MAILGUN_WEBHOOK_SIGNING_KEY`),
    /// `mailroom.suppressionsDB` (`MAILROOM_SUPPRESSIONS_DB`, default `.mailroom/suppressions.sqlite`),
    /// `mailroom.outbox` (`MAILROOM_OUTBOX`), `mailroom.syncIntervalSeconds` (default 3600);
    /// `MAILROOM_ARCHIVE_DIR` archives every message. Without an API key the app uses the local
    /// outbox and says so once.
    public static func from(reader: ConfigReader, environment: [String: String], logger: Logger) async throws -> AppDependencies {
        let mailroom = reader.scoped(to: "mailroom")
        let local = try await SQLiteSuppressionStore.open(path: mailroom.string(forKey: "suppressionsDB", default: SQLiteSuppressionStore.defaultPath))
        do {
            let provider: any Mailer
            var outboxStore: FileArchiveStore?
            var mirror: MailgunSuppressionMirror<SQLiteSuppressionStore>?
            if reader.string(forKey: "mailgun.apiKey", isSecret: true)?.isEmpty == false {
                let mailgun = MailgunMailer(configuration: try MailgunConfiguration(reader: reader.scoped(to: "mailgun")))
                provider = mailgun
                mirror = MailgunSuppressionMirror(mailgun: MailgunSuppressionStore(client: mailgun.client), local: local)
            } else {
                let outbox = mailroom.string(forKey: "outbox", default: FileArchiveStore.defaultOutboxDirectory)
                let store = try FileArchiveStore(directory: outbox)
                provider = OutboxMailer(store: store)
                outboxStore = store
                logger.warning("MAILGUN_API_KEY is not set: messages go to the local outbox and are not delivered; see them at /_mailroom", metadata: ["mailroom.outbox": "\(outbox)"])
            }
            let mailer = SuppressingMailer(wrapping: try provider.archivedFromEnvironment(environment), store: local)
            let receiver = reader.string(forKey: "mailgun.webhookSigningKey", isSecret: true).flatMap { $0.isEmpty ? nil : $0 }
                .map { MailgunWebhookReceiver(signingKey: $0, store: local) }
            if receiver == nil { logger.warning("MAILGUN_WEBHOOK_SIGNING_KEY is not set: POST /webhooks/mailgun answers 404") }
            let interval = mailroom.int(forKey: "syncIntervalSeconds", default: 3_600)
            let service = MailroomService(
                mirror: mirror, configuration: .init(interval: interval > 0 ? .seconds(interval) : nil), logger: logger, close: local.close
            )
            return AppDependencies(mailer: mailer, receiver: receiver, services: [service], outbox: outboxStore)
        } catch {
            try? await local.close()
            throw error
        }
    }
}

/// The app's routes over `dependencies`: what a unit test builds with an `InMemoryMailer`.
public func buildRouter<Context: RequestContext>(_ dependencies: AppDependencies, context: Context.Type = BasicRequestContext.self) -> Router<Context> {
    let router = Router(context: Context.self)
    router.add(middleware: MailroomErrorMiddleware())
    router.get("/health") { _, _ in "ok" }
    router.addRoutes(SignupController<Context>(mailer: dependencies.mailer).routes, atPath: "/signup")
    if let receiver = dependencies.receiver {
        MailgunWebhookController<Context>(receiver: receiver).addRoutes(to: router, atPath: "/webhooks/mailgun")
    }
    // Development only: with the local outbox, what the app "sent" is readable in the browser.
    // The guard answers requests for a loopback host only.
    if let outbox = dependencies.outbox {
        let guarded = router.group().add(middleware: PreviewAccessMiddleware<Context>())
        PreviewController<Context>(store: outbox, configuration: .init(basePath: "/_mailroom")).addRoutes(to: guarded)
    }
    return router
}

/// The whole app: configuration read, resources opened, routes built, services attached.
///
/// - Parameters:
///   - reader: The configuration (`host`, `port` and the keys of ``AppDependencies/from(reader:environment:logger:)``).
///   - environment: The process environment, for `MAILROOM_ARCHIVE_DIR`.
///   - logger: The app's logger.
/// - Returns: The application, ready to run.
public func buildApplication(reader: ConfigReader, environment: [String: String], logger: Logger) async throws -> some ApplicationProtocol {
    let dependencies = try await AppDependencies.from(reader: reader, environment: environment, logger: logger)
    return Application(
        router: buildRouter(dependencies),
        configuration: ApplicationConfiguration(reader: reader),
        services: dependencies.services,
        logger: logger
    )
}
