import Foundation
import Mailroom
import Testing

@Suite struct EmailValidationTests {
    let valid = Email(from: "Acme <hello@acme.test>", to: ["bob@example.com"], subject: "Hi", text: "Hello")

    func error(_ change: (inout Email) throws -> Void) rethrows -> MailroomError? {
        var email = valid
        try change(&email)
        do {
            try email.validate()
            _ = try email.renderMIME()
            return nil
        } catch let error as MailroomError {
            return error
        } catch {
            Issue.record("unexpected error type: \(error)")
            return nil
        }
    }

    @Test func aValidMessagePasses() throws {
        try valid.validate()
    }

    @Test func requiresASender() {
        let missing = error { $0.from = "" }
        #expect(missing?.code == .missingField)
        #expect(missing?.field == "from")
    }

    @Test func requiresARecipient() {
        let none = error { $0.to = [] }
        #expect(none?.code == .missingField)
        #expect(none?.field == "to")
        #expect(error { $0.to = []; $0.cc = ["c@example.com"] } == nil, "cc alone is a recipient")
    }

    @Test func limitsRecipientsToOneThousand() throws {
        let addresses = try (0..<1_001).map { try EmailAddress("r\($0)@example.com") }
        #expect(error { $0.to = Array(addresses.prefix(1_000)) } == nil)
        let tooMany = error { $0.to = Array(addresses.prefix(600)); $0.bcc = Array(addresses.suffix(401)) }
        #expect(tooMany?.code == .tooManyRecipients)
        #expect(tooMany?.message == "1001 recipients in one request; at most 1000 are allowed")
    }

    @Test func requiresASubjectUnlessATemplateIsUsed() {
        let missing = error { $0.subject = "  " }
        #expect(missing?.code == .missingField)
        #expect(missing?.field == "subject")
        #expect(error { $0.subject = ""; $0.template = EmailTemplate(name: "welcome") } == nil)
    }

    @Test func requiresABody() {
        let missing = error { $0.text = nil }
        #expect(missing?.code == .missingField)
        #expect(missing?.message == "need at least one of text, html, AMP html or a template")
        #expect(error { $0.text = nil; $0.ampHTML = "<html ⚡4email></html>" } == nil)
        #expect(error { $0.text = nil; $0.template = EmailTemplate(name: "t") } == nil)
    }

    @Test func reportsTheFieldOfABadRecipient() {
        let bad = error { $0.cc = ["ok@example.com", "broken@"] }
        #expect(bad?.code == .invalidAddress)
        #expect(bad?.field == "cc[1]")
        #expect(error { $0.replyTo = ["nope"] }?.field == "reply-to[0]")
        #expect(error { $0.bcc = ["a@b"] }?.field == "bcc[0]")
    }

    /// Every header-bearing field rejects CR and LF before anything is rendered or sent.
    @Test(arguments: [
        ("subject", { @Sendable (email: inout Email) in email.subject = "Hi\r\nBcc: victim@example.com" }),
        ("subject", { @Sendable (email: inout Email) in email.subject = "Hi\nthere" }),
        ("from", { @Sendable (email: inout Email) in email.from = EmailAddress(stringLiteral: "A\r\n <a@acme.test>") }),
        ("to[0]", { @Sendable (email: inout Email) in email.to = [EmailAddress(stringLiteral: "Bob\n <bob@example.com>")] }),
        ("headers[X-Evil]", { @Sendable (email: inout Email) in email.headers = [EmailHeader("X-Evil", "a\r\nBcc: x@y.z")] }),
        ("headers[0]", { @Sendable (email: inout Email) in email.headers = [EmailHeader("X-Ev\r\nil", "a")] }),
        ("attachments[0].filename", { @Sendable (email: inout Email) in email.attachments = [.bytes([1], filename: "a\r\n.txt")] }),
        ("attachments[0].contentType", { @Sendable (email: inout Email) in email.attachments = [.bytes([1], filename: "a.txt", contentType: "text/plain\r\nX: y")] }),
        ("attachments[0].contentID", { @Sendable (email: inout Email) in email.attachments = [.inline(.bytes([1], filename: "a.png"), contentID: "a\nb")] }),
        ("tags[1]", { @Sendable (email: inout Email) in email.options.tags = ["fine", "bad\ntag"] }),
        ("variables", { @Sendable (email: inout Email) in email.options.variables = ["ke\ny": "v"] }),
        ("template.name", { @Sendable (email: inout Email) in email.template = EmailTemplate(name: "t\r\n") }),
        ("template.version", { @Sendable (email: inout Email) in email.template = EmailTemplate(name: "t", version: "v\n1") }),
    ] as [(String, @Sendable (inout Email) throws -> Void)])
    func rejectsLineBreaks(field: String, change: @Sendable (inout Email) throws -> Void) throws {
        let rejected = try error(change)
        #expect(rejected?.code == .headerInjection)
        #expect(rejected?.field == field)
        #expect(rejected?.description == "\(field): must not contain a line break (CR or LF)")
    }

    @Test func rejectsUnicodeLineSeparatorsAndControlCharacters() {
        #expect(error { $0.subject = "a\u{2028}b" }?.code == .headerInjection)
        #expect(error { $0.subject = "a\u{2029}b" }?.code == .headerInjection)
        #expect(error { $0.subject = "a\u{85}b" }?.code == .headerInjection)
        #expect(error { $0.subject = "a\u{7F}b" }?.code == .invalidValue)
        #expect(error { $0.subject = "a\u{1B}b" }?.code == .invalidValue)
        // Their neighbours are text: U+2027, U+202A, U+0084 and U+0086, and Å, whose second byte is 0x85.
        #expect(error { $0.subject = "a\u{2027}\u{202A}\u{84}\u{86}Åb\t" } == nil)
        let control = error { $0.subject = "bell\u{07}" }
        #expect(control?.code == .invalidValue)
        #expect(control?.field == "subject")
    }

    @Test func rejectsMalformedAndReservedHeaders() {
        let spaced = error { $0.headers = [EmailHeader("X Bad", "v")] }
        #expect(spaced?.code == .invalidValue)
        #expect(spaced?.field == "headers[0]")
        for name in ["Bcc", "content-type", "Subject", "MIME-Version", "Message-ID"] {
            let reserved = error { $0.headers = [EmailHeader(name, "v")] }
            #expect(reserved?.code == .invalidValue)
            #expect(reserved?.message.contains("written by the renderer") == true)
        }
    }

    @Test func rejectsBadAttachments() {
        #expect(error { $0.attachments = [.bytes([1], filename: "")] }?.code == .missingField)
        let type = error { $0.attachments = [.bytes([1], filename: "a", contentType: "pdf")] }
        #expect(type?.field == "attachments[0].contentType")
        let duplicate = error {
            $0.html = "<img src=cid:x>"
            $0.attachments = [.inline(.bytes([1], filename: "a.png"), contentID: "x"), .inline(.bytes([2], filename: "b.png"), contentID: "x")]
        }
        #expect(duplicate?.field == "attachments[1].contentID")
        let spaceInID = error { $0.attachments = [.inline(.bytes([1], filename: "a.png"), contentID: "a b")] }
        #expect(spaceInID?.code == .invalidValue)
    }

    @Test func missingAttachmentFileIsATypedError() {
        let missing = #expect(throws: MailroomError.self) { try Attachment.file(at: "/nonexistent/mailroom/invoice.pdf") }
        #expect(missing?.code == .attachmentUnreadable)
        #expect(missing?.field == "attachment[invoice.pdf]")
        let directory = #expect(throws: MailroomError.self) { try Attachment.file(at: FileManager.default.temporaryDirectory.path) }
        #expect(directory?.code == .attachmentUnreadable)
    }

    @Test func templateVariablesMustBeAJSONObject() throws {
        struct Welcome: Encodable { var name: String; var plan: String }
        let template = try EmailTemplate(name: "welcome", version: "v2", variables: Welcome(name: "Zoë", plan: "pro"))
        #expect(template.variablesJSON == #"{"name":"Zoë","plan":"pro"}"#)
        let array = #expect(throws: MailroomError.self) { try EmailTemplate(name: "t", variables: [1, 2]) }
        #expect(array?.code == .invalidJSON)
        #expect(array?.field == "template.variables")
        let text = #expect(throws: MailroomError.self) { try EmailTemplate(name: "t", variablesJSON: "{not json") }
        #expect(text?.code == .invalidJSON)
        #expect(try EmailTemplate(name: "t", variablesJSON: #"{"a":1}"#).variablesJSON == #"{"a":1}"#)
    }

    @Test func contentTypesAreInferredFromExtensions() {
        #expect(Attachment.bytes([], filename: "Invoice.PDF").contentType == "application/pdf")
        #expect(Attachment.bytes([], filename: "photo.jpeg").contentType == "image/jpeg")
        #expect(Attachment.bytes([], filename: "data.unknownext").contentType == "application/octet-stream")
        #expect(Attachment.bytes([], filename: ".hidden").contentType == "application/octet-stream")
        #expect(Attachment.bytes([], filename: "x.csv", contentType: "text/x-custom").contentType == "text/x-custom")
    }

    @Test func providerOptionsAreTypedAndEquatable() {
        struct Custom: Hashable, Sendable { var level = 0 }
        enum CustomKey: ProviderOptionKey { static let defaultValue = Custom() }
        var options = SendOptions()
        #expect(options.providerOptions[CustomKey.self] == Custom())
        #expect(!options.providerOptions.contains(CustomKey.self))
        #expect(options.providerOptions.isEmpty)
        options.providerOptions[CustomKey.self] = Custom(level: 3)
        #expect(options.providerOptions[CustomKey.self].level == 3)
        #expect(!options.providerOptions.isEmpty)
        var other = SendOptions()
        #expect(options != other)
        other.providerOptions[CustomKey.self] = Custom(level: 3)
        #expect(options == other)
        #expect(options.hashValue == other.hashValue)
    }
}
