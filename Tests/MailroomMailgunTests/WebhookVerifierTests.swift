import Crypto
import Foundation
import Mailroom
import Testing

@testable import MailroomMailgun

/// Thread-safe mutable time for the verifier's injected clock.
final class TestClock: @unchecked Sendable {
    // Guarded by the lock; a test moves time while the verifier reads it.
    private let lock = NSLock()
    private var current: Date
    init(_ date: Date) { current = date }
    var now: Date { lock.withLock { current } }
    func advance(by seconds: TimeInterval) { lock.withLock { current += seconds } }
}

@Suite struct WebhookVerifierTests {
    /// Computed independently with Python's hmac: HMAC-SHA256("whsec-mailroom-test-key", timestamp + token).
    static let key = "whsec-mailroom-test-key"
    static let timestamp = "1795255200"
    static let token = "8f1c2d3e4b5a69788796a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1"
    static let signature = "2fd1984b672a658b1362029b6f19f9ce8b78e49308ab88c942658e94ed7be7da"

    func verifier(key: String = key, clock: TestClock = TestClock(Date(timeIntervalSince1970: 1_795_255_260)), limit: Int = 100_000) -> MailgunWebhookVerifier {
        MailgunWebhookVerifier(signingKey: key, configuration: .init(maximumRememberedTokens: limit, now: { clock.now }))
    }

    @Test func aKnownVectorVerifies() throws {
        try verifier().verify(timestamp: Self.timestamp, token: Self.token, signature: Self.signature)
        try verifier().verify(timestamp: Self.timestamp, token: Self.token, signature: Self.signature.uppercased())
    }

    @Test func aWrongKeyOrAlteredFieldFails() {
        for (key, timestamp, token, signature) in [
            ("key-the-API-key-instead", Self.timestamp, Self.token, Self.signature),
            (Self.key, "1795255201", Self.token, Self.signature),
            (Self.key, Self.timestamp, Self.token + "x", Self.signature),
            (Self.key, Self.timestamp, Self.token, String(Self.signature.dropLast()) + "0"),
        ] {
            let error = #expect(throws: MailroomError.self) { try verifier(key: key).verify(timestamp: timestamp, token: token, signature: signature) }
            #expect(error?.code == .invalidSignature)
        }
        let malformed = #expect(throws: MailroomError.self) { try verifier().verify(timestamp: Self.timestamp, token: Self.token, signature: "zz") }
        #expect(malformed?.field == "signature")
        let notANumber = #expect(throws: MailroomError.self) { try verifier().verify(timestamp: "soon", token: Self.token, signature: Self.signature) }
        #expect(notANumber?.field == "timestamp")
    }

    @Test func staleAndFutureTimestampsFail() {
        let late = TestClock(Date(timeIntervalSince1970: 1_795_255_200 + 301))
        let stale = #expect(throws: MailroomError.self) { try verifier(clock: late).verify(timestamp: Self.timestamp, token: Self.token, signature: Self.signature) }
        #expect(stale?.code == .staleRequest)
        let early = TestClock(Date(timeIntervalSince1970: 1_795_255_200 - 301))
        #expect(throws: MailroomError.self) { try verifier(clock: early).verify(timestamp: Self.timestamp, token: Self.token, signature: Self.signature) }
    }

    /// Signs like Mailgun does, for tokens beyond the known vector.
    static func sign(_ timestamp: String, _ token: String) -> String {
        let code = HMAC<SHA256>.authenticationCode(for: Data((timestamp + token).utf8), using: SymmetricKey(data: Data(key.utf8)))
        return code.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }

    @Test func replayedTokensFailAndMemoryStaysBounded() throws {
        let clock = TestClock(Date(timeIntervalSince1970: 1_795_255_200))
        let checker = verifier(clock: clock, limit: 2)
        #expect(Self.sign(Self.timestamp, Self.token) == Self.signature, "the test's signer agrees with the known vector")
        try checker.verify(timestamp: Self.timestamp, token: Self.token, signature: Self.signature)
        let replay = #expect(throws: MailroomError.self) { try checker.verify(timestamp: Self.timestamp, token: Self.token, signature: Self.signature) }
        #expect(replay?.code == .replayedRequest)
        #expect(replay?.field == "token")

        // With room for two tokens, a third pushes out the oldest: memory stays bounded.
        for token in ["t-2", "t-3"] { try checker.verify(timestamp: Self.timestamp, token: token, signature: Self.sign(Self.timestamp, token)) }
        try checker.verify(timestamp: Self.timestamp, token: Self.token, signature: Self.signature)
        #expect(throws: MailroomError.self) { try checker.verify(timestamp: Self.timestamp, token: "t-3", signature: Self.sign(Self.timestamp, "t-3")) }

        // Tokens older than the freshness window are forgotten; their requests would be stale anyway.
        clock.advance(by: 400)
        let stale = #expect(throws: MailroomError.self) { try checker.verify(timestamp: Self.timestamp, token: "t-2", signature: Self.sign(Self.timestamp, "t-2")) }
        #expect(stale?.code == .staleRequest)
        #expect(!checker.description.contains(Self.key))
    }

    @Test func payloadsDecodeAndVerify() throws {
        let body = """
        {"signature":{"timestamp":"\(Self.timestamp)","token":"\(Self.token)","signature":"\(Self.signature)"},
         "event-data":{"event":"failed","id":"ev-1","timestamp":1795255199.5,"recipient":"bob@example.com","severity":"permanent",
           "reason":"bounce","delivery-status":{"code":550,"message":"No such user","attempt-no":1},
           "storage":{"url":"https://storage.api.mailgun.net/v3/domains/acme.test/messages/k1","key":"k1"},
           "user-variables":{"user-id":"42","plan":{"tier":2}},"tags":["welcome"],
           "message":{"headers":{"message-id":"abc@acme.test","subject":"Hi","from":"hello@acme.test","to":"bob@example.com"}}}}
        """
        let event = try verifier().verify(payload: Data(body.utf8))
        #expect(event.kind == .failed)
        #expect(event.isPermanentFailure)
        #expect(event.recipient == "bob@example.com")
        #expect(event.reason == "bounce")
        #expect(event.deliveryStatus?.code == 550)
        #expect(event.deliveryStatus?.attempt == 1)
        #expect(event.storageKey == "k1")
        #expect(event.userVariables == ["user-id": "42", "plan": #"{"tier":2}"#])
        #expect(event.tags == ["welcome"])
        #expect(event.messageHeaders["subject"] == "Hi")
        #expect(event.timestamp == Date(timeIntervalSince1970: 1_795_255_199.5))
    }

    @Test(arguments: [
        ("not json", "body"),
        (#"{"event-data":{"event":"opened"}}"#, "signature"),
        (#"{"signature":{"timestamp":"1","token":"t"},"event-data":{"event":"opened"}}"#, "signature.signature"),
        (#"{"signature":{"timestamp":"1","token":"t","signature":"s"}}"#, "event-data"),
        (#"{"signature":{"timestamp":"1","token":"t","signature":"s"},"event-data":{}}"#, "event-data.event"),
        (#"{"signature":{"timestamp":"1","token":"t","signature":"s"},"event-data":{"event":"opened","user-variables":[1]}}"#, "event-data.user-variables"),
    ])
    func malformedPayloadsNameTheField(body: String, field: String) {
        let error = #expect(throws: MailroomError.self) { try MailgunWebhookEvent(json: Data(body.utf8)) }
        #expect(error?.code == .invalidJSON)
        #expect(error?.field == field)
    }
}
