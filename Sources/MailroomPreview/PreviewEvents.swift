import Hummingbird
import MailroomArchive
import NIOCore
import ServiceLifecycle

/// The live-update stream (server-sent events): a `message` event, whose data is the entry as
/// JSON, for each message recorded after the stream opened, oldest first.
///
/// Another process (the app, `mailroom send`) writes the store, so nothing here is told of new
/// messages: the stream asks the store for its newest entries every
/// ``PreviewConfiguration/pollInterval``, one indexed query. It ends when the page goes away (a
/// write fails) or the server shuts down gracefully.
struct PreviewEvents: Sendable {
    /// The most entries one poll reports; a burst larger than this between two polls is reported
    /// as its newest ones (the page then reloads its list, which shows them all).
    static let batch = 100

    let store: any ArchiveStore
    let configuration: PreviewConfiguration
    /// The newest entry when the stream opened.
    let newestID: String?

    /// Notes where the store stands now, so that only later messages are reported.
    static func start(store: any ArchiveStore, configuration: PreviewConfiguration) async throws -> PreviewEvents {
        let newest = try await store.entries(matching: ArchiveQuery(limit: 1)).first?.id
        return PreviewEvents(store: store, configuration: configuration, newestID: newest)
    }

    /// Writes events until the client leaves or the server stops.
    func write(to writer: inout any ResponseBodyWriter) async throws {
        // `retry` tells EventSource how soon to reconnect after a dropped stream.
        try await writer.write(ByteBuffer(string: "retry: 1000\n: mailroom preview\n\n"))
        var newest = newestID
        var quiet = Duration.zero
        // A graceful shutdown ends the stream within one poll, so that the server can stop.
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            do {
                try await Task.sleep(for: configuration.pollInterval)
            } catch {
                break
            }
            let (events, latest) = try await poll(after: newest)
            newest = latest ?? newest
            if events.isEmpty {
                quiet += configuration.pollInterval
                guard quiet >= configuration.keepAliveInterval else { continue }
                quiet = .zero
                try await writer.write(ByteBuffer(string: ": keep-alive\n\n"))
            } else {
                quiet = .zero
                try await writer.write(ByteBuffer(string: events))
            }
        }
        try await writer.finish(nil)
    }

    /// The events for entries newer than `newest`, and the newest id now.
    func poll(after newest: String?) async throws -> (events: String, newest: String?) {
        let entries = try await store.entries(matching: ArchiveQuery(limit: Self.batch))
        let fresh = entries.prefix { $0.id != newest }
        guard !fresh.isEmpty else { return ("", entries.first?.id) }
        var events = ""
        for entry in fresh.reversed() {
            // JSON has no raw line breaks, so each event's data is one line.
            events += "event: message\nid: \(entry.id)\ndata: \(String(decoding: try PreviewJSON.encode(entry), as: UTF8.self))\n\n"
        }
        return (events, entries.first?.id)
    }
}
