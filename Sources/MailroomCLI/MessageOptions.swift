import ArgumentParser
import Foundation
import Mailroom

/// The flags that describe a message, shared by `render` and the sending commands.
///
/// Every flag is optional at parse time so that a missing one is reported by ``Email/validate()``
/// in one line naming the field, like every other bad input.
struct MessageOptions: ParsableArguments {
    @Option(help: "The sender, e.g. 'Acme <hello@acme.test>'.")
    var from: String?

    @Option(help: "A recipient; repeat the flag or separate addresses with commas.")
    var to: [String] = []

    @Option(help: "A carbon-copy recipient; repeatable.")
    var cc: [String] = []

    @Option(help: "A blind-carbon-copy recipient; repeatable. Never shown in the headers.")
    var bcc: [String] = []

    @Option(name: .customLong("reply-to"), help: "Where replies go; repeatable.")
    var replyTo: [String] = []

    @Option(help: "The subject line.")
    var subject: String?

    @Option(help: "The plain-text body.")
    var text: String?

    @Option(name: .customLong("text-file"), help: "Read the plain-text body from a UTF-8 file.")
    var textFile: String?

    @Option(help: "The HTML body.")
    var html: String?

    @Option(name: .customLong("html-file"), help: "Read the HTML body from a UTF-8 file.")
    var htmlFile: String?

    @Option(name: .customLong("amp-html"), help: "The AMP for Email body.")
    var ampHTML: String?

    @Option(help: "Attach a file (streamed); repeatable.")
    var attach: [String] = []

    @Option(help: "Attach a file inline, referenced from the HTML as cid:FILENAME; repeatable.")
    var inline: [String] = []

    @Option(help: "A custom header, 'Name: value'; repeatable, order kept.")
    var header: [String] = []

    @Option(help: "A tag; repeatable.")
    var tag: [String] = []

    @Option(name: .customLong("var"), help: "A custom variable, 'key=value'; repeatable.")
    var variables: [String] = []

    /// The message these flags describe, validated after `configure` adds what other flags say.
    func makeEmail(_ configure: (inout Email) throws -> Void = { _ in }) throws -> Email {
        var email = Email(from: try from.map { try EmailAddress($0, field: "from") } ?? "", to: [])
        email.to = try addresses(to, field: "to")
        email.cc = try addresses(cc, field: "cc")
        email.bcc = try addresses(bcc, field: "bcc")
        email.replyTo = try addresses(replyTo, field: "reply-to")
        email.subject = subject ?? ""
        email.text = try body(text, file: textFile, field: "text")
        email.html = try body(html, file: htmlFile, field: "html")
        email.ampHTML = ampHTML
        email.attachments = try attach.map { try Attachment.file(at: $0) }
            + inline.map { Attachment.inline(try Attachment.file(at: $0)) }
        email.headers = try header.enumerated().map { index, line in
            guard let colon = line.firstIndex(of: ":") else {
                throw MailroomError.invalidValue(field: "header[\(index)]", "expected 'Name: value', got \(Self.quoted(line))")
            }
            let value = line[line.index(after: colon)...].drop(while: { $0 == " " || $0 == "\t" })
            return EmailHeader(String(line[..<colon]), String(value))
        }
        email.options.tags = tag
        for (index, pair) in variables.enumerated() {
            guard let equals = pair.firstIndex(of: "=") else {
                throw MailroomError.invalidValue(field: "var[\(index)]", "expected 'key=value', got \(Self.quoted(pair))")
            }
            email.options.variables[String(pair[..<equals])] = String(pair[pair.index(after: equals)...])
        }
        try configure(&email)
        try email.validate()
        return email
    }

    private func addresses(_ values: [String], field: String) throws -> [EmailAddress] {
        guard !values.isEmpty else { return [] }
        return try EmailAddress.list(values.joined(separator: ","), field: field)
    }

    private func body(_ inline: String?, file: String?, field: String) throws -> String? {
        switch (inline, file) {
        case (let value?, nil):
            return value
        case (nil, let path?):
            guard let data = FileManager.default.contents(atPath: path) else {
                throw MailroomError.invalidValue(field: "\(field)-file", "cannot read \(path)")
            }
            guard let text = String(data: data, encoding: .utf8) else {
                throw MailroomError.invalidValue(field: "\(field)-file", "\(path) is not UTF-8 text")
            }
            return text
        case (nil, nil):
            return nil
        case (.some, .some):
            throw MailroomError.invalidValue(field: field, "give --\(field) or --\(field)-file, not both")
        }
    }

    private static func quoted(_ text: String) -> String {
        "'\(text.prefix(60))'"
    }
}
