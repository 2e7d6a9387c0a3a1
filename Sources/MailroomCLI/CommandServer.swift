import Hummingbird
import Logging
import Mailroom

/// How the CLI's servers (`webhook serve`, `preview`) run: a Hummingbird application on `host` and
/// `port` until SIGINT or SIGTERM, telling `listening` its base URL (`http://HOST:PORT`, the
/// port the system chose for 0) once it accepts connections.
enum CommandServer {
    static func run(
        _ router: Router<BasicRequestContext>,
        host: String,
        port: Int,
        serverName: String,
        logger: Logger,
        listening: @escaping @Sendable (String) -> Void
    ) async throws {
        let app = Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port), serverName: serverName),
            onServerRunning: { channel in
                let shown = host.contains(":") ? "[\(host)]" : host
                listening("http://\(shown):\(channel.localAddress?.port ?? 0)")
            },
            logger: logger
        )
        do {
            try await app.runService()
        } catch {
            throw MailroomError(code: .configuration, field: "port", message: "cannot listen on \(host):\(port) (\(type(of: error)))")
        }
    }
}
