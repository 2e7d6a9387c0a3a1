import NIOCore
import NIOPosix
import Synchronization

/// A TCP relay on loopback in front of a PostgreSQL server that, once armed, passes the server's
/// answer to a statement up to its `CommandComplete` and then drops both connections: what a
/// client sees when the server crashes between running a statement and committing it (the crash
/// flushes the `CommandComplete` and loses the transaction, and `ReadyForQuery` never comes).
final class CommitCuttingProxy: Sendable {
    /// The port the relay listens on (127.0.0.1).
    let port: Int
    private let state = Mutex(State())

    private struct State {
        var armedFor: String?
        var cuts: [String] = []
    }

    /// The command tags after which the relay cut a connection, in order.
    var cuts: [String] { state.withLock { $0.cuts } }

    private init(port: Int) {
        self.port = port
    }

    /// Cuts the next connection whose server completes a command whose tag starts with `tag`
    /// (`INSERT`, `UPDATE`, `DELETE`), once.
    func arm(_ tag: String) {
        state.withLock { $0.armedFor = tag }
    }

    /// Runs a relay to `host`:`port` while `body` runs.
    static func with<Result: Sendable>(
        upstreamHost host: String,
        port upstreamPort: Int,
        _ body: (CommitCuttingProxy) async throws -> Result
    ) async throws -> Result {
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: "127.0.0.1", port: 0) { channel in
                channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
            }
        guard let port = server.channel.localAddress?.port else { throw ProxyFailure.noPort }
        let proxy = CommitCuttingProxy(port: port)
        return try await withThrowingTaskGroup(of: Result?.self) { group in
            group.addTask {
                try await server.executeThenClose { connections in
                    try await withThrowingDiscardingTaskGroup { relays in
                        for try await client in connections {
                            // A relay that fails (the server refused it) just ends, as a dropped connection would.
                            relays.addTask { try? await proxy.relay(client, toHost: host, port: upstreamPort) }
                        }
                    }
                }
                return nil
            }
            defer { group.cancelAll() }
            return try await body(proxy)
        }
    }

    private func relay(_ client: NIOAsyncChannel<ByteBuffer, ByteBuffer>, toHost host: String, port: Int) async throws {
        let upstream = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton).connect(host: host, port: port) { channel in
            channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
        }
        try await client.executeThenClose { fromClient, toClient in
            try await upstream.executeThenClose { fromServer, toServer in
                try await withThrowingTaskGroup(of: Void.self) { pumps in
                    pumps.addTask {
                        for try await bytes in fromClient { try await toServer.write(bytes) }
                    }
                    pumps.addTask {
                        // The server's side is a stream of messages: a type byte, then a length
                        // that counts itself and the body.
                        var pending = ByteBuffer()
                        for try await bytes in fromServer {
                            pending.writeImmutableBuffer(bytes)
                            while let length = pending.getInteger(at: pending.readerIndex + 1, as: Int32.self).map(Int.init),
                                  pending.readableBytes >= 1 + length, let message = pending.readSlice(length: 1 + length) {
                                try await toClient.write(message)
                                if self.cutsAfter(message) { return }
                            }
                        }
                    }
                    // Whichever direction ends first ends the relay; both connections close.
                    _ = try await pumps.next()
                    pumps.cancelAll()
                }
            }
        }
    }

    /// Whether `message` is the `CommandComplete` the relay is armed for (then disarmed).
    private func cutsAfter(_ message: ByteBuffer) -> Bool {
        guard message.getInteger(at: message.readerIndex, as: UInt8.self) == UInt8(ascii: "C"),
              let tag = message.getString(at: message.readerIndex + 5, length: message.readableBytes - 6)
        else { return false }
        return state.withLock { state in
            guard let armed = state.armedFor, tag.hasPrefix(armed) else { return false }
            state.armedFor = nil
            state.cuts.append(tag)
            return true
        }
    }

    enum ProxyFailure: Error {
        case noPort
    }
}
