/// A failure the mock answers with instead of handling a request, for testing retries and timeouts.
///
/// Faults queue up; each applies to the next `count` requests that match its method and path prefix
/// (authenticated requests only), then it is used up.
///
/// ```swift
/// await mock.inject(.rateLimited(retryAfter: 2, count: 1, method: "POST", path: "/v3/acme.test/messages"))
/// ```
///
/// Over HTTP: `POST /mock/faults` with `{"kind":"429","count":1,"retryAfter":2,"method":"POST","path":"/v3/"}`;
/// `kind` is `429`, `500`, `503`, `delay` (with `delayMilliseconds`), `drop`, or `status` (with `status` and `message`).
public struct MockFault: Sendable, Hashable, Codable {
    /// What the mock does instead of answering normally; compare with the static members.
    public struct Kind: Sendable, Hashable, Codable, CustomStringConvertible {
        /// The kind's name on the admin endpoint: `429`, `500`, `503`, `delay` or `drop`.
        public let rawValue: String
        private init(_ rawValue: String) { self.rawValue = rawValue }

        /// Decodes a kind from its name.
        public init(from decoder: any Decoder) throws {
            let name = try decoder.singleValueContainer().decode(String.self)
            guard let kind = Self.all.first(where: { $0.rawValue == name }) else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "unknown fault kind '\(name)'; use 429, 500, 503, delay, drop or status"))
            }
            self = kind
        }

        /// Encodes the kind's name.
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            try container.encode(rawValue)
        }

        /// The kind's name.
        public var description: String { rawValue }

        /// 429 with `Retry-After` and Mailgun's "try again after N seconds" message.
        public static let rateLimited = Kind("429")
        /// 500 Internal Server Error.
        public static let internalServerError = Kind("500")
        /// 503 Service Unavailable.
        public static let serviceUnavailable = Kind("503")
        /// Wait, then answer normally.
        public static let delay = Kind("delay")
        /// Close the connection without answering.
        public static let dropConnection = Kind("drop")
        /// Answer with ``MockFault/status`` and `{"message": message}`, e.g. 402 or 420.
        public static let status = Kind("status")
        /// Every kind.
        public static let all: [Kind] = [.rateLimited, .internalServerError, .serviceUnavailable, .delay, .dropConnection, .status]
    }

    /// What happens.
    public var kind: Kind
    /// How many matching requests it applies to. Default 1.
    public var count: Int
    /// The HTTP method to match, e.g. `POST`; any when `nil`.
    public var method: String?
    /// The path prefix to match, e.g. `/v3/acme.test/messages`; any when `nil`.
    public var path: String?
    /// For ``Kind/rateLimited``: the seconds in `Retry-After` and the message. Default 1.
    public var retryAfter: Int?
    /// For ``Kind/delay``: how long to wait, in milliseconds. Default 100.
    public var delayMilliseconds: Int?
    /// For ``Kind/status``: the HTTP status to answer with. Default 400.
    public var status: Int?
    /// For ``Kind/status``: the `message` of the JSON body. Default "Injected failure".
    public var message: String?
    /// How many matching requests to let through before the fault starts. Default 0.
    public var skip: Int?
    /// For ``Kind/status``: a raw JSON body to answer with instead of `{"message": message}`.
    public var body: String?

    /// Creates a fault.
    ///
    /// - Parameters:
    ///   - kind: What happens.
    ///   - count: How many matching requests it applies to.
    ///   - method: The method to match; any when `nil`.
    ///   - path: The path prefix to match; any when `nil`.
    ///   - retryAfter: Seconds to advertise for a 429.
    ///   - delayMilliseconds: Milliseconds to wait for a delay.
    ///   - status: The status for a ``Kind/status`` fault.
    ///   - message: The message for a ``Kind/status`` fault.
    ///   - skip: Matching requests to let through first.
    ///   - body: A raw JSON body for a ``Kind/status`` fault.
    public init(
        kind: Kind,
        count: Int = 1,
        method: String? = nil,
        path: String? = nil,
        retryAfter: Int? = nil,
        delayMilliseconds: Int? = nil,
        status: Int? = nil,
        message: String? = nil,
        skip: Int? = nil,
        body: String? = nil
    ) {
        self.kind = kind
        self.count = count
        self.method = method
        self.path = path
        self.retryAfter = retryAfter
        self.delayMilliseconds = delayMilliseconds
        self.status = status
        self.message = message
        self.skip = skip
        self.body = body
    }

    /// The next `count` matching requests, after `skip` of them, answer `status` with `{"message": message}`.
    public static func status(_ status: Int, message: String, count: Int = 1, skip: Int = 0, method: String? = nil, path: String? = nil) -> MockFault {
        MockFault(kind: .status, count: count, method: method, path: path, status: status, message: message, skip: skip)
    }

    /// The next `count` matching requests answer 429, advertising `retryAfter` seconds.
    public static func rateLimited(retryAfter: Int = 1, count: Int = 1, method: String? = nil, path: String? = nil) -> MockFault {
        MockFault(kind: .rateLimited, count: count, method: method, path: path, retryAfter: retryAfter)
    }

    /// The next `count` matching requests answer with `status` (500 or 503).
    public static func serverError(status: Int = 500, count: Int = 1, method: String? = nil, path: String? = nil) -> MockFault {
        MockFault(kind: status == 503 ? .serviceUnavailable : .internalServerError, count: count, method: method, path: path)
    }

    /// The next `count` matching requests wait `milliseconds` before being answered.
    public static func delay(milliseconds: Int, count: Int = 1, method: String? = nil, path: String? = nil) -> MockFault {
        MockFault(kind: .delay, count: count, method: method, path: path, delayMilliseconds: milliseconds)
    }

    /// The next `count` matching requests have their connection closed without an answer.
    public static func dropConnection(count: Int = 1, method: String? = nil, path: String? = nil) -> MockFault {
        MockFault(kind: .dropConnection, count: count, method: method, path: path)
    }

    func matches(method requestMethod: String, path requestPath: String) -> Bool {
        (method.map { $0.uppercased() == requestMethod } ?? true) && (path.map { requestPath.hasPrefix($0) } ?? true)
    }
}
