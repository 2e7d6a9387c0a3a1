/// Public because `ProcessInfo` supplies this file's default environment.
public import Foundation
/// Public because `Mailer` appears in this file's public API.
public import Mailroom

/// Where and how a deployment archives what it sends, usually read from the environment.
///
/// | Variable | Meaning | Default |
/// | --- | --- | --- |
/// | `MAILROOM_ARCHIVE_DIR` | the store's directory; archiving is off when unset | — |
/// | `MAILROOM_ARCHIVE_POLICY` | `fail-closed` or `fail-open` | `fail-closed` |
/// | `MAILROOM_ARCHIVE_LEVEL` | zlib level, 0 to 9 | `6` |
/// | `MAILROOM_ARCHIVE_DURABILITY` | `full` (a recorded message survives a power cut) or `process-crash` (a killed process, not a power cut; no disk flushes) | `full` |
///
/// ```swift
/// let mailer = try MailgunMailer(configuration: .fromEnvironment()).archivedFromEnvironment()
/// ```
public struct ArchiveConfiguration: Sendable {
    /// The store's directory.
    public var directory: String
    /// Whether a send goes ahead when the archive cannot record it. Default ``ArchivePolicy/failClosed``.
    public var policy: ArchivePolicy
    /// The zlib compression level, 0 to 9. Default 6.
    public var compressionLevel: Int
    /// What a recorded message survives. Default ``ArchiveDurability/full``.
    public var durability: ArchiveDurability

    /// Creates a configuration.
    ///
    /// - Parameters:
    ///   - directory: The store's directory.
    ///   - policy: Default ``ArchivePolicy/failClosed``.
    ///   - compressionLevel: Default 6.
    ///   - durability: Default ``ArchiveDurability/full``.
    public init(directory: String, policy: ArchivePolicy = .failClosed, compressionLevel: Int = 6, durability: ArchiveDurability = .full) {
        self.directory = directory
        self.policy = policy
        self.compressionLevel = compressionLevel
        self.durability = durability
    }

    /// The configuration in `environment`, or `nil` when `MAILROOM_ARCHIVE_DIR` is unset or empty.
    ///
    /// - Parameter environment: Default: this process's environment.
    /// - Throws: `MailroomError.Code.invalidValue` naming `MAILROOM_ARCHIVE_POLICY`,
    ///   `MAILROOM_ARCHIVE_LEVEL` or `MAILROOM_ARCHIVE_DURABILITY` when one is malformed.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> ArchiveConfiguration? {
        guard let directory = environment["MAILROOM_ARCHIVE_DIR"], !directory.isEmpty else { return nil }
        var configuration = ArchiveConfiguration(directory: directory)
        configuration.policy = try policy(fromEnvironment: environment)
        configuration.compressionLevel = try compressionLevel(fromEnvironment: environment)
        if let durability = environment["MAILROOM_ARCHIVE_DURABILITY"], !durability.isEmpty {
            configuration.durability = try .named(durability, field: "MAILROOM_ARCHIVE_DURABILITY")
        }
        return configuration
    }

    /// `MAILROOM_ARCHIVE_POLICY`, else ``ArchivePolicy/failClosed``: the policy of any archive
    /// store a deployment configures, in a directory or elsewhere.
    ///
    /// - Parameter environment: Default: this process's environment.
    /// - Throws: `MailroomError.Code.invalidValue` naming `MAILROOM_ARCHIVE_POLICY` when it is malformed.
    public static func policy(fromEnvironment environment: [String: String] = ProcessInfo.processInfo.environment) throws -> ArchivePolicy {
        guard let policy = environment["MAILROOM_ARCHIVE_POLICY"], !policy.isEmpty else { return .failClosed }
        return try .named(policy, field: "MAILROOM_ARCHIVE_POLICY")
    }

    /// `MAILROOM_ARCHIVE_LEVEL`, else 6: the zlib level of any archive store a deployment configures.
    ///
    /// - Parameter environment: Default: this process's environment.
    /// - Throws: `MailroomError.Code.invalidValue` naming `MAILROOM_ARCHIVE_LEVEL` unless it is 0 to 9.
    public static func compressionLevel(fromEnvironment environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Int {
        guard let level = environment["MAILROOM_ARCHIVE_LEVEL"], !level.isEmpty else { return 6 }
        guard let value = Int(level), (0...9).contains(value) else {
            throw MailroomError.invalidValue(field: "MAILROOM_ARCHIVE_LEVEL", "'\(level.prefix(20))' is not a zlib level; use 0 to 9")
        }
        return value
    }

    /// The ``FileArchiveStore`` this configuration describes.
    ///
    /// - Throws: `MailroomError.Code.invalidValue` naming `directory` or `compressionLevel`.
    public func makeStore() throws -> FileArchiveStore {
        try FileArchiveStore(directory: directory, configuration: .init(compressionLevel: compressionLevel, durability: durability))
    }
}

extension Mailer {
    /// This mailer, archiving into the store `configuration` describes; unchanged when it is `nil`.
    ///
    /// - Parameters:
    ///   - configuration: The archive, or `nil` for none.
    ///   - onFailure: Called with archive failures that did not stop a send.
    /// - Returns: The mailer to inject.
    /// - Throws: `MailroomError.Code.invalidValue` for a bad directory or level.
    public func archived(
        _ configuration: ArchiveConfiguration?,
        onFailure: (@Sendable (ArchiveFailure) async -> Void)? = nil
    ) throws -> AnyMailer {
        guard let configuration else { return AnyMailer(self) }
        let store = try configuration.makeStore()
        return AnyMailer(ArchivingMailer<Self, FileArchiveStore>(wrapping: self, store: store, policy: configuration.policy, onFailure: onFailure))
    }

    /// This mailer, archiving when `MAILROOM_ARCHIVE_DIR` is set: one line to enable the archive
    /// per deployment.
    ///
    /// ```swift
    /// let mailer = try MailgunMailer(configuration: .fromEnvironment()).archivedFromEnvironment()
    /// ```
    ///
    /// - Parameters:
    ///   - environment: Default: this process's environment.
    ///   - onFailure: Called with archive failures that did not stop a send.
    /// - Returns: The mailer to inject.
    /// - Throws: `MailroomError.Code.invalidValue` naming the malformed variable.
    public func archivedFromEnvironment(
        _ environment: [String: String] = ProcessInfo.processInfo.environment,
        onFailure: (@Sendable (ArchiveFailure) async -> Void)? = nil
    ) throws -> AnyMailer {
        try archived(ArchiveConfiguration.fromEnvironment(environment), onFailure: onFailure)
    }
}
