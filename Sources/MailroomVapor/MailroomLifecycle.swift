import Vapor

/// Opens Mailroom's resources when the application boots, so a bad configuration stops the boot
/// with an error naming the setting, and closes them in the application's asynchronous shutdown
/// (before the application's `HTTPClient`, which Vapor shuts down after its lifecycle handlers).
struct MailroomLifecycle: LifecycleHandler {
    func willBootAsync(_ application: Application) async throws {
        _ = try await application.mailroom.stack()
    }

    // A synchronous boot (`app.boot()`, `app.testing()`) opens nothing here: the resources open
    // on first use instead, since opening a SQLite file is asynchronous.

    func shutdownAsync(_ application: Application) async {
        await application.mailroom.state.resources.close(logger: application.logger)
    }

    func shutdown(_ application: Application) {
        if application.mailroom.state.isFrozen {
            application.logger.warning("Mailroom's resources are closed only by asyncShutdown(); use it instead of shutdown()")
        }
    }
}
