import Foundation
import Hummingbird
import Mailroom

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

    struct Signup: Decodable {
        var name: String?
        var email: String?
    }

    struct Accepted: ResponseEncodable {
        var id: String?
        var accepted: [String]
        var suppressed: [String]

        enum CodingKeys: String, CodingKey { case id, accepted, suppressed }

        // `id` is written as null when nothing was sent, as the API promises.
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(id, forKey: .id)
            try container.encode(accepted, forKey: .accepted)
            try container.encode(suppressed, forKey: .suppressed)
        }
    }

    @Sendable func signup(_ request: Request, context: Context) async throws -> EditedResponse<Accepted> {
        let body = try await request.body.collect(upTo: 16 * 1_024)
        let signup: Signup
        do {
            signup = try JSONDecoder().decode(Signup.self, from: Data(body.readableBytesView))
        } catch {
            throw MailroomError(code: .invalidJSON, field: "body", message: "expected a JSON object with name and email")
        }
        guard let name = signup.name?.trimmingCharacters(in: .whitespacesAndNewlines), !name.isEmpty else {
            throw MailroomError.missingField("name", "give the new user's name")
        }
        guard let email = signup.email, !email.isEmpty else { throw MailroomError.missingField("email", "give the new user's address") }
        let mailbox = try EmailAddress(email, field: "email").mailbox
        let address: EmailAddress
        do {
            address = try EmailAddress(mailbox: mailbox, displayName: name)
        } catch var error as MailroomError {
            error.field = "name"  // the mailbox was checked above: what failed is the name
            throw error
        }
        var welcome = Email(from: "Acme <hello@acme.test>", to: [address], subject: "Welcome, \(name)")
        welcome.text = "Hi \(name), glad you are here."
        welcome.html = "<p>Hi \(Self.escaped(name)), glad you are <b>here</b>.</p>"
        welcome.options.tags = ["welcome"]
        let receipt = try await mailer.send(welcome, logger: context.logger)
        return EditedResponse(status: .accepted, response: Accepted(
            id: receipt.id, accepted: receipt.accepted.map(\.mailbox), suppressed: receipt.suppressed.map(\.mailbox)
        ))
    }

    private static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}
