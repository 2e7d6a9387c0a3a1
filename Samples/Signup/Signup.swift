public import Foundation
public import Mailroom

/// `POST /signup {"name": "…", "email": "…"}`, the same in both sample apps: the request, checked,
/// becomes the welcome email. Bad input is a `MailroomError` naming the field, which each app's
/// error middleware answers with 400.
public struct Signup: Decodable, Sendable {
    /// The new user's name.
    public var name: String?
    /// The new user's address.
    public var email: String?

    /// Decodes a request body.
    ///
    /// - Parameter body: The body's bytes.
    /// - Throws: `MailroomError.Code.invalidJSON` naming `body`.
    public static func decode(_ body: Data) throws -> Signup {
        do {
            return try JSONDecoder().decode(Signup.self, from: body)
        } catch {
            throw MailroomError(code: .invalidJSON, field: "body", message: "expected a JSON object with name and email")
        }
    }

    /// The welcome email to the new user, tagged `welcome`.
    ///
    /// - Throws: `MailroomError` naming `name` or `email`.
    public func welcomeEmail() throws -> Email {
        guard let name = name?.trimmingCharacters(in: .whitespacesAndNewlines), !name.isEmpty else {
            throw MailroomError.missingField("name", "give the new user's name")
        }
        guard let email, !email.isEmpty else { throw MailroomError.missingField("email", "give the new user's address") }
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
        return welcome
    }

    private static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}
