import Foundation
import InMemoryLogging
import Logging
import Mailroom
import MailroomMailgun
import MailroomTestSupport
import MailroomTesting
import Testing

/// Events the handler saw, in order.
actor EventLog {
    private(set) var events: [MailgunWebhookEvent] = []
    func append(_ event: MailgunWebhookEvent) { events.append(event) }
}

@Suite struct WebhookReceiverTests {
    static let key = "whsec-receiver-test-key-0123456789"
    static let timestamp = "1795255400"
    static let now = Date(timeIntervalSince1970: 1_795_255_460)
    static let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    static func receiver(store: (any SuppressionStore)?, now: Date = now, log: EventLog? = nil, handler: MailgunWebhookReceiver.Handler? = nil) -> MailgunWebhookReceiver {
        MailgunWebhookReceiver(signingKey: key, store: store, configuration: .init(now: { now })) { event, logger in
            await log?.append(event)
            try await handler?(event, logger)
        }
    }

    /// What each JSON fixture decodes to and which suppression it applies.
    @Test(arguments: [
        ("accepted", "accepted", nil as String?),
        ("delivered", "delivered", nil),
        ("failed-permanent-bounce", "failed", "bounces gone@example.com 550"),
        ("failed-temporary", "failed", nil),
        ("failed-suppress-bounce", "failed", nil),
        ("complained", "complained", "complaints angry@example.com"),
        ("unsubscribed", "unsubscribed", "unsubscribes leaver@example.com newsletter"),
        ("opened", "opened", nil),
        ("clicked", "clicked", nil),
        ("user-variables-unavailable", "delivered", nil),
        ("unknown-kind", "list_member_uploaded", nil),
    ])
    func everyJSONShapeIsHandled(fixture: String, kind: String, applied: String?) async throws {
        let store = InMemorySuppressionStore()
        let log = EventLog()
        let body = try await WebhookFixtures.signedJSON(fixture, key: Self.key, timestamp: Self.timestamp)
        let response = await Self.receiver(store: store, log: log).receive(body: body, contentType: "application/json", logger: Self.logger)
        #expect(response.status == 200, "\(response.body)")
        #expect(response.body == "handled \(kind)")
        #expect(await log.events.map(\.kind.rawValue) == [kind], "the handler sees every verified event, unknown kinds too")
        var stored: [String] = []
        for list in Suppression.Kind.all {
            for entry in try await store.list(list).collect() {
                stored.append(([list.description, entry.address.mailbox] + entry.tags + [entry.code].compactMap { $0 }).joined(separator: " "))
            }
        }
        #expect(stored == [applied].compactMap { $0 })
        #expect(response.suppression.map { "\($0.kind) \($0.address.mailbox)" } == applied.map { $0.split(separator: " ").prefix(2).joined(separator: " ") })
    }

    @Test func jsonEventsCarryTheirFieldsWithTheMessageIDOfTheReceipt() async throws {
        let log = EventLog()
        for fixture in ["delivered", "failed-permanent-bounce", "clicked", "user-variables-unavailable"] {
            let body = try await WebhookFixtures.signedJSON(fixture, key: Self.key, timestamp: Self.timestamp)
            _ = await Self.receiver(store: nil, log: log).receive(body: body, contentType: "application/json; charset=utf-8", logger: Self.logger)
        }
        let events = await log.events
        try #require(events.count == 4)
        let delivered = events[0]
        #expect(delivered.format == .json)
        #expect(delivered.messageID == "<20261201120000.1.ABCDEF012345@acme.test>")
        #expect(delivered.userVariables == ["user-id": "42", "plan": #"{"tier":2}"#])
        #expect(delivered.tags == ["welcome"])
        #expect(delivered.timestamp == Date(timeIntervalSince1970: 1_795_255_201.5))
        #expect(delivered.deliveryStatus?.code == 250)
        #expect(delivered.deliveryStatus?.mxHost == "gmail-smtp-in.l.google.com")
        #expect(delivered.storageKey == "BAABAQX3h1dv")
        let bounce = events[1]
        #expect(bounce.isPermanentFailure && bounce.severity == .permanent && bounce.reason == "bounce")
        #expect(bounce.deliveryStatus?.message == "5.1.1 The email account that you tried to reach does not exist")
        #expect(bounce.deliveryStatus?.bounceType == "hard")
        #expect(events[2].url == "https://acme.test/start?ref=welcome")
        #expect(events[2].ip == "203.0.113.9")
        #expect(events[3].userVariables.isEmpty)
        #expect(events[3].userVariablesUnavailable == "Could not load user-variables. They were either truncated or invalid JSON")
    }

    @Test func legacyFormEventsDecodeAndApply() async throws {
        let store = InMemorySuppressionStore()
        let log = EventLog()
        let receiver = Self.receiver(store: store, log: log)
        for fixture in ["legacy-bounced", "legacy-dropped", "legacy-unsubscribed"] {
            let body = try await WebhookFixtures.signedForm(fixture, key: Self.key, timestamp: Self.timestamp)
            let response = await receiver.receive(body: body, contentType: "application/x-www-form-urlencoded", logger: Self.logger)
            #expect(response.status == 200, "\(fixture): \(response.body)")
        }
        let events = await log.events
        try #require(events.count == 3)
        #expect(events.map(\.format) == [.legacyForm, .legacyForm, .legacyForm])
        #expect(events[0].kind == .failed && events[0].legacyName == "bounced" && events[0].severity == .permanent)
        #expect(events[0].messageID == "<20261201120000.8.ABCDEF012345@acme.test>")
        #expect(events[0].tags == ["welcome", "onboarding"])
        #expect(events[0].userVariables == ["user-id": "42"])
        #expect(events[0].messageHeaders["subject"] == "Welcome")
        #expect(events[1].legacyName == "dropped" && events[1].reason == "hardfail" && events[1].deliveryStatus?.code == 605)
        #expect(events[2].recipient == "legacy-leaver@example.com", "Mailgun's own value comes last on a clash")
        #expect(events[2].userVariables == ["plan": "pro"])
        let bounce = try await store.get(.bounce, address: "legacy-gone@example.com", logger: Self.logger)
        #expect(bounce?.code == "550")
        #expect(bounce?.error == "5.1.1 The email account that you tried to reach does not exist")
        #expect(try await store.get(.bounce, address: "legacy-dropped@example.com", logger: Self.logger) == nil, "a drop of an already bounced address adds nothing")
        #expect(try await store.get(.unsubscribe, address: "legacy-leaver@example.com", logger: Self.logger)?.tags == ["newsletter"])
        #expect(try await store.get(.unsubscribe, address: "attacker@example.com", logger: Self.logger) == nil)
    }

    @Test func aMultipartLegacyPostDecodes() async throws {
        let token = WebhookFixtures.randomToken()
        let signature = try await WebhookFixtures.pythonSignature(key: Self.key, timestamp: Self.timestamp, token: token)
        let fields = ["event": "complained", "recipient": "multi@example.com", "timestamp": Self.timestamp, "token": token, "signature": signature]
        var body = ""
        for (name, value) in fields.sorted(by: { $0.key < $1.key }) {
            body += "--XyZ\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n"
        }
        body += "--XyZ\r\nContent-Disposition: form-data; name=\"attachment-1\"; filename=\"message.eml\"\r\nContent-Type: message/rfc822\r\n\r\nSubject: x\r\n\r\nbody\r\n--XyZ--\r\n"
        let store = InMemorySuppressionStore()
        let response = await Self.receiver(store: store).receive(body: Data(body.utf8), contentType: "multipart/form-data; boundary=XyZ", logger: Self.logger)
        #expect(response.status == 200, "\(response.body)")
        #expect(try await store.get(.complaint, address: "multi@example.com", logger: Self.logger) != nil)
    }

    @Test func forgedStaleFutureAndReplayedDeliveriesAre406AndApplyNothing() async throws {
        let store = InMemorySuppressionStore()
        let log = EventLog()
        let token = WebhookFixtures.randomToken()
        let good = try await WebhookFixtures.signedJSON("complained", key: Self.key, timestamp: Self.timestamp, token: token)
        let text = String(decoding: good, as: UTF8.self)
        let cases: [(String, Data, Date, MailroomError.Code)] = [
            ("wrong key", try await WebhookFixtures.signedJSON("complained", key: "key-the-API-key", timestamp: Self.timestamp), Self.now, .invalidSignature),
            ("altered timestamp", Data(text.replacingOccurrences(of: "\"\(Self.timestamp)\"", with: "\"1795255401\"").utf8), Self.now, .invalidSignature),
            ("altered token", Data(text.replacingOccurrences(of: token, with: String(token.reversed())).utf8), Self.now, .invalidSignature),
            ("stale", good, Self.now.addingTimeInterval(9 * 3_600 + 1), .staleRequest),
            ("future", good, Self.now.addingTimeInterval(-(60 + 301)), .staleRequest),
        ]
        for (name, body, now, code) in cases {
            let response = await Self.receiver(store: store, now: now, log: log).receive(body: body, contentType: "application/json", logger: Self.logger)
            #expect(response.status == 406, "\(name)")
            #expect(response.error?.code == code, "\(name): \(response.body)")
            #expect(response.body.hasPrefix("rejected: "), "\(name)")
            #expect(!response.body.contains(Self.key) && !response.body.contains(token), "\(name): the body never echoes secrets")
        }
        let receiver = Self.receiver(store: store, log: log)
        #expect(await receiver.receive(body: good, contentType: "application/json", logger: Self.logger).status == 200)
        let replay = await receiver.receive(body: good, contentType: "application/json", logger: Self.logger)
        #expect(replay.status == 406)
        #expect(replay.error?.code == .replayedRequest)
        #expect(await log.events.count == 1, "only the genuine delivery reached the handler")
        #expect(try await store.list(.complaint).collect().map(\.address.mailbox) == ["angry@example.com"])
    }

    @Test func aRetryAfter503IsAcceptedAndAppliedOnce() async throws {
        let store = FlakySuppressionStore(failures: 1)
        let log = EventLog()
        let receiver = Self.receiver(store: store, log: log)
        let body = try await WebhookFixtures.signedJSON("failed-permanent-bounce", key: Self.key, timestamp: Self.timestamp)
        let first = await receiver.receive(body: body, contentType: "application/json", logger: Self.logger)
        #expect(first.status == 503)
        #expect(first.body == "try again later: storage")
        #expect(await log.events.isEmpty, "the handler is not called when the store failed")
        // Mailgun retries minutes later with the same signature and token.
        let retry = await receiver.receive(body: body, contentType: "application/json", logger: Self.logger)
        #expect(retry.status == 200)
        let again = await receiver.receive(body: body, contentType: "application/json", logger: Self.logger)
        #expect(again.status == 406, "once handled, the token is a replay")
        #expect(await store.writes == 1)
        #expect(try await store.base.list(.bounce).collect().map(\.address.mailbox) == ["gone@example.com"])
        #expect(await log.events.count == 1)
    }

    @Test func aFailingHandlerIs503AndTheRetryIsAccepted() async throws {
        let attempts = EventLog()
        let receiver = MailgunWebhookReceiver(signingKey: Self.key, store: nil, configuration: .init(now: { Self.now })) { event, _ in
            await attempts.append(event)
            if await attempts.events.count == 1 { throw CancellationError() }
        }
        let body = try await WebhookFixtures.signedJSON("opened", key: Self.key, timestamp: Self.timestamp)
        let first = await receiver.receive(body: body, contentType: "application/json", logger: Self.logger)
        #expect(first.status == 503)
        #expect(first.error?.code == .storage)
        #expect(await receiver.receive(body: body, contentType: "application/json", logger: Self.logger).status == 200)
        #expect(await attempts.events.count == 2)
    }

    @Test func anOversizeBodyIs413BeforeParsing() async throws {
        let receiver = MailgunWebhookReceiver(signingKey: Self.key, store: nil, configuration: .init(maximumBodySize: 1_024))
        let response = await receiver.receive(body: [UInt8](repeating: UInt8(ascii: "{"), count: 1_025), contentType: "application/json", logger: Self.logger)
        #expect(response.status == 413)
        #expect(response.body == "too large: the body is 1025 bytes; at most 1024 are accepted")
        let standard = MailgunWebhookReceiver(signingKey: Self.key, store: nil)
        #expect(standard.configuration.maximumBodySize == 1_048_576)
        #expect(await standard.receive(body: Data(count: 1_048_577), contentType: nil, logger: Self.logger).status == 413)
    }

    @Test(arguments: [
        ("not json at all", "application/json", "body"),
        (#"{"signature":{"timestamp":"1","token":"t","signature":"s"}}"#, "application/json", "event-data"),
        ("<event/>", "text/xml", "content-type"),
        ("event=opened&token=t", "application/x-www-form-urlencoded", "timestamp"),
        ("--b\r\nbroken", "multipart/form-data; boundary=b", "body"),
    ])
    func malformedDeliveriesAre406NamingTheField(body: String, contentType: String, field: String) async {
        let response = await Self.receiver(store: nil).receive(body: Data(body.utf8), contentType: contentType, logger: Self.logger)
        #expect(response.status == 406)
        #expect(response.error?.field == field, "\(response.body)")
    }

    @Test func aSuppressionEventWithoutAValidRecipientIs406() async throws {
        let store = InMemorySuppressionStore()
        for data in [#"{"event":"complained","tags":[]}"#, #"{"event":"unsubscribed","recipient":"not an address"}"#] {
            let token = WebhookFixtures.randomToken()
            let signature = try await WebhookFixtures.pythonSignature(key: Self.key, timestamp: Self.timestamp, token: token)
            let body = #"{"signature":{"timestamp":"\#(Self.timestamp)","token":"\#(token)","signature":"\#(signature)"},"event-data":\#(data)}"#
            let response = await Self.receiver(store: store).receive(body: Data(body.utf8), contentType: "application/json", logger: Self.logger)
            #expect(response.status == 406)
            #expect(response.error?.field == "recipient", "\(response.body)")
        }
        #expect(try await store.list(.complaint).collect().isEmpty)
        #expect(try await store.list(.unsubscribe).collect().isEmpty)
    }

    @Test func oneLogLineAPerDeliveryWithoutSecrets() async throws {
        let logs = InMemoryLogHandler()
        var logger = Logger(label: "test", factory: { _ in logs })
        logger.logLevel = .trace
        let token = WebhookFixtures.randomToken()
        let body = try await WebhookFixtures.signedJSON("complained", key: Self.key, timestamp: Self.timestamp, token: token)
        let receiver = Self.receiver(store: InMemorySuppressionStore())
        _ = await receiver.receive(body: body, contentType: "application/json", logger: logger)
        _ = await receiver.receive(body: body, contentType: "application/json", logger: logger)
        let entries = logs.entries
        #expect(entries.map(\.message.description) == ["webhook handled", "webhook refused"])
        #expect(entries[0].metadata["mailgun.event"] == "complained")
        #expect(entries[0].metadata["mailroom.suppression"] == "complaints")
        let text = entries.map { "\($0.message) \($0.metadata)" }.joined()
        let signature = try await WebhookFixtures.pythonSignature(key: Self.key, timestamp: Self.timestamp, token: token)
        #expect(!text.contains(Self.key) && !text.contains(token) && !text.contains(signature))
        #expect(!receiver.description.contains(Self.key))
    }

    @Test func aTokenInFlightIsAReplayAndAnUnhandledOneIsFreed() async throws {
        let verifier = MailgunWebhookVerifier(signingKey: Self.key, configuration: .init(freshness: .seconds(3_600), now: { Self.now }))
        let token = "in-flight-token"
        let signature = try await WebhookFixtures.pythonSignature(key: Self.key, timestamp: Self.timestamp, token: token)
        let claim = try verifier.claim(timestamp: Self.timestamp, token: token, signature: signature)
        let concurrent = #expect(throws: MailroomError.self) { _ = try verifier.claim(timestamp: Self.timestamp, token: token, signature: signature) }
        #expect(concurrent?.code == .replayedRequest)
        verifier.finish(claim, handled: false)
        let retry = try verifier.claim(timestamp: Self.timestamp, token: token, signature: signature)
        verifier.finish(retry, handled: true)
        #expect(throws: MailroomError.self) { _ = try verifier.claim(timestamp: Self.timestamp, token: token, signature: signature) }
    }
}

/// Inputs the fuzzers found, kept as regression tests.
@Suite struct WebhookFuzzFindingsTests {
    @Test func aNonASCIIPartHeaderNameIsRefusedNotATrap() async {
        // MultipartKit 4.7.1 indexes a 128-entry table with the byte; 0x9A used to crash the process.
        let body: [UInt8] = Array("--XyZ\r\nContent-Dispo".utf8) + [0x9A, 0xC9] + Array("sition: form-data; name=\"event\"\r\n\r\ncomplained\r\n--XyZ--\r\n".utf8)
        let receiver = MailgunWebhookReceiver(signingKey: "k", store: nil)
        let response = await receiver.receive(body: body, contentType: "multipart/form-data; boundary=XyZ", logger: WebhookReceiverTests.logger)
        #expect(response.status == 406)
        #expect(response.body == "rejected: body: a part's header name is not ASCII")
    }
}

extension WebhookFuzzFindingsTests {
    @Test(arguments: [
        ("20261201.1@acme.test", "<20261201.1@acme.test>"),
        ("<20261201.1@acme.test>", "<20261201.1@acme.test>"),
        ("<02612011t>jjjj", "<02612011t>jjjj>"),
        (" half@acme.test> ", "<half@acme.test>"),
    ])
    func messageIDsAreAlwaysBracketed(given: String, expected: String) throws {
        let body = #"{"signature":{"timestamp":"1","token":"t","signature":"s"},"event-data":{"event":"opened","message":{"headers":{"message-id":"\#(given)"}}}}"#
        #expect(try MailgunWebhookEvent(json: Data(body.utf8)).messageID == expected)
    }
}

/// Shapes the fixtures do not show: Mailgun's lenient variants.
@Suite struct WebhookLenientShapesTests {
    @Test func aBodyWithoutAContentTypeIsSniffed() async throws {
        let key = WebhookReceiverTests.key
        let receiver = MailgunWebhookReceiver(signingKey: key, store: nil, configuration: .init(now: { WebhookReceiverTests.now }))
        let json = try await WebhookFixtures.signedJSON("opened", key: key, timestamp: WebhookReceiverTests.timestamp)
        #expect(await receiver.receive(body: json, contentType: nil, logger: WebhookReceiverTests.logger).status == 200)
        let form = try await WebhookFixtures.signedForm("legacy-dropped", key: key, timestamp: WebhookReceiverTests.timestamp)
        let answer = await receiver.receive(body: form, contentType: "", logger: WebhookReceiverTests.logger)
        #expect(answer.status == 200, "\(answer.body)")
        #expect(answer.event?.format == .legacyForm)
    }

    @Test func numbersAndStringsAreReadEitherWay() throws {
        let body = #"{"signature":{"timestamp":1795255400,"token":"t","signature":"s"},"event-data":{"event":"failed","timestamp":"1795255401.25","tags":null,"user-variables":null,"delivery-status":{"code":"550","attempt-no":"2"}}}"#
        let event = try MailgunWebhookEvent(json: Data(body.utf8))
        #expect(event.signature.timestamp == "1795255400")
        #expect(event.timestamp == Date(timeIntervalSince1970: 1_795_255_401.25))
        #expect(event.tags.isEmpty && event.userVariables.isEmpty)
        #expect(event.deliveryStatus?.code == 550 && event.deliveryStatus?.attempt == 2)
    }
}
