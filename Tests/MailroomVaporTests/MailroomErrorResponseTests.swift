import Foundation
import MailgunMock
import Mailroom
import MailroomMailgun
import MailroomTestSupport
import MailroomVapor
import Testing
import Vapor
import VaporTesting

/// `MailroomError` answered as a Hummingbird app answers it: 400 naming the field, 503 with
/// `Retry-After`, 502; the same JSON body.
@Suite struct MailroomErrorResponseTests {
    @Test(arguments: HTTPAnswerCases.errors)
    func errorsBecomeTheAnswersUsersExpect(error: MailroomError, status: Int, retryAfter: String?) async throws {
        try await withApp { app in
            app.middleware.use(MailroomErrorMiddleware())
            app.get("fail") { _ -> String in throw error }
            app.get("abort") { _ -> String in throw MailroomErrorResponse(error) }
            app.get("other") { _ -> String in throw Abort(.notFound) }
            try await app.testing().test(.GET, "fail") { response in
                #expect(Int(response.status.code) == status)
                #expect(response.headers.first(name: .retryAfter) == retryAfter)
                #expect(response.headers.first(name: .contentType) == "application/json; charset=utf-8")
                let json = try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: String]
                #expect(json?["error"] == error.message)
                #expect(json?["code"] == "\(error.code)")
                #expect(json?["field"] == error.field)
            }
            try await app.testing().test(.GET, "other") { response in
                #expect(response.status == .notFound, "other errors pass through")
            }
        }
        // Without the middleware, Vapor's own ErrorMiddleware answers the AbortError with its status and headers.
        try await withApp { app in
            app.get("abort") { _ -> String in throw MailroomErrorResponse(error) }
            try await app.testing().test(.GET, "abort") { response in
                #expect(Int(response.status.code) == status)
                #expect(response.headers.first(name: .retryAfter) == retryAfter)
                #expect(response.body.string.contains(error.field.map { "\($0): " } ?? error.message))
            }
        }
    }

    @Test func theAPIKeyNeverReachesTheAnswer() async throws {
        let key = "key-SECRET-vapor-middleware"
        try await MailgunMock.withRunning(.init(apiKeys: [key], domains: ["acme.test"])) { mock in
            let configuration = try MailgunConfiguration(apiKey: key, region: .custom(mock.baseURL), domain: "acme.test", retry: .never)
            try await withApp { app in
                app.mailroom.use(.mailgun(configuration))
                app.middleware.use(MailroomErrorMiddleware())
                app.post("send") { req async throws -> String in
                    _ = try await req.mailroom.mailer.send(Email(from: "hello@acme.test", to: ["bob@example.com"], subject: "Hi", text: "x"))
                    return "sent"
                }
                await mock.inject(MockFault(kind: .rateLimited, count: 1, retryAfter: 30))
                await mock.inject(MockFault(kind: .status, status: 401, message: "Forbidden"))
                try await app.testing().test(.POST, "send") { response in
                    #expect(response.status == .serviceUnavailable)
                    #expect(response.headers.first(name: .retryAfter) == "30")
                    #expect(!response.body.string.contains(key))
                }
                try await app.testing().test(.POST, "send") { response in
                    #expect(response.status == .badGateway)
                    #expect(!response.body.string.contains(key))
                }
                try await app.testing().test(.POST, "send") { response in
                    #expect(response.status == .ok)
                }
            }
        }
    }
}
