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
/// A receiver that must remember a token only once its event was handled (Mailgun retries a
/// failed delivery with the same signature) uses ``claim(timestamp:token:signature:)`` and
/// ``finish(_:handled:)`` instead of ``verify(timestamp:token:signature:)``.
///
/// The replay cache keeps the tokens of the freshness window and at most ``Configuration/maximumRememberedTokens``
/// of them, so memory stays bounded; a token older than the window is refused as stale anyway.
/// The key never appears in a description or an error. It is a class, not a struct, because every
/// copy must share one replay cache.
public final class MailgunWebhookVerifier: Sendable, CustomStringConvertible {
    /// How strict the verifier is.
    public struct Configuration: Sendable {
        /// How old a timestamp may be. Default 5 minutes.
        public var freshness: Duration
        /// How far in the future a timestamp may be (the sender's clock runs ahead); never more
        /// than ``freshness``. Default 5 minutes.
        public var allowedClockSkew: Duration
        /// The most tokens remembered for replay detection. Default 100,000.
        public var maximumRememberedTokens: Int
        /// The clock. Default: the system clock.
        public var now: @Sendable () -> Date

        /// Creates a configuration; every member has the default its documentation states.
        public init(
            freshness: Duration = .seconds(300),
            allowedClockSkew: Duration = .seconds(300),
            maximumRememberedTokens: Int = 100_000,
            now: @escaping @Sendable () -> Date = { Date() }
        ) {
            self.freshness = freshness
            self.allowedClockSkew = allowedClockSkew
            self.maximumRememberedTokens = maximumRememberedTokens
            self.now = now
        }
    }

    /// A verified signature whose token is held back from other requests until ``finish(_:handled:)``.
    public struct Claim: Sendable, Hashable {
        /// The token.
        public let token: String
        /// The signature's time.
        public let time: Date
    }

    private struct ReplayCache {
        /// Tokens remembered, oldest first, with their timestamps.
        var order: [(token: String, time: Date)] = []
        var tokens: Set<String> = []
        /// Tokens whose events are being handled right now.
        var claimed: Set<String> = []
    }

    /// The key's bytes; a `SymmetricKey` is made per check because it is not `Sendable`.
    private let key: [UInt8]
    private let configuration: Configuration
    /// Lock-guarded so `verify` can stay synchronous.
    private let cache = NIOLockedValueBox(ReplayCache())

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

    /// Decodes a JSON webhook body and verifies its signature.
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
        finish(try claim(timestamp: timestamp, token: token, signature: signature), handled: true)
    }

    /// Verifies one signature and holds its token: until ``finish(_:handled:)``, another request
    /// with the same token is refused as a replay, and afterwards too when it was handled.
    ///
    /// - Parameters:
    ///   - timestamp: Seconds since 1970, as Mailgun sends it.
    ///   - token: Mailgun's random token.
    ///   - signature: The hex HMAC-SHA256 of `timestamp + token`.
    /// - Returns: The claim to finish once the event was handled or not.
    /// - Throws: `MailroomError` with `MailroomError.Code.invalidSignature`,
    ///   `MailroomError.Code.staleRequest` or `MailroomError.Code.replayedRequest`.
    public func claim(timestamp: String, token: String, signature: String) throws -> Claim {
        guard let seconds = Double(timestamp), seconds.isFinite else {
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
        let age = now.timeIntervalSince(time)
        let window = Self.seconds(configuration.freshness)
        let skew = min(Self.seconds(configuration.allowedClockSkew), window)
        guard age <= window else {
            throw MailroomError(code: .staleRequest, field: "timestamp", message: "the timestamp is \(Int(age.rounded())) s old; at most \(Int(window)) s is accepted")
        }
        guard -age <= skew else {
            throw MailroomError(code: .staleRequest, field: "timestamp", message: "the timestamp is \(Int((-age).rounded())) s in the future; at most \(Int(skew)) s is accepted")
        }
        let replayed = cache.withLockedValue { cache -> Bool in
            if cache.tokens.contains(token) || cache.claimed.contains(token) { return true }
            cache.claimed.insert(token)
            return false
        }
        if replayed {
            throw MailroomError(code: .replayedRequest, field: "token", message: "this token was already used; the request is a replay")
        }
        return Claim(token: token, time: time)
    }

    /// Releases a claim: remembers the token when its event was handled, frees it for Mailgun's
    /// retry when it was not.
    ///
    /// - Parameters:
    ///   - claim: What ``claim(timestamp:token:signature:)`` returned.
    ///   - handled: Whether the event was handled (answered 200).
    public func finish(_ claim: Claim, handled: Bool) {
        let now = configuration.now()
        let window = Self.seconds(configuration.freshness)
        let limit = max(1, configuration.maximumRememberedTokens)
        cache.withLockedValue { cache in
            cache.claimed.remove(claim.token)
            guard handled, !cache.tokens.contains(claim.token) else { return }
            // Forget what the freshness window would refuse anyway, then make room within the bound.
            let expired = cache.order.prefix { now.timeIntervalSince($0.time) > window }.count
            let overflow = max(0, cache.order.count - expired + 1 - limit)
            for entry in cache.order.prefix(expired + overflow) { cache.tokens.remove(entry.token) }
            cache.order.removeFirst(expired + overflow)
            cache.tokens.insert(claim.token)
            cache.order.append((claim.token, claim.time))
        }
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
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
