import Foundation
/// Public because `ArchiveConfiguration`, `ArchivePolicy` and `ArchiveStore` appear in this file's public API.
public import MailroomArchive
import Mailroom
/// Public because `Application` appears in this file's public API.
public import Vapor

extension Application.Mailroom {
    /// The archive: a gzip copy of every message the provider is asked to send, recorded before
    /// the send (fail-closed by default), with its outcome after.
    ///
    /// Suppressions are checked before it, so a message whose every recipient is suppressed is
    /// neither archived nor sent.
    ///
    /// ```swift
    /// app.mailroom.archive.use(.directory("/var/lib/acme/mail-archive"))
    /// app.mailroom.archive.use(.fromEnvironment)          // MAILROOM_ARCHIVE_DIR; off when unset
    /// app.mailroom.archive.use(.store(postgresArchive))   // any ArchiveStore, e.g. PostgresArchiveStore
    /// ```
    public struct Archive: Sendable {
        /// The application.
        public let application: Application

        /// Sets the archive.
        ///
        /// - Parameter provider: Where and how to archive.
        public func use(_ provider: Provider) {
            application.mailroom.state.configure(logger: application.logger) { $0.archive = provider }
        }

        /// Where and how to archive.
        public struct Provider: Sendable {
            /// Wraps the provider's mailer in the archive, when the application boots.
            let wrap: @Sendable (any Mailer) throws -> any Mailer

            /// A `FileArchiveStore` in `directory`.
            ///
            /// - Parameters:
            ///   - directory: The store's directory.
            ///   - policy: Whether a send goes ahead when the archive cannot record it. Default fail-closed.
            ///   - compressionLevel: zlib level, 0 to 9. Default 6.
            public static func directory(_ directory: String, policy: ArchivePolicy = .failClosed, compressionLevel: Int = 6) -> Provider {
                configuration(ArchiveConfiguration(directory: directory, policy: policy, compressionLevel: compressionLevel))
            }

            /// The archive `configuration` describes.
            ///
            /// - Parameter configuration: The archive.
            public static func configuration(_ configuration: ArchiveConfiguration) -> Provider {
                Provider { try $0.archived(configuration) }
            }

            /// Any store, e.g. a `PostgresArchiveStore` on a `PostgresClient` the application
            /// runs, shared by all its instances.
            ///
            /// - Parameters:
            ///   - store: Where copies are kept.
            ///   - policy: Whether a send goes ahead when the archive cannot record it. Default fail-closed.
            public static func store(_ store: some ArchiveStore, policy: ArchivePolicy = .failClosed) -> Provider {
                Provider { ArchivingMailer(wrapping: $0, store: store, policy: policy) }
            }

            /// `MAILROOM_ARCHIVE_DIR`, `MAILROOM_ARCHIVE_POLICY` and `MAILROOM_ARCHIVE_LEVEL`, read
            /// when the application boots; no archive when the directory is unset.
            public static var fromEnvironment: Provider {
                fromEnvironment(nil)
            }

            /// ``fromEnvironment`` over the given variables instead of the process's.
            ///
            /// - Parameter environment: The variables; `nil` reads the process's when the application boots.
            public static func fromEnvironment(_ environment: [String: String]?) -> Provider {
                Provider { try $0.archived(ArchiveConfiguration.fromEnvironment(environment ?? ProcessInfo.processInfo.environment)) }
            }
        }
    }
}
