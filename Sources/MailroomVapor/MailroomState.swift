import Logging
import MailroomMailgun
import MailroomTesting
import NIOConcurrencyHelpers
import Vapor

/// What an application configured through `app.mailroom`, kept in its storage.
final class MailroomState: Sendable {
    struct Key: StorageKey, LockKey {
        typealias Value = MailroomState
    }

    /// The settings the stack is opened from.
    struct Settings: Sendable {
        var provider: Application.Mailroom.Provider?
        var suppressions: Application.Mailroom.Suppressions.Provider?
        var sync: SuppressionSyncSchedule? = SuppressionSyncSchedule()
        var archive: Application.Mailroom.Archive.Provider?
        var webhooks: Application.Mailroom.Webhooks.Provider?
    }

    private let settings = NIOLockedValueBox((settings: Settings(), frozen: false))
    let resources = MailroomResources()
    let memory = InMemoryMailer()

    /// Changes the settings, unless the stack is already open: then nothing changes and one
    /// warning says so (the change would silently not apply).
    func configure(logger: Logger, _ change: (inout Settings) -> Void) {
        let applied = settings.withLockedValue { box in
            guard !box.frozen else { return false }
            change(&box.settings)
            return true
        }
        if !applied {
            logger.warning("app.mailroom was configured after it started; the change has no effect (configure Mailroom before the application boots)")
        }
    }

    /// The settings, fixed from now on.
    func freeze() -> Settings {
        settings.withLockedValue { box in
            box.frozen = true
            return box.settings
        }
    }

    var isFrozen: Bool { settings.withLockedValue { $0.frozen } }
}
