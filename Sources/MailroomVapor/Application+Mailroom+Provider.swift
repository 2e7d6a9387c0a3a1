import Foundation
/// Public because `Mailer` appears in this file's public API.
public import Mailroom
/// Public because `FileArchiveStore` supplies a default argument in this file's public API.
public import MailroomArchive
/// Public because `MailgunConfiguration` appears in this file's public API.
public import MailroomMailgun
/// Public because `Application` appears in this file's public API.
public import Vapor

extension Application.Mailroom {
    /// What sends: Mailgun, the local outbox, the in-memory double, or a mailer of your own.
    ///
    /// ```swift
    /// app.mailroom.use(.mailgun(try .fromEnvironment()))
    /// app.mailroom.use(.outbox(directory: ".mailroom/outbox"))
    /// app.mailroom.use(.memory)                            // tests: app.mailroom.memory.sent
    /// app.mailroom.use { app in MyMailer(logger: app.logger) }
    /// ```
    public struct Provider: Sendable {
        let make: @Sendable (Application) async throws -> ProvidedMailer

        /// A provider whose mailer `factory` makes when the application boots.
        ///
        /// - Parameter factory: Makes the mailer; it may throw to fail the boot.
        public init(_ factory: @escaping @Sendable (Application) async throws -> any Mailer) {
            self.make = { ProvidedMailer(mailer: try await factory($0), mailgun: nil) }
        }

        private init(making make: @escaping @Sendable (Application) async throws -> ProvidedMailer) {
            self.make = make
        }

        /// Mailgun, over the application's shared `HTTPClient` (`app.http.client.shared`, which
        /// the application shuts down; Mailroom creates none). A suppression mirror configured
        /// with it is synced from Mailgun.
        ///
        /// - Parameter configuration: The API key, region and domain, e.g. `try .fromEnvironment()`.
        public static func mailgun(_ configuration: MailgunConfiguration) -> Provider {
            Provider(making: { application in
                let mailer = MailgunMailer(configuration: configuration, httpClient: application.http.client.shared)
                return ProvidedMailer(mailer: mailer, mailgun: mailer.client)
            })
        }

        /// The local outbox: every message is stored, gzip-compressed, and none is delivered
        /// (`mailroom archive list` shows them).
        ///
        /// - Parameter directory: The outbox; a relative path is taken from
        ///   `app.directory.workingDirectory`, as Vapor takes its other files. Default `.mailroom/outbox`.
        public static func outbox(directory: String = FileArchiveStore.defaultOutboxDirectory) -> Provider {
            Provider(making: { application in
                let workingDirectory = URL(fileURLWithPath: application.directory.workingDirectory, isDirectory: true)
                let path = URL(fileURLWithPath: directory, relativeTo: workingDirectory).path
                return ProvidedMailer(mailer: try OutboxMailer(directory: path), mailgun: nil)
            })
        }

        /// The in-memory double: nothing leaves the process, and `app.mailroom.memory` holds what was sent.
        public static var memory: Provider {
            Provider(making: { ProvidedMailer(mailer: $0.mailroom.memory, mailgun: nil) })
        }

        /// Mailgun when `MAILGUN_API_KEY` is set (with `MAILGUN_DOMAIN`, `MAILGUN_REGION` and
        /// `MAILGUN_BASE_URL`), else the local outbox (`MAILROOM_OUTBOX`, default `.mailroom/outbox`)
        /// with one warning. Read when the application boots, so a `.env` file counts; a malformed
        /// variable fails the boot naming it.
        public static var fromEnvironment: Provider {
            fromEnvironment(nil)
        }

        /// ``fromEnvironment`` over the given variables instead of the process's.
        ///
        /// - Parameter environment: The variables; `nil` reads the process's when the application boots.
        public static func fromEnvironment(_ environment: [String: String]?) -> Provider {
            Provider(making: { application in
                let variables = environment ?? ProcessInfo.processInfo.environment
                if variables[MailgunConfiguration.EnvironmentKey.apiKey]?.isEmpty == false {
                    return try await mailgun(.fromEnvironment(variables)).make(application)
                }
                let directory = variables["MAILROOM_OUTBOX"].flatMap { $0.isEmpty ? nil : $0 } ?? FileArchiveStore.defaultOutboxDirectory
                application.logger.warning("MAILGUN_API_KEY is not set: messages go to the local outbox and are not delivered", metadata: [
                    "mailroom.outbox": "\(directory)",
                ])
                return try await outbox(directory: directory).make(application)
            })
        }

        /// Used when nothing was configured: the local outbox, with one warning (where a missing
        /// provider would otherwise stop the app).
        static var defaultOutbox: Provider {
            Provider(making: { application in
                application.logger.warning("no Mailroom provider is configured (app.mailroom.use(...)): messages go to the local outbox and are not delivered")
                return try await outbox().make(application)
            })
        }
    }
}

/// A provider's mailer and, for Mailgun, its client (which a suppression mirror syncs from).
struct ProvidedMailer: Sendable {
    var mailer: any Mailer
    var mailgun: MailgunClient?
}
