import Foundation
import Mailroom
import MailroomVapor
import SignupSample
import Vapor

/// `POST /signup {"name": "…", "email": "…"}`: sends the welcome email through `req.mailroom.mailer`
/// (logging through the request's logger) and answers 202 with who got it and who was left out.
/// Bad input is a `MailroomError` naming the field, which `MailroomErrorMiddleware` answers with 400.
struct SignupController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.post("signup", use: signup)
    }

    @Sendable func signup(_ req: Request) async throws -> Response {
        let body = req.body.data.map { Data($0.readableBytesView) } ?? Data()
        let welcome = try Signup.decode(body).welcomeEmail()
        let receipt = try await req.mailroom.mailer.send(welcome)
        let response = Response(status: .accepted)
        try response.content.encode(SignupAnswer(receipt), as: .json)
        return response
    }
}
