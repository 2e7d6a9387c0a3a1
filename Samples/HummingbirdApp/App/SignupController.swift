import Foundation
/// Public because `SignupAnswer` conforms to Hummingbird's `ResponseEncodable` here.
public import Hummingbird
import Mailroom
public import SignupSample

/// `POST /signup {"name": "…", "email": "…"}`: sends the welcome email through the injected
/// mailer and answers 202 with who got it and who was left out. Bad input is a `MailroomError`
/// naming the field, which `MailroomErrorMiddleware` answers with 400.
struct SignupController<Context: RequestContext> {
    let mailer: any Mailer

    var routes: RouteCollection<Context> {
        let routes = RouteCollection(context: Context.self)
        routes.post(use: signup)
        return routes
    }

    @Sendable func signup(_ request: Request, context: Context) async throws -> EditedResponse<SignupAnswer> {
        let body = try await request.body.collect(upTo: 16 * 1_024)
        let welcome = try Signup.decode(Data(body.readableBytesView)).welcomeEmail()
        let receipt = try await mailer.send(welcome, logger: context.logger)
        return EditedResponse(status: .accepted, response: SignupAnswer(receipt))
    }
}

extension SignupAnswer: ResponseEncodable {}
