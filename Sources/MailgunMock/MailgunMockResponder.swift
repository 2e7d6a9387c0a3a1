import Foundation
import Hummingbird
import Mailroom
import MailroomMailgun
import NIOCore

/// Answers Mailgun's API: checks credentials, applies queued faults, and routes by path segments
/// (percent-decoded one by one, so addresses with `+` or `@` and alert names with spaces arrive whole).
struct MailgunMockResponder: HTTPResponder {
    typealias Context = MockRequestContext

    let state: MailgunMockState
    let apiKeys: Set<String>
    /// Keys with a user on them (Mailgun's `web` keys): the only ones `/v5/users/me` answers.
    let webKeys: Set<String>
    let maximumMessageSize: Int
    let webhookQueue: AsyncStream<WebhookDispatcher.Job>.Continuation

    func respond(to request: Request, context: Context) async throws -> Response {
        let response = try await answer(request, context: context)
        if !request.uri.path.hasPrefix("/mock/") {
            await state.log(MockRequest(method: request.method.rawValue, path: request.uri.path, status: response.status.code))
        }
        return response
    }

    /// Queues the events of an accepted message for the dispatcher.
    func dispatchEvents(for message: MockMessage) async {
        if let job = await state.webhookJob(for: message) { webhookQueue.yield(job) }
    }

    private func answer(_ request: Request, context: Context) async throws -> Response {
        let path = request.uri.path
        let segments = path.split(separator: "/").map { String(decoding: HeaderParameters.percentDecoded(String($0)), as: UTF8.self) }
        let method = request.method.rawValue
        let query = FormData.urlEncoded(request.uri.query ?? "")

        if segments.first == "mock" {
            return try await admin(method: method, segments: Array(segments.dropFirst()), request: request)
        }
        guard let key = authorizedKey(request) else { return MockResponse.text("Forbidden", status: .unauthorized) }
        if let fault = await state.takeFault(method: method, path: path) {
            if let response = try await apply(fault, path: path, context: context) { return response }
        }

        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: maximumMessageSize)
        } catch is NIOTooManyBytesError {
            return MockResponse.message("Message size exceeds the \(maximumMessageSize / 1_048_576) MB limit", status: .contentTooLarge)
        }
        let contentType = request.headers[.contentType]
        let accept = request.headers[.accept] ?? ""
        do {
            return try await route(method: method, segments: segments, query: query, body: body, contentType: contentType, accept: accept, isWebKey: webKeys.contains(key))
        } catch let error as ResponseError {
            return error.response
        }
    }

    /// An early answer from deep inside a handler, e.g. a 400 for a malformed form.
    struct ResponseError: Error {
        var response: Response
        init(_ response: Response) { self.response = response }
    }

    private func route(method: String, segments: [String], query: FormData, body: ByteBuffer, contentType: String?, accept: String, isWebKey: Bool) async throws -> Response {
        switch (method, segments) {
        case (_, let s) where (2...4).contains(s.count) && ["v3", "v4"].contains(s[0]) && s[1] == "domains" && (s.count < 4 || s[3] == "verify"):
            return try await domains(method: method, version: s[0], name: s.count > 2 ? s[2] : nil, verify: s.count == 4, query: query, body: body, contentType: contentType)
        case (_, let s) where (4...5).contains(s.count) && s[0] == "v3" && s[1] == "domains" && s[3] == "webhooks":
            return try await domainWebhooks(method: method, domain: s[2], type: s.count == 5 ? s[4] : nil, body: body, contentType: contentType)
        case (_, let s) where s.count == 4 && s[0] == "v4" && s[1] == "domains" && s[3] == "webhooks":
            return try await domainWebhooksByURL(method: method, domain: s[2], query: query, body: body, contentType: contentType)
        case (_, let s) where (2...3).contains(s.count) && s[0] == "v1" && s[1] == "webhooks":
            return try await accountWebhooks(method: method, id: s.count == 3 ? s[2] : nil, query: query, body: body, contentType: contentType)
        case (_, ["v5", "accounts", "http_signing_key"]):
            return await signingKey(method: method)
        case (_, let s) where (2...3).contains(s.count) && s[0] == "v5" && s[1] == "users":
            return users(method: method, id: s.count == 3 ? s[2] : nil, query: query, isWebKey: isWebKey)
        case ("GET", ["v1", "thresholds", "hits"]):
            return await alertHits()
        case ("POST", let s) where s.count == 3 && s[0] == "v3" && s[2] == "messages":
            return try await sendMessage(domain: s[1], body: body, contentType: contentType)
        case ("POST", let s) where s.count == 3 && s[0] == "v3" && s[2] == "messages.mime":
            return try await sendMIME(domain: s[1], body: body, contentType: contentType)
        case (_, let s) where s.count == 5 && s[0] == "v3" && s[1] == "domains" && s[3] == "messages":
            return try await storedMessage(method: method, domain: s[2], key: s[4], accept: accept, body: body, contentType: contentType)
        case ("GET", let s) where s.count == 7 && s[0] == "v3" && s[1] == "domains" && s[3] == "messages" && s[5] == "attachments":
            return await storedAttachment(domain: s[2], key: s[4], index: Int(s[6]))
        case (_, let s) where (3...4).contains(s.count) && s[0] == "v3" && Self.tables.contains(s[2]):
            return try await suppressions(method: method, domain: s[1], table: s[2], address: s.count == 4 ? s[3] : nil, query: query, body: body, contentType: contentType)
        case (_, let s) where (4...5).contains(s.count) && s[0...3] == ["v1", "thresholds", "alerts", "send"]:
            return await alerts(method: method, name: s.count == 5 ? s[4] : nil, body: body)
        default:
            return MockResponse.message("Not Found", status: .notFound)
        }
    }

    static let tables: Set<String> = ["unsubscribes", "bounces", "complaints"]

    /// HTTP Basic with user `api` and one of the configured keys: the key, or `nil`.
    private func authorizedKey(_ request: Request) -> String? {
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("basic "),
            let decoded = Data(base64Encoded: String(header.dropFirst(6)).trimmingCharacters(in: .whitespaces)),
            let credentials = String(data: decoded, encoding: .utf8),
            let colon = credentials.firstIndex(of: ":")
        else { return nil }
        let key = String(credentials[credentials.index(after: colon)...])
        guard credentials[..<colon] == "api", apiKeys.contains(key) || webKeys.contains(key) else { return nil }
        return key
    }

    /// The response a fault replaces the request with, or `nil` to carry on (after a delay).
    private func apply(_ fault: MockFault, path: String, context: Context) async throws -> Response? {
        switch fault.kind {
        case .rateLimited:
            let seconds = fault.retryAfter ?? 1
            let domain = path.split(separator: "/").dropFirst().first.map(String.init) ?? "the domain"
            return MockResponse.message(
                "Domain \(domain) is not allowed to send: account-requests-per-sec limit exceeded, try again after \(seconds) seconds",
                status: .tooManyRequests,
                headers: [.retryAfter: String(seconds)]
            )
        case .internalServerError:
            return MockResponse.message("Internal Server Error", status: .internalServerError)
        case .serviceUnavailable:
            return MockResponse.message("Service Unavailable", status: .serviceUnavailable)
        case .delay:
            try await Task.sleep(for: .milliseconds(fault.delayMilliseconds ?? 100))
            return nil
        case .status:
            let status = HTTPResponse.Status(code: fault.status ?? 400)
            guard let body = fault.body else { return MockResponse.message(fault.message ?? "Injected failure", status: status) }
            return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: body)))
        default:
            try? await context.channel.close()
            throw CancellationError()
        }
    }
}
