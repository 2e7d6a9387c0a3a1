import Foundation
/// Public because `SuppressionStore` appears in this file's public API.
public import Mailroom
/// Public because `SuppressionSyncSchedule` appears in this file's public API.
public import MailroomMailgun
/// Public because `SQLiteSuppressionStore` appears in this file's public API.
public import MailroomSQLite
import MailroomTesting
/// Public because `Application` appears in this file's public API.
public import Vapor

extension Application.Mailroom {
    /// The local suppression mirror every send checks first, with one local query per message.
    ///
    /// Mailgun's webhooks (``MailgunWebhookRoutes``) write into it; when Mailgun sends, it is also
    /// synced from Mailgun's lists when the application boots and then on the schedule given.
    ///
    /// ```swift
    /// app.mailroom.suppressions.use(.sqlite(path: ".mailroom/suppressions.sqlite"))
    /// app.mailroom.suppressions.use(.memory, sync: nil)
    /// ```
    public struct Suppressions: Sendable {
        /// The application.
        public let application: Application

        /// Sets the store and when it is synced from Mailgun.
        ///
        /// - Parameters:
        ///   - provider: The store.
        ///   - sync: When to sync from Mailgun (only when Mailgun sends); `nil` for never. Default:
        ///     at boot, then hourly.
        public func use(_ provider: Provider, sync: SuppressionSyncSchedule? = SuppressionSyncSchedule()) {
            application.mailroom.state.configure(logger: application.logger) {
                $0.suppressions = provider
                $0.sync = sync
            }
        }

        /// Where the mirror is kept.
        public struct Provider: Sendable {
            let open: @Sendable (Application) async throws -> OpenedSuppressions

            /// A SQLite file (WAL), opened at boot and closed at shutdown; several processes on one
            /// machine may share it.
            ///
            /// - Parameters:
            ///   - path: The file. Default `.mailroom/suppressions.sqlite`.
            ///   - configuration: Busy timeout and clock.
            public static func sqlite(
                path: String = SQLiteSuppressionStore.defaultPath,
                configuration: SQLiteSuppressionStore.Configuration = SQLiteSuppressionStore.Configuration()
            ) -> Provider {
                Provider(open: { application in
                    let store = try await SQLiteSuppressionStore.open(path: path, configuration: configuration, logger: application.logger)
                    return OpenedSuppressions(store: store, close: store.close)
                })
            }

            /// A new, empty store in memory, for tests.
            public static var memory: Provider {
                Provider(open: { _ in OpenedSuppressions(store: InMemorySuppressionStore(), close: nil) })
            }

            /// A store of your own, e.g. one a test fills first; you close it. It is synced from
            /// Mailgun when it is a `SuppressionReplica`.
            ///
            /// - Parameter store: The store.
            public static func store(_ store: some SuppressionStore) -> Provider {
                Provider(open: { _ in OpenedSuppressions(store: store, close: nil) })
            }

            /// ``sqlite(path:configuration:)`` at `MAILROOM_SUPPRESSIONS_DB`, or at the default path
            /// when it is unset; read when the application boots.
            public static var fromEnvironment: Provider {
                fromEnvironment(nil)
            }

            /// ``fromEnvironment`` over the given variables instead of the process's.
            ///
            /// - Parameter environment: The variables; `nil` reads the process's when the application boots.
            public static func fromEnvironment(_ environment: [String: String]?) -> Provider {
                Provider(open: { application in
                    let variables = environment ?? ProcessInfo.processInfo.environment
                    let path = variables["MAILROOM_SUPPRESSIONS_DB"].flatMap { $0.isEmpty ? nil : $0 } ?? SQLiteSuppressionStore.defaultPath
                    return try await sqlite(path: path).open(application)
                })
            }
        }
    }
}

/// An opened suppression store and, when Mailroom owns it, how to close it.
struct OpenedSuppressions: Sendable {
    var store: any SuppressionStore
    var close: (@Sendable () async throws -> Void)?
}
