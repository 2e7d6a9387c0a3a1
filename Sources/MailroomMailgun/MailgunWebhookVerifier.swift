/// Public because `Date` appears in this file's public API.
public import Foundation
import Crypto
import Mailroom
import NIOConcurrencyHelpers

/// Checks that a webhook request came from Mailgun: an HMAC-SHA256 of `timestamp + token` with the
/// *webhook signing key* (not the API key), compared in constant time, within a freshness window,
/// and with a token not seen before.
///
/// ```swift
/// let verifier = MailgunWebhookVerifier(signingKey: signingKey)          // MAILGUN_WEBHOOK_SIGNING_KEY
/// let event = try verifier.verify(payload: requestBody)                  // decoded and checked
/// ```
///
/// The replay cache keeps the tokens of the freshness window and at most ``Configuration/maximumRememberedTokens``
/// of them, so memory stays bounded; a token older than the window is refused as stale anyway.
/// The key never appears in a description or an error. It is a class, not a struct, because every
/// copy must share one replay cache.
public final class MailgunWebhookVerifier: Sendable, CustomStringConvertible {
    /// How strict the verifier is.
    public struct Configuration: Sendable {
        /// How far a timestamp may be from now, either way. Default 5 minutes.
        public var freshness: Duration
        /// The most tokens remembered for replay detection. Default 100,000.
        public var maximumRememberedTokens: Int
        /// The clock. Default: the system clock.
        public var now: @Sendable () -> Date

        /// Creates a configuration; every member has the default its documentation states.
        public init(freshness: Duration = .seconds(300), maximumRememberedTokens: Int = 100_000, now: @escaping @Sendable () -> Date = { Date() }) {
            self.freshness = freshness
            self.maximumRememberedTokens = maximumRememberedTokens
            self.now = now
        }
    }

    /// The key's bytes; a `SymmetricKey` is made per check because it is not `Sendable`.
    private let key: [UInt8]
    private let configuration: Configuration
    /// Tokens seen, oldest first, with their timestamps; lock-guarded so `verify` can stay synchronous.
    private let seen = NIOLockedValueBox<(order: [(token: String, time: Date)], tokens: Set<String>)>(([], []))

    /// Creates a verifier.
    ///
    /// - Parameters:
    ///   - signingKey: The webhook signing key from Mailgun's dashboard.
    ///   - configuration: Freshness window, replay-cache bound and clock.
    public init(signingKey: String, configuration: Configuration = Configuration()) {
        self.key = Array(signingKey.utf8)
        self.configuration = configuration
    }

    /// The verifier without its key.
    public var description: String { "MailgunWebhookVerifier(signingKey: <redacted>, freshness: \(configuration.freshness))" }

    /// Decodes a webhook body and verifies its signature.
    ///
    /// - Parameter payload: The JSON body Mailgun posted.
    /// - Returns: The event.
    /// - Throws: `MailroomError` with `MailroomError.Code.invalidJSON` naming the
    ///   missing or malformed field, or the codes of ``verify(timestamp:token:signature:)``.
    public func verify(payload: Data) throws -> MailgunWebhookEvent {
        let event = try MailgunWebhookEvent(json: payload)
        try verify(timestamp: event.signature.timestamp, token: event.signature.token, signature: event.signature.signature)
        return event
    }

    /// Verifies one signature and remembers its token.
    ///
    /// - Parameters:
    ///   - timestamp: Seconds since 1970, as Mailgun sends it.
    ///   - token: Mailgun's random token.
    ///   - signature: The hex HMAC-SHA256 of `timestamp + token`.
    /// - Throws: `MailroomError` with `MailroomError.Code.invalidSignature`,
    ///   `MailroomError.Code.staleRequest` or `MailroomError.Code.replayedRequest`.
    public func verify(timestamp: String, token: String, signature: String) throws {
        guard let seconds = Double(timestamp) else {
            throw MailroomError(code: .invalidSignature, field: "timestamp", message: "'\(timestamp.prefix(40))' is not a Unix timestamp")
        }
        guard !token.isEmpty else { throw MailroomError(code: .invalidSignature, field: "token", message: "the token is empty") }
        guard let given = Self.bytes(fromHex: signature), given.count == SHA256.byteCount else {
            throw MailroomError(code: .invalidSignature, field: "signature", message: "the signature is not 64 hex digits")
        }
        guard HMAC<SHA256>.isValidAuthenticationCode(given, authenticating: Data((timestamp + token).utf8), using: SymmetricKey(data: key)) else {
            throw MailroomError(code: .invalidSignature, field: "signature", message: "the signature does not match; check the webhook signing key (not the API key)")
        }
        let now = configuration.now()
        let time = Date(timeIntervalSince1970: seconds)
        let window = Double(configuration.freshness.components.seconds)
        guard abs(now.timeIntervalSince(time)) <= window else {
            throw MailroomError(code: .staleRequest, field: "timestamp", message: "the timestamp is \(Int(now.timeIntervalSince(time).rounded())) s from now; at most \(Int(window)) s is accepted")
        }
        try remember(token, at: time, now: now, window: window)
    }

    private func remember(_ token: String, at time: Date, now: Date, window: Double) throws {
        let limit = max(1, configuration.maximumRememberedTokens)
        let replayed = seen.withLockedValue { state -> Bool in
            if state.tokens.contains(token) { return true }
            // Forget what the freshness window would refuse anyway, then make room within the bound.
            let expired = state.order.prefix { now.timeIntervalSince($0.time) > window }.count
            let overflow = max(0, state.order.count - expired + 1 - limit)
            for entry in state.order.prefix(expired + overflow) { state.tokens.remove(entry.token) }
            state.order.removeFirst(expired + overflow)
            state.tokens.insert(token)
            state.order.append((token, time))
            return false
        }
        if replayed {
            throw MailroomError(code: .replayedRequest, field: "token", message: "this token was already used; the request is a replay")
        }
    }

    private static func bytes(fromHex hex: String) -> [UInt8]? {
        let digits = Array(hex.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        for index in stride(from: 0, to: digits.count, by: 2) {
            guard let high = nibble(digits[index]), let low = nibble(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
        }
        return bytes
    }

    private static func nibble(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
