import Logging
import Mailroom

/// Opens the stack once (concurrent first uses wait for the same opening; a failed opening is
/// tried again by the next use) and closes it once.
actor MailroomResources {
    private enum Phase {
        case idle
        case opening(Task<MailroomStack, any Error>)
        case open(MailroomStack)
        case closed
    }

    private var phase = Phase.idle

    func stack(opening open: @escaping @Sendable () async throws -> MailroomStack) async throws -> MailroomStack {
        switch phase {
        case .open(let stack):
            return stack
        case .opening(let task):
            return try await task.value
        case .closed:
            throw Self.closedError
        case .idle:
            let task = Task { try await open() }
            phase = .opening(task)
            do {
                let stack = try await task.value
                // A shutdown during the opening closes what was opened (see close(logger:)).
                if case .closed = phase { throw Self.closedError }
                phase = .open(stack)
                return stack
            } catch {
                if case .opening = phase { phase = .idle }
                throw error
            }
        }
    }

    /// Stops the sync and closes the suppression store; later uses throw.
    func close(logger: Logger) async {
        let current = phase
        phase = .closed
        switch current {
        case .open(let stack):
            await stack.close(logger: logger)
        case .opening(let task):
            if let stack = try? await task.value { await stack.close(logger: logger) }
        case .idle, .closed:
            break
        }
    }

    private static var closedError: MailroomError {
        MailroomError(code: .configuration, message: "Mailroom was shut down with the application; nothing more is sent")
    }
}
