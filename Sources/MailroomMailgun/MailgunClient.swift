/// Public because `HTTPClient` is injected through this file's public API.
public import AsyncHTTPClient
import Logging
import Foundation
import Mailroom
import NIOCore
import NIOHTTP1

/// Mailgun's HTTP API over AsyncHTTPClient: Basic authentication with the API key, requests only
/// to the configured base URL or Mailgun's own hosts, retries per the configuration's policy,
/// errors in Mailroom's vocabulary, one log line and metrics per request.
///
/// The client borrows its `HTTPClient` (`HTTPClient.shared` by default) and never shuts it down:
/// whoever creates an `HTTPClient` shuts it down.
public struct MailgunClient: Sendable {
    /// The credentials, region, retries and timeouts in use.
    public let configuration: MailgunConfiguration
    let httpClient: HTTPClient
    /// `Authorization` and `User-Agent`, encoded once per client rather than per request.
    private let baseHeaders: HTTPHeaders
    /// Whether the configuration's default domain passed its check, done once per client (the
    /// configuration is a value with a settable `domain`, so the check cannot be left to its init).
    private let defaultDomainIsValid: Bool
    /// `baseHeaders` with `Accept: application/json`, what almost every request sends.
    private let jsonHeaders: HTTPHeaders
    /// The request metrics' handles, made once per client.
    private let metrics: MailgunRequestMetrics
    /// The configuration's request timeout as NIO's `TimeAmount`, converted once.
    private let requestTimeout: TimeAmount

    /// Creates a client.
    ///
    /// - Parameters:
    ///   - configuration: Credentials, region, retries and timeouts.
    ///   - httpClient: The HTTP client to borrow. Default `HTTPClient.shared`.
    public init(configuration: MailgunConfiguration, httpClient: HTTPClient = .shared) {
        self.configuration = configuration
        self.httpClient = httpClient
        self.baseHeaders = [
            "Authorization": "Basic " + Data("api:\(configuration.apiKey)".utf8).base64EncodedString(),
            "User-Agent": configuration.userAgent,
        ]
        var jsonHeaders = self.baseHeaders
        jsonHeaders.add(name: "Accept", value: Self.jsonMediaType)
        self.jsonHeaders = jsonHeaders
        self.metrics = MailgunRequestMetrics(factory: configuration.metricsFactory)
        self.requestTimeout = Self.timeAmount(configuration.timeouts.request)
        self.defaultDomainIsValid = configuration.domain.map { (try? MailgunConfiguration.checkDomain($0, field: "domain")) != nil } ?? false
    }

    /// The media type of Mailgun's answers, and the `Accept` of almost every request.
    static let jsonMediaType = "application/json"

    /// One API request.
    struct Request: Sendable {
        enum Body: Sendable {
            case none
            case form(MultipartFormBody)
            case urlEncoded(String)
            case json([UInt8])
        }

        var method: HTTPMethod
        /// A path on the base URL (`/v3/…`) or an absolute URL from a response (paging, storage).
        var target: String
        /// `target`'s absolute URL when the caller made it already (``url(for:)``); else made per request.
        var url: String? = nil
        var body: Body = .none
        var accept: String = MailgunClient.jsonMediaType

        /// GET, PUT and DELETE may be retried after a 5xx or a timeout; POST only when opted in.
        var isIdempotent: Bool { [.GET, .PUT, .DELETE, .HEAD].contains(method) }
    }

    struct Response: Sendable {
        var status: Int
        var headers: HTTPHeaders
        /// The answer as AsyncHTTPClient read it (no copy on the send path).
        var body: ByteBuffer

        func json() throws -> [String: Any] {
            guard let object = try? JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any] else {
                throw MailroomError(code: .invalidJSON, message: "Mailgun answered HTTP \(status) with a body that is not a JSON object", status: status)
            }
            return object
        }
    }

    /// The sending domain: `override` when given, else the configuration's default.
    func domain(_ override: String?) throws -> String {
        if override == nil, defaultDomainIsValid, let domain = configuration.domain { return domain }
        guard let domain = override ?? configuration.domain else {
            throw MailroomError(code: .configuration, field: "domain", message: "no sending domain: set MAILGUN_DOMAIN, the configuration's domain, or options.mailgun.domain")
        }
        try MailgunConfiguration.checkDomain(domain, field: "domain")
        return domain
    }

    /// The absolute URL for `target`, refusing hosts that must not see the API key.
    func url(for target: String) throws -> String {
        // A path (every send's target) is told from its first byte, before any prefix comparison.
        guard target.utf8.first != UInt8(ascii: "/"), target.hasPrefix("http://") || target.hasPrefix("https://") else {
            return configuration.region.baseURL + target
        }
        guard let components = URLComponents(string: target), let host = components.host?.lowercased() else {
            throw MailroomError.invalidValue(field: "url", "'\(target)' is not an absolute URL")
        }
        let base = URLComponents(string: configuration.region.baseURL)
        let sameOrigin = components.scheme == base?.scheme && host == base?.host?.lowercased() && components.port == base?.port
        let mailgunHost = components.scheme == "https" && (host == "mailgun.net" || host.hasSuffix(".mailgun.net"))
        guard sameOrigin || mailgunHost else {
            throw MailroomError.invalidValue(field: "url", "refusing to send Mailgun credentials to \(host); only Mailgun hosts and the configured base URL are allowed")
        }
        return target
    }

    /// Sends `request`, retrying as the policy allows; a 2xx answer is returned, anything else thrown.
    func execute(_ request: Request, logger: Logger) async throws -> Response {
        let url = try request.url ?? url(for: request.target)
        let policy = configuration.retry
        var attempt = 1
        while true {
            // Nanoseconds of the monotonic clock: `Duration`'s 128-bit arithmetic showed in the send path's profile.
            let started = NIODeadline.now()
            let failure: MailroomError
            do {
                let response = try await send(request, url: url)
                record(request, url: url, status: response.status == 200 ? "200" : String(response.status), started: started, attempt: attempt, logger: logger)
                if (200..<300).contains(response.status) { return response }
                failure = MailgunResponseError.error(status: response.status, headers: response.headers, body: Array(response.body.readableBytesView))
            } catch {
                failure = try Self.mailroomError(error)
                record(request, url: url, status: failure.shortDescription, started: started, attempt: attempt, logger: logger)
            }
            guard attempt < policy.maximumAttempts, shouldRetry(failure, request: request) else { throw failure }
            let delay = backoff(for: failure, attempt: attempt)
            logger.info("retrying Mailgun request", metadata: [
                "mailgun.method": "\(request.method.rawValue)", "mailgun.path": "\(Self.path(of: request.target, in: url))",
                "mailgun.attempt": "\(attempt + 1)", "mailgun.delay": "\(delay)",
            ])
            try await policy.sleep(delay)
            attempt += 1
        }
    }

    /// The path logged: a relative target's own (no parsing on the send path), an
    /// absolute URL's from its components.
    private static func path(of target: String, in url: String) -> String {
        if target.hasPrefix("/") {
            // Bytes, not Characters: this runs for every request.
            guard let query = target.utf8.firstIndex(of: UInt8(ascii: "?")) else { return target }
            return String(target[..<query])
        }
        return URLComponents(string: url)?.path ?? target
    }

    /// DESIGN decision 6: a 429 was not accepted, so it is always retried; 5xx and transport
    /// failures only for idempotent requests, or sends when the policy opts in.
    private func shouldRetry(_ error: MailroomError, request: Request) -> Bool {
        if error.status == 429 { return true }
        let serverSide = error.code == .providerUnavailable || error.code == .timeout || error.code == .transport
        return serverSide && (request.isIdempotent || configuration.retry.retriesSendsOnServerErrors)
    }

    /// The advised delay when Mailgun gave one, else exponential backoff with full jitter; both bounded.
    private func backoff(for error: MailroomError, attempt: Int) -> Duration {
        let bound = configuration.retry.maximumBackoff
        if let advised = error.retryAfter { return min(advised, bound) }
        let exponential = configuration.retry.initialBackoff * (1 << min(attempt - 1, 20))
        return configuration.retry.jitter(min(exponential, bound))
    }

    private func send(_ request: Request, url: String) async throws -> Response {
        var http = HTTPClientRequest(url: url)
        http.method = request.method
        if request.accept == Self.jsonMediaType {
            http.headers = jsonHeaders
        } else {
            http.headers = baseHeaders
            http.headers.add(name: "Accept", value: request.accept)
        }
        switch request.body {
        case .none:
            break
        case .form(let form):
            http.headers.add(name: "Content-Type", value: form.contentType)
            // A small body in memory goes out with the head in one write; files and large bodies stream.
            guard let buffer = form.buffered else {
                return try await stream(form, method: request.method, headers: http.headers, url: url)
            }
            http.body = .bytes(buffer)
        case .urlEncoded(let text):
            http.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
            http.body = .bytes(ByteBuffer(string: text))
        case .json(let bytes):
            http.headers.add(name: "Content-Type", value: "application/json")
            http.body = .bytes(ByteBuffer(bytes: bytes))
        }
        let response = try await httpClient.execute(http, timeout: requestTimeout)
        let body = try await response.body.collect(upTo: Self.maximumAnswer)
        return Response(status: Int(response.status.code), headers: response.headers, body: body)
    }

    /// Sends a body that is read while it is sent (files, large bodies) with a writer that waits
    /// for the connection before each chunk.
    ///
    /// `HTTPClientRequest`'s async body stream hands chunks to the connection without waiting and
    /// pauses only once the channel reports it is full, so a reader as fast as a file in the page
    /// cache ran megabytes ahead (a 20 MB attachment grew the process by 10–16 MB).
    /// `HTTPClient.Body.stream`'s writer answers each write with a future that completes when the
    /// connection can take the next one, which bounds what is held to a chunk or two.
    private func stream(_ form: MultipartFormBody, method: HTTPMethod, headers: HTTPHeaders, url: String) async throws -> Response {
        let eventLoop = httpClient.eventLoopGroup.any()
        let body = HTTPClient.Body.stream(contentLength: Int64(form.byteCount)) { writer in
            let written = eventLoop.makePromise(of: Void.self)
            written.completeWithTask {
                for try await chunk in form { try await writer.write(.byteBuffer(chunk)).get() }
            }
            return written.futureResult
        }
        let request = try HTTPClient.Request(url: url, method: method, headers: headers, body: body)
        let deadline = NIODeadline.now() + requestTimeout
        let task = httpClient.execute(request: request, delegate: ResponseAccumulator(request: request, maxBodySize: Self.maximumAnswer), eventLoop: .delegate(on: eventLoop), deadline: deadline)
        let response = try await withTaskCancellationHandler {
            try await task.futureResult.get()
        } onCancel: {
            task.cancel()
        }
        return Response(status: Int(response.status.code), headers: response.headers, body: response.body ?? ByteBuffer())
    }

    /// The largest answer read (Mailgun's are a few kilobytes; a stored message can be large).
    private static let maximumAnswer = 64 * 1_024 * 1_024

    /// A `Duration` as NIO's `TimeAmount`.
    private static func timeAmount(_ duration: Duration) -> TimeAmount {
        .nanoseconds(Int64(duration.components.seconds) * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000)
    }

    /// A failed attempt's error in Mailroom's vocabulary. A cancelled task stops here, whichever
    /// layer noticed first (AsyncHTTPClient reports its own `cancelled` error): it is rethrown as
    /// `CancellationError`, never retried or reported as a transport failure.
    private static func mailroomError(_ error: any Error) throws -> MailroomError {
        if let error = error as? MailroomError { return error }
        if error is CancellationError || Task.isCancelled { throw CancellationError() }
        return transportError(error)
    }

    /// Transport failures in Mailroom's vocabulary; the underlying error's text never holds the key.
    private static func transportError(_ error: any Error) -> MailroomError {
        if let http = error as? HTTPClientError, [.deadlineExceeded, .readTimeout, .connectTimeout, .writeTimeout].contains(http) {
            return MailroomError(code: .timeout, message: "the request to Mailgun timed out (\(http.shortDescription))", isTransient: true)
        }
        let description = (error as? HTTPClientError)?.shortDescription ?? String(describing: type(of: error))
        return MailroomError(code: .transport, message: "the connection to Mailgun failed (\(description))", isTransient: true)
    }

    /// Counts the request and logs it at debug level; `status` is the HTTP status or the error's
    /// short name. The logged path is made only when the line is written.
    private func record(_ request: Request, url: String, status: String, started: NIODeadline, attempt: Int, logger: Logger) {
        let elapsedNanoseconds = (NIODeadline.now() - started).nanoseconds
        metrics.record(method: request.method, status: status, elapsedNanoseconds: elapsedNanoseconds)
        logger.debug("Mailgun request", metadata: [
            "mailgun.method": "\(request.method.rawValue)", "mailgun.path": "\(Self.path(of: request.target, in: url))", "mailgun.status": "\(status)",
            "mailgun.duration_ms": "\(Int((Double(elapsedNanoseconds) / 1e6).rounded()))", "mailgun.attempt": "\(attempt)",
        ])
    }
}
