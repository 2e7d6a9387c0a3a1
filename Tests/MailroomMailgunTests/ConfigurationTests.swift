import Foundation
import InMemoryLogging
import Logging
import MailgunMock
import Mailroom
import Testing

@testable import MailroomMailgun

@Suite struct ConfigurationTests {
    @Test func environmentIsReadWithClearErrors() throws {
        let full = try MailgunConfiguration.fromEnvironment(["MAILGUN_API_KEY": "k", "MAILGUN_DOMAIN": "mg.acme.test", "MAILGUN_REGION": "EU"])
        #expect(full.region == .eu)
        #expect(full.domain == "mg.acme.test")
        #expect(try MailgunConfiguration.fromEnvironment(["MAILGUN_API_KEY": "k"]).region == .us)
        let custom = try MailgunConfiguration.fromEnvironment(["MAILGUN_API_KEY": "k", "MAILGUN_BASE_URL": "http://127.0.0.1:8025/", "MAILGUN_REGION": "eu"])
        #expect(custom.region.baseURL == "http://127.0.0.1:8025", "the base URL wins over the region")

        let missing = #expect(throws: MailroomError.self) { try MailgunConfiguration.fromEnvironment([:]) }
        #expect(missing?.code == .configuration)
        #expect(missing?.field == "MAILGUN_API_KEY")
        let region = #expect(throws: MailroomError.self) { try MailgunConfiguration.fromEnvironment(["MAILGUN_API_KEY": "k", "MAILGUN_REGION": "mars"]) }
        #expect(region?.field == "MAILGUN_REGION")
        let insecure = #expect(throws: MailroomError.self) { try MailgunConfiguration.fromEnvironment(["MAILGUN_API_KEY": "k", "MAILGUN_BASE_URL": "http://mail.example.com"]) }
        #expect(insecure?.field == "MAILGUN_BASE_URL")
        #expect(insecure?.message.contains("loopback") == true)
        let domain = #expect(throws: MailroomError.self) { try MailgunConfiguration.fromEnvironment(["MAILGUN_API_KEY": "k", "MAILGUN_DOMAIN": "bad domain"]) }
        #expect(domain?.field == "MAILGUN_DOMAIN")
    }

    @Test func customBaseURLsFollowTheLoopbackRule() throws {
        #expect(try MailgunConfiguration.Region.custom("https://mailgun.proxy.example").baseURL == "https://mailgun.proxy.example")
        #expect(try MailgunConfiguration.Region.custom("http://localhost:9000").baseURL == "http://localhost:9000")
        #expect(try MailgunConfiguration.Region.custom("http://[::1]:9000").baseURL == "http://[::1]:9000")
        for bad in ["http://10.0.0.5", "ftp://api.mailgun.net", "not a url", "https://user:pass@api.mailgun.net"] {
            #expect(throws: MailroomError.self, "\(bad)") { try MailgunConfiguration.Region.custom(bad) }
        }
    }

    @Test func theKeyIsNeverShown() throws {
        let key = MailgunHarness.apiKey
        let configuration = try MailgunConfiguration(apiKey: key, domain: "acme.test")
        #expect(!configuration.description.contains(key))
        #expect(!String(reflecting: configuration).contains(key))
        #expect(!"\(configuration)".contains(key))
        #expect(configuration.description.contains("<redacted>"))
        let empty = #expect(throws: MailroomError.self) { try MailgunConfiguration(apiKey: "") }
        #expect(empty?.field == "apiKey")
    }

    @Test func theKeyNeverReachesLogsOrErrors() async throws {
        try await MailgunHarness.run { harness async throws in
            await harness.mock.inject(.rateLimited(retryAfter: 1))
            _ = try await harness.mailer.send(.sample(), logger: harness.logger)
            await harness.mock.inject(.status(400, message: "bad"))
            let rejected = await #expect(throws: MailroomError.self) { try await harness.mailer.send(.sample(), logger: harness.logger) }
            let refused = await #expect(throws: MailroomError.self) { try await harness.mailer.storedMessage(.url("https://evil.example/x"), logger: harness.logger) }

            let logged = harness.loggedText
            #expect(logged.contains("mailgun.path"), "requests are logged")
            #expect(logged.contains("/v3/acme.test/messages"))
            #expect(!logged.contains(MailgunHarness.apiKey))
            #expect(!logged.contains(Data("api:\(MailgunHarness.apiKey)".utf8).base64EncodedString()))
            for error in [rejected, refused].compactMap({ $0 }) {
                #expect(!"\(error)".contains(MailgunHarness.apiKey))
                #expect(!String(reflecting: error).contains(MailgunHarness.apiKey))
            }
            #expect(!harness.mailer.client.configuration.description.contains(MailgunHarness.apiKey))
        }
    }
}
