/// Public because `Hummingbird` types appear in this file's public API.
public import Hummingbird
import HTTPTypes
import Logging
import Mailroom
/// Public because `ArchiveStore` appears in this file's public API.
public import MailroomArchive
import NIOCore

/// Sent mail in the browser: the pages and JSON API of `mailroom preview` over any
/// `ArchiveStore` (the local outbox, an archive), as routes a Hummingbird app mounts.
///
/// ```swift
/// let outbox = try FileArchiveStore(directory: FileArchiveStore.defaultOutboxDirectory)
/// PreviewController<BasicRequestContext>(store: outbox, configuration: .init(basePath: "/_mailroom"))
///     .addRoutes(to: router)                       // in development only
/// ```
///
/// Under ``PreviewConfiguration/basePath``:
///
/// | Path | What |
/// | --- | --- |
/// | `/` | the list, newest first: search (`q`) and filters (`to`, `from`, `tag`, `state`, `since`, `until`), paging, a count |
/// | `/messages/{id}` | one message: its HTML in a sandboxed frame, text, headers, raw source, attachments, links |
/// | `/messages/{id}/body` | the HTML the frame shows, under a policy that loads nothing remote (`?remote=1` allows images) |
/// | `/api/v1/messages` | the list as JSON, same parameters (and `limit`, `before`, `offset`) |
/// | `/api/v1/messages/{id}` | one message as JSON |
/// | `/api/v1/messages/{id}/raw` | the message's bytes as recorded |
/// | `/api/v1/messages/{id}/attachments/{n}` | attachment `n` (from 0), byte-exact, as a download |
/// | `/api/v1/events` | server-sent events: one `message` event per new entry |
///
/// The routes only read the store. Everything from a message is escaped; its HTML is shown only
/// in a frame without scripts, forms or navigation of the page, under a Content-Security-Policy
/// that forbids every load but its own inline images. Ids are checked by the store (an id that is
/// not one is a 400 naming `id`). Who may connect is the host's decision; ``PreviewAccessMiddleware``
/// is what `mailroom preview` uses.
public struct PreviewController<Context: RequestContext>: Sendable {
    /// The messages shown.
    public let store: any ArchiveStore
    /// Where the pages are mounted and how they watch for new mail.
    public let configuration: PreviewConfiguration

    /// Creates the routes over a store.
    ///
    /// - Parameters:
    ///   - store: What to show; only read.
    ///   - configuration: The mount path and the live updates' timing.
    public init(store: any ArchiveStore, configuration: PreviewConfiguration = PreviewConfiguration()) {
        self.store = store
        self.configuration = configuration
    }

    /// The routes, relative to ``PreviewConfiguration/basePath``.
    public var routes: RouteCollection<Context> {
        let routes = RouteCollection(context: Context.self)
        routes.get("/", use: listPage)
        routes.get("messages/:id", use: messagePage)
        routes.get("messages/:id/body", use: framedBody)
        routes.get("assets/preview.css") { _, _ in Self.asset(PreviewStyle.css, type: "text/css; charset=utf-8") }
        routes.get("assets/preview.js") { _, _ in Self.asset(PreviewScript.javaScript, type: "text/javascript; charset=utf-8") }
        routes.get("api/v1/messages", use: listJSON)
        routes.get("api/v1/messages/:id", use: messageJSON)
        routes.get("api/v1/messages/:id/raw", use: raw)
        routes.get("api/v1/messages/:id/attachments/:n", use: attachment)
        routes.get("api/v1/events", use: events)
        return routes
    }

    /// Adds ``routes`` to `router` at ``PreviewConfiguration/basePath``.
    ///
    /// - Parameter router: The router or group to add to.
    public func addRoutes(to router: some RouterMethods<Context>) {
        router.addRoutes(routes, atPath: RouterPath(configuration.basePath.isEmpty ? "/" : configuration.basePath))
    }

    private var pages: PreviewPages { PreviewPages(configuration: configuration) }

    // MARK: Pages

    @Sendable func listPage(_ request: Request, context: Context) async throws -> Response {
        await answering(.page, context) {
            let (query, entries, total) = try await list(request)
            return Self.page(pages.list(entries: entries, total: total, query: query))
        }
    }

    @Sendable func messagePage(_ request: Request, context: Context) async throws -> Response {
        await answering(.page, context) {
            let (entry, bytes) = try await message(context)
            let remote = request.uri.queryParameters["remote"] == "1"
            return Self.page(pages.message(entry: entry, message: PreviewMessage(bytes: bytes), remoteImages: remote))
        }
    }

    @Sendable func framedBody(_ request: Request, context: Context) async throws -> Response {
        await answering(.page, context) {
            let (_, bytes) = try await message(context)
            let remote = request.uri.queryParameters["remote"] == "1"
            let html = PreviewMessage(bytes: bytes).framedHTML ?? ""
            var headers = Self.commonHeaders(type: "text/html; charset=utf-8")
            headers[.contentSecurityPolicy] = PreviewPolicy.framedMessage(remoteImages: remote)
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html)))
        }
    }

    // MARK: JSON API

    @Sendable func listJSON(_ request: Request, context: Context) async throws -> Response {
        await answering(.api, context) {
            let (query, entries, total) = try await list(request)
            let next = query.nextPage(after: entries).map { "\(configuration.basePath)/api/v1/messages\(query.queryString($0))" }
            return try Self.json(PreviewJSON.List(total: total, messages: entries, next: next))
        }
    }

    @Sendable func messageJSON(_ request: Request, context: Context) async throws -> Response {
        await answering(.api, context) {
            let (entry, bytes) = try await message(context)
            let message = PreviewMessage(bytes: bytes)
            let base = "\(configuration.basePath)/api/v1/messages/\(entry.id)"
            return try Self.json(PreviewJSON.Detail(entry: entry, message: message, base: base))
        }
    }

    @Sendable func raw(_ request: Request, context: Context) async throws -> Response {
        await answering(.api, context) {
            let (entry, bytes) = try await message(context)
            var headers = Self.commonHeaders(type: "text/plain; charset=utf-8")
            headers[.contentDisposition] = "inline; filename=\"\(entry.id).eml\""
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
        }
    }

    @Sendable func attachment(_ request: Request, context: Context) async throws -> Response {
        await answering(.api, context) {
            let (entry, bytes) = try await message(context)
            let attachments = PreviewMessage(bytes: bytes).attachments
            let n = context.parameters.get("n") ?? ""
            guard let index = Int(n), attachments.indices.contains(index) else {
                throw MailroomError(code: .notFound, field: "n", message: "message '\(entry.id)' has no attachment '\(n.prefix(20))' (it has \(attachments.count))")
            }
            let file = attachments[index]
            // Always a download of opaque bytes: an HTML or SVG attachment must never render in the
            // preview's own origin.
            var headers = Self.commonHeaders(type: "application/octet-stream")
            headers[.contentDisposition] = PreviewPages.downloadDisposition(filename: file.filename ?? "attachment-\(index)")
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: file.bytes)))
        }
    }

    @Sendable func events(_ request: Request, context: Context) async throws -> Response {
        await answering(.api, context) {
            let stream = try await PreviewEvents.start(store: store, configuration: configuration)
            var headers = Self.commonHeaders(type: "text/event-stream")
            headers[.cacheControl] = "no-store"
            return Response(status: .ok, headers: headers, body: ResponseBody { writer in try await stream.write(to: &writer) })
        }
    }

    // MARK: Helpers

    /// The request's conditions, the page of entries they select and how many match in all (the
    /// list page and the JSON list answer the same query).
    private func list(_ request: Request) async throws -> (PreviewQuery, [ArchiveEntry], Int) {
        let query = try PreviewQuery(query: request.uri.query, ignoring: PreviewAccessMiddleware<Context>.ignoredParameters)
        async let total = store.count(matching: query.archiveQuery.unpaged)
        let entries = try await store.entries(matching: query.archiveQuery)
        return (query, entries, try await total)
    }

    /// The entry and bytes of the message the route's `id` names.
    private func message(_ context: Context) async throws -> (ArchiveEntry, [UInt8]) {
        let id = context.parameters.get("id") ?? ""
        guard let entry = try await store.entries(matching: ArchiveQuery(id: id, limit: 1)).first else {
            throw MailroomError(code: .notFound, field: "id", message: "no archived message '\(id.prefix(60))'")
        }
        return (entry, try await store.contents(of: entry.id))
    }

    private enum Kind { case page, api }

    /// Runs `body`, answering a `MailroomError` as a page or as JSON with its status: 400 naming
    /// the field for bad input, 404 for an unknown message, 500 for a corrupt one, 503 when the
    /// store cannot be read.
    private func answering(_ kind: Kind, _ context: Context, _ body: () async throws -> Response) async -> Response {
        do {
            return try await body()
        } catch {
            let error = error as? MailroomError ?? MailroomError(code: .storage, message: "the archive cannot be read (\(type(of: error)))")
            let status: HTTPResponse.Status = switch error.code {
            case .notFound: .notFound
            case .corrupted: .internalServerError
            case .storage: .serviceUnavailable
            default: error.httpStatus == 400 ? .badRequest : .internalServerError
            }
            context.logger.log(level: status == .badRequest || status == .notFound ? .info : .error, "preview request failed", metadata: [
                "mailroom.error": "\(error.shortDescription)", "http.status": "\(status.code)",
            ])
            switch kind {
            case .page:
                return Self.page(pages.error(status: status, error: error), status: status)
            case .api:
                return Response(status: status, headers: Self.commonHeaders(type: "application/json; charset=utf-8"), body: .init(byteBuffer: ByteBuffer(bytes: error.httpJSONBody)))
            }
        }
    }

    /// What every answer carries: no sniffing, no referrer, nothing cached (the store changes).
    static func commonHeaders(type: String) -> HTTPFields {
        var headers: HTTPFields = [.contentType: type, .xContentTypeOptions: "nosniff", .cacheControl: "no-store"]
        for (name, value) in [("Referrer-Policy", "no-referrer"), ("X-DNS-Prefetch-Control", "off")] {
            if let name = HTTPField.Name(name) { headers[name] = value }
        }
        return headers
    }

    private static func page(_ html: String, status: HTTPResponse.Status = .ok) -> Response {
        var headers = commonHeaders(type: "text/html; charset=utf-8")
        headers[.contentSecurityPolicy] = PreviewPolicy.page
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    private static func asset(_ text: String, type: String) -> Response {
        Response(status: .ok, headers: commonHeaders(type: type), body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    private static func json(_ value: some Encodable) throws -> Response {
        Response(status: .ok, headers: commonHeaders(type: "application/json; charset=utf-8"), body: .init(byteBuffer: ByteBuffer(bytes: try PreviewJSON.encode(value))))
    }
}
