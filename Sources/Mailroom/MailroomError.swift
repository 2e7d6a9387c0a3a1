/// The one error type every Mailroom module throws.
///
/// An error has a ``code`` (what went wrong, a small open set of static members), the ``field`` it is
/// about when the caller's input was at fault, a human ``message``, and what a retry loop needs:
/// ``isTransient``, the provider's ``status`` and ``providerMessage``, and ``retryAfter`` when the
/// provider said how long to wait.
///
/// Match on the code, not on the message:
///
/// ```swift
/// do { try email.validate() }
/// catch let error as MailroomError where error.code == .headerInjection {
///     logger.warning("rejected \(error.field ?? "?")")
/// }
/// ```
///
/// The type is a struct rather than an enum so that adding a code never breaks a caller's `switch`
/// (the pattern of AsyncHTTPClient's `HTTPClientError`). Its ``description`` never contains
/// credentials: providers build errors from status codes and the provider's own message only.
public struct MailroomError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What kind of failure this is; compare it with the static members.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }

        /// The code's name, safe to use as a metric label.
        public var description: String { name }

        /// An address could not be parsed or is not a valid mailbox.
        public static let invalidAddress = Code("invalidAddress")
        /// A header value, name, address or filename contained CR or LF.
        public static let headerInjection = Code("headerInjection")
        /// A required field is absent or empty.
        public static let missingField = Code("missingField")
        /// A value is present but not acceptable (format, range, reserved name).
        public static let invalidValue = Code("invalidValue")
        /// One request names more recipients than allowed.
        public static let tooManyRecipients = Code("tooManyRecipients")
        /// A rendered message is larger than allowed.
        public static let messageTooLarge = Code("messageTooLarge")
        /// An attachment file could not be read, or changed while it was read.
        public static let attachmentUnreadable = Code("attachmentUnreadable")
        /// Input that should be JSON is not.
        public static let invalidJSON = Code("invalidJSON")
        /// The named thing (alert, suppression, stored message) does not exist.
        public static let notFound = Code("notFound")
        /// The named thing already exists.
        public static let alreadyExists = Code("alreadyExists")
        /// The provider rejected the credentials.
        public static let unauthorized = Code("unauthorized")
        /// The provider asked us to slow down (HTTP 429, or 420 for recipient limits).
        public static let rateLimited = Code("rateLimited")
        /// The provider rejected the request for another reason.
        public static let rejected = Code("rejected")
        /// The provider failed (HTTP 5xx).
        public static let providerUnavailable = Code("providerUnavailable")
        /// The request did not complete in time.
        public static let timeout = Code("timeout")
        /// The connection failed before a response arrived.
        public static let transport = Code("transport")
        /// A configuration value is missing or invalid.
        public static let configuration = Code("configuration")
        /// A storage or archive operation failed.
        public static let storage = Code("storage")
        /// Stored data failed its integrity check (checksum, size or compression).
        public static let corrupted = Code("corrupted")
        /// A signed request's signature does not match.
        public static let invalidSignature = Code("invalidSignature")
        /// A signed request is outside the freshness window.
        public static let staleRequest = Code("staleRequest")
        /// A signed request's token was seen before.
        public static let replayedRequest = Code("replayedRequest")
    }

    /// What kind of failure this is.
    public var code: Code
    /// The input field at fault (`"to[2]"`, `"subject"`, `"headers[X-Campaign]"`), when there is one.
    public var field: String?
    /// A human explanation, suitable for logs and command-line output.
    public var message: String
    /// Whether retrying the same request later may succeed.
    public var isTransient: Bool
    /// The provider's HTTP status, when a provider answered.
    public var status: Int?
    /// The provider's own message, when a provider answered.
    public var providerMessage: String?
    /// How long the provider asked us to wait before retrying, when it said so.
    public var retryAfter: Duration?

    /// Creates an error; prefer the static factories, which fill in ``isTransient`` consistently.
    ///
    /// - Parameters:
    ///   - code: What kind of failure this is.
    ///   - field: The input field at fault, if any.
    ///   - message: A human explanation; never include credentials.
    ///   - isTransient: Whether a retry may succeed.
    ///   - status: The provider's HTTP status, if a provider answered.
    ///   - providerMessage: The provider's own message, if a provider answered.
    ///   - retryAfter: How long the provider asked us to wait.
    public init(
        code: Code,
        field: String? = nil,
        message: String,
        isTransient: Bool = false,
        status: Int? = nil,
        providerMessage: String? = nil,
        retryAfter: Duration? = nil
    ) {
        self.code = code
        self.field = field
        self.message = message
        self.isTransient = isTransient
        self.status = status
        self.providerMessage = providerMessage
        self.retryAfter = retryAfter
    }

    /// A payload-free description, safe as a metric label: `MailroomError.headerInjection`.
    public var shortDescription: String { "MailroomError.\(code)" }

    /// `field: message`, or just the message when no field is at fault.
    public var description: String {
        if let field { return "\(field): \(message)" }
        return message
    }
}

extension MailroomError {
    /// A malformed or invalid address in `field`.
    public static func invalidAddress(field: String, _ reason: String) -> Self {
        Self(code: .invalidAddress, field: field, message: reason)
    }

    /// A CR or LF found in `field`, where it would start a new header line.
    public static func headerInjection(field: String) -> Self {
        Self(code: .headerInjection, field: field, message: "must not contain a line break (CR or LF)")
    }

    /// A required `field` that is absent or empty.
    public static func missingField(_ field: String, _ reason: String) -> Self {
        Self(code: .missingField, field: field, message: reason)
    }

    /// A present but unacceptable value in `field`.
    public static func invalidValue(field: String, _ reason: String) -> Self {
        Self(code: .invalidValue, field: field, message: reason)
    }

    /// More than `limit` recipients in one request.
    public static func tooManyRecipients(field: String, count: Int, limit: Int) -> Self {
        Self(
            code: .tooManyRecipients,
            field: field,
            message: "\(count) recipients in one request; at most \(limit) are allowed"
        )
    }

    /// A message of `size` bytes over the `limit`.
    public static func messageTooLarge(size: Int, limit: Int) -> Self {
        Self(
            code: .messageTooLarge,
            field: "message",
            message: "the message is \(size) bytes; at most \(limit) are allowed"
        )
    }

    /// An attachment file that could not be read.
    public static func attachmentUnreadable(field: String, _ reason: String) -> Self {
        Self(code: .attachmentUnreadable, field: field, message: reason)
    }
}
