import Foundation
import MailgunMock
import Mailroom
import MailroomTestSupport
import Testing

/// `mailroom send`, `send-mime` and `stored`, run as a user would, against a mock in this process.
@Suite struct SendCommandTests {
    static let key = "key-cli-SECRET"

    func withMock(_ body: (MailgunMock, [String: String]) async throws -> Void) async throws {
        try await MailgunMock.withRunning(.init(apiKeys: [Self.key], domains: ["acme.test", "other.test"])) { mock in
            try await body(mock, ["MAILGUN_API_KEY": Self.key, "MAILGUN_BASE_URL": mock.baseURL, "MAILGUN_DOMAIN": "acme.test"])
        }
    }

    @Test func sendPutsEveryFlagOnTheWireAndPrintsTheReceipt() async throws {
        try await withMock { mock, environment in
            let result = try await MailroomExecutable.run([
                "send", "--from", "Acme <hello@acme.test>", "--to", "bob@example.com", "--bcc", "hidden@example.com",
                "--subject", "Hi", "--text", "hello", "--tag", "welcome", "--var", "user=42",
                "--option", "o:tracking-clicks=htmlonly", "--option", "h:X-Campaign=spring",
                "--deliver-at", "2026-11-22T10:00:00Z", "--test-mode",
            ], environment: environment)
            #expect(result.status == 0, "\(result.stderr)")
            let stored = try #require(await mock.messages().first)
            #expect(String(decoding: result.stdout, as: UTF8.self) == "Queued. Thank you. id: \(stored.id), 2 recipients\n")
            #expect(stored.recipients == ["bob@example.com", "hidden@example.com"])
            #expect(stored.values("o:tag") == ["welcome"])
            #expect(stored.values("v:user") == ["42"])
            #expect(stored.values("o:tracking-clicks") == ["htmlonly"])
            #expect(stored.values("h:X-Campaign") == ["spring"])
            #expect(stored.values("o:deliverytime") == ["Sun, 22 Nov 2026 10:00:00 +0000"])
            #expect(stored.values("o:testmode") == ["yes"])
        }
    }

    /// Mailgun documents `o:deliverytime` in RFC 2822, so users paste that form.
    @Test func deliverAtTakesTheRFC2822FormMailgunDocuments() async throws {
        try await withMock { mock, environment in
            let result = try await MailroomExecutable.run([
                "send", "--from", "hello@acme.test", "--to", "bob@example.com", "--subject", "Hi", "--text", "hello",
                "--deliver-at", "Fri, 14 Oct 2033 14:00:00 +0200",
            ], environment: environment)
            #expect(result.status == 0, "\(result.stderr)")
            let stored = try #require(await mock.messages().first)
            #expect(stored.values("o:deliverytime") == ["Fri, 14 Oct 2033 12:00:00 +0000"])
        }
    }

    @Test func templatesDomainAndJSON() async throws {
        try await withMock { mock, environment in
            let result = try await MailroomExecutable.run([
                "send", "--from", "hello@other.test", "--to", "bob@example.com", "--domain", "other.test",
                "--template", "welcome", "--template-version", "v2", "--template-vars", #"{"name":"Zoë"}"#, "--json",
            ], environment: environment)
            #expect(result.status == 0, "\(result.stderr)")
            let receipt = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout)) as? [String: Any])
            let stored = try #require(await mock.messages().first)
            #expect(receipt["id"] as? String == stored.id)
            #expect(receipt["accepted"] as? [String] == ["bob@example.com"])
            #expect(stored.domain == "other.test")
            #expect(stored.values("template") == ["welcome"])
            #expect(stored.values("t:version") == ["v2"])
            #expect(stored.values("t:variables") == [#"{"name":"Zoë"}"#])
        }
    }

    @Test(arguments: [
        ([String: String](), ["--subject", "s", "--text", "t", "--from", "a@acme.test"], "to: at least one recipient"),  // the outbox validates too
        (["MAILGUN_API_KEY": "k", "MAILGUN_BASE_URL": "http://mail.example.com"], ["--from", "a@acme.test", "--to", "b@example.com", "--subject", "s", "--text", "t"], "MAILGUN_BASE_URL: plain http:// is allowed only for loopback"),
        (["MAILGUN_API_KEY": "k"], ["--from", "a@acme.test", "--to", "b@example.com", "--subject", "s", "--text", "t", "--option", "novalue"], "option[0]: expected 'NAME=VALUE'"),
        (["MAILGUN_API_KEY": "k"], ["--from", "a@acme.test", "--to", "b@example.com", "--subject", "s", "--text", "t", "--deliver-at", "tomorrow"], "deliver-at: 'tomorrow' is neither an RFC 3339 date"),
        (["MAILGUN_API_KEY": "k"], ["--from", "a@acme.test", "--to", "b@example.com", "--subject", "s", "--text", "t", "--template-vars", "{}"], "template: --template-version and --template-vars need --template"),
    ])
    func badSetupsFailWithOneLine(environment: [String: String], arguments: [String], message: String) async throws {
        let result = try await MailroomExecutable.run(["send"] + arguments, environment: environment)
        #expect(result.status != 0)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.split(separator: "\n").count == 1)
        #expect(result.stderr.hasPrefix("mailroom: error: \(message)"), "\(result.stderr)")
    }

    @Test func providerErrorsAreOneLineWithoutTheKey() async throws {
        try await withMock { mock, environment in
            await mock.inject(.status(402, message: "Payment required"))
            let result = try await MailroomExecutable.run(["send", "--from", "a@acme.test", "--to", "b@example.com", "--subject", "s", "--text", "t"], environment: environment)
            #expect(result.status != 0)
            #expect(result.stderr == "mailroom: error: Mailgun requires a payment or an upgrade for this request (HTTP 402): Payment required\n")
            #expect(!result.stderr.contains(Self.key))
        }
    }

    @Test func sendMIMEStoredGetAndResend() async throws {
        try await withMock { mock, environment in
            let directory = try TemporaryDirectory()
            let mime = Array("Message-ID: <file-1@acme.test>\r\nFrom: a@acme.test\r\nTo: b@example.com\r\nSubject: From a file\r\n\r\nBody\r\n".utf8)
            let file = try directory.write(mime, named: "message.eml")
            let sent = try await MailroomExecutable.run(["send-mime", "--to", "b@example.com", "--to", "c@example.com", "--tag", "raw", file], environment: environment)
            #expect(sent.status == 0, "\(sent.stderr)")
            let stored = try #require(await mock.messages().first)
            #expect(stored.endpoint == "messages.mime")
            #expect(stored.mime == mime)
            #expect(stored.recipients == ["b@example.com", "c@example.com"])
            #expect(stored.values("o:tag") == ["raw"])

            let raw = try await MailroomExecutable.run(["stored", "get", "--key", stored.storageKey, "--raw"], environment: environment)
            #expect(raw.stdout == mime)
            let view = try await MailroomExecutable.run(["stored", "get", "--url", stored.storageURL], environment: environment)
            let object = try #require(try JSONSerialization.jsonObject(with: Data(view.stdout)) as? [String: Any])
            #expect(object["subject"] as? String == "From a file")
            #expect(object["body-plain"] as? String == "Body")

            let resent = try await MailroomExecutable.run(["stored", "resend", "--key", stored.storageKey, "--to", "new@example.com", "--json"], environment: environment)
            #expect(resent.status == 0, "\(resent.stderr)")
            #expect(await mock.messages().last?.recipients == ["new@example.com"])

            let neither = try await MailroomExecutable.run(["stored", "get"], environment: environment)
            #expect(neither.stderr.hasPrefix("mailroom: error: key: give --key or --url"))
            let foreign = try await MailroomExecutable.run(["stored", "get", "--url", "https://evil.example/v3/x"], environment: environment)
            #expect(foreign.stderr.contains("refusing to send Mailgun credentials to evil.example"))
        }
    }
}
