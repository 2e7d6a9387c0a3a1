import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Mailroom
import MailroomPreview
import NIOCore
import Testing

/// `PreviewAccessMiddleware` over real HTTP: the loopback host check and the token.
@Suite struct PreviewAccessTests {
    static let token = "tok-0123456789abcdef"

    static func app(token: String?) throws -> some ApplicationProtocol {
        let router = Router()
        router.add(middleware: try PreviewAccessMiddleware<BasicRequestContext>(token: token, basePath: "/_mailroom"))
        router.get("/_mailroom/page") { _, _ in "the page" }
        return Application(router: router, logger: Logger(label: "preview-access", factory: { _ in SwiftLogNoOpLogHandler() }))
    }

    @Test func onLoopbackOnlyRequestsForALoopbackHostAreAnswered() async throws {
        let host = try #require(HTTPField.Name("Host"))
        try await Self.app(token: nil).test(.ahc()) { client in
            try await client.execute(uri: "/_mailroom/page", method: .get) { response in
                #expect(response.status == .ok && String(buffer: response.body) == "the page")
            }
            for allowed in ["127.0.0.1:8025", "localhost", "[::1]:8025", "127.0.0.2"] {
                try await client.execute(uri: "/_mailroom/page", method: .get, headers: [host: allowed]) { #expect($0.status == .ok, "\(allowed)") }
            }
            for foreign in ["evil.test", "evil.test:8025", "127.0.0.1.evil.test", "localhost.evil.test", "[::2]"] {
                try await client.execute(uri: "/_mailroom/page", method: .get, headers: [host: foreign]) { response in
                    #expect(response.status == .forbidden, "\(foreign): a rebound DNS name")
                    #expect(!String(buffer: response.body).contains("the page"))
                }
            }
        }
    }

    @Test func withATokenEveryRequestMustCarryIt() async throws {
        let authorization = try #require(HTTPField.Name("Authorization"))
        try await Self.app(token: Self.token).test(.live) { client in
            try await client.execute(uri: "/_mailroom/page", method: .get) { response in
                #expect(response.status == .unauthorized)
                #expect(!String(buffer: response.body).contains(Self.token))
            }
            try await client.execute(uri: "/_mailroom/page?token=tok-0123456789abcdeX", method: .get) { #expect($0.status == .unauthorized) }
            try await client.execute(uri: "/_mailroom/page", method: .get, headers: [authorization: "Bearer \(Self.token)"]) { #expect($0.status == .ok) }
            try await client.execute(uri: "/_mailroom/page", method: .get, headers: [authorization: "Bearer \(Self.token)x"]) { #expect($0.status == .unauthorized) }
            let cookie = try await client.execute(uri: "/_mailroom/page?q=a+b&token=\(Self.token)", method: .get) { response in
                #expect(response.status == .seeOther)
                #expect(response.headers[.location] == "/_mailroom/page?q=a+b", "the token leaves the address bar")
                let setCookie = try #require(response.headers[.setCookie])
                #expect(setCookie.contains("HttpOnly") && setCookie.contains("SameSite=Strict") && setCookie.contains("Path=/_mailroom"))
                return try #require(setCookie.split(separator: ";").first.map(String.init))
            }
            try await client.execute(uri: "/_mailroom/page", method: .get, headers: [.cookie: cookie]) { #expect($0.status == .ok) }
            try await client.execute(uri: "/_mailroom/page", method: .get, headers: [.cookie: "mailroom-preview-token=nope"]) { #expect($0.status == .unauthorized) }
        }
    }

    @Test func aWeakTokenIsRefusedNamingTheField() throws {
        for weak in ["short", "has space in it, long enough", "tok-0123456789abcdé"] {
            #expect { try PreviewAccessMiddleware<BasicRequestContext>(token: weak) } throws: { error in
                (error as? MailroomError)?.field == "token" && (error as? MailroomError)?.code == .invalidValue
            }
        }
    }
}
