/// Public because `HTTPClient` is injected through this file's public API.
public import AsyncHTTPClient
/// Public because `Logger` appears in this file's public API.
public import Logging
/// Public because `Mailer` and its values are this file's public API.
public import Mailroom
import Foundation
import NIOHTTP1

/// A `Mailer` that sends through Mailgun's HTTP API.
///
/// ```swift
/// let mailer = try MailgunMailer(configuration: .fromEnvironment())      // borrows HTTPClient.shared
/// let receipt = try await mailer.send(email)                              // receipt.id is Mailgun's <…@domain>
/// ```
///
/// Every send validates first (`Email.validate()` and the Mailgun options), so bad input
/// is an error naming the field and nothing is sent. File attachments are streamed from disk while
/// the request is uploaded. A `POST /messages` is not retried after a 5xx or a timeout unless the
/// retry policy opts in (a duplicate email is worse than an error); a 429 always is.
public struct MailgunMailer: Mailer {
    /// The HTTP client with its configuration; share it with ``MailgunMailer`` siblings.
    public let client: MailgunClient
    /// The path and URL of `POST /v3/{domain}/messages` for the configuration's domain, made once
    /// rather than for every send; `nil` without a valid default domain.
    private let defaultMessages: (path: String, url: String)?

    /// Creates a mailer.
    ///
    /// - Parameters:
    ///   - configuration: Credentials, region, domain, retries and timeouts.
    ///   - httpClient: The HTTP client to borrow; its owner shuts it down. Default `HTTPClient.shared`.
    public init(configuration: MailgunConfiguration, httpClient: HTTPClient = .shared) {
        self.init(client: MailgunClient(configuration: configuration, httpClient: httpClient))
    }

    /// Creates a mailer on an existing client.
    ///
    /// - Parameter client: The client to send with.
    public init(client: MailgunClient) {
        self.client = client
        self.defaultMessages = (try? client.domain(nil)).flatMap { domain in
            let path = "/v3/\(domain)/messages"
            return (try? client.url(for: path)).map { (path, $0) }
        }
    }

    /// Sends `email` with `POST /v3/{domain}/messages`.
    public func send(_ email: Email, logger: Logger) async throws -> SendReceipt {
        try email.validate()
        let mailgun = email.options.mailgunIfSet
        let messages: (path: String, url: String?)
        if mailgun?.domain == nil, let defaultMessages {
            messages = defaultMessages
        } else {
            messages = ("/v3/\(try client.domain(mailgun?.domain))/messages", nil)
        }
        let form = try MailgunForm.body(for: email, mailgun: mailgun)
        return try await post(form, to: messages.path, url: messages.url, recipients: email.recipients, logger: logger)
    }

    /// Sends pre-rendered MIME with `POST /v3/{domain}/messages.mime` to the envelope's recipients.
    public func sendMIME(_ message: MIMEMessage, envelope: Envelope, logger: Logger) async throws -> SendReceipt {
        try envelope.validate()
        let mailgun = envelope.options.mailgunIfSet
        let domain = try client.domain(mailgun?.domain)
        let form = try MailgunForm.mimeBody(for: message, envelope: envelope, mailgun: mailgun)
        return try await post(form, to: "/v3/\(domain)/messages.mime", recipients: envelope.recipients, logger: logger)
    }

    /// Sends `batch` in requests of at most 1,000 recipients, each with its own `recipient-variables`.
    ///
    /// Requests go one after another; when one fails, those before it stay sent and are reported in
    /// the thrown `BatchSendError` with the recipients not sent to.
    public func sendBatch(_ batch: BatchEmail, logger: Logger) async throws -> [SendReceipt] {
        try batch.validate()
        let mailgun = batch.email.options.mailgunIfSet
        let domain = try client.domain(mailgun?.domain)
        let chunks = batch.chunked()
        var forms: [MultipartFormBody] = []
        for chunk in chunks {
            let variables = Dictionary(chunk.recipients.map { ($0.address.mailbox, $0.variables) }, uniquingKeysWith: { _, last in last })
            let json = try JSONSerialization.data(withJSONObject: variables, options: [.sortedKeys, .withoutEscapingSlashes])
            forms.append(try MailgunForm.body(for: chunk.requestEmail, mailgun: mailgun, recipientVariables: String(decoding: json, as: UTF8.self)))
        }
        var receipts: [SendReceipt] = []
        for (index, form) in forms.enumerated() {
            do {
                receipts.append(try await post(form, to: "/v3/\(domain)/messages", recipients: chunks[index].recipients.map(\.address), logger: logger))
            } catch let error as MailroomError {
                throw BatchSendError(
                    receipts: receipts,
                    failedRequest: index,
                    unsent: chunks[index...].flatMap(\.recipients),
                    underlying: error
                )
            }
        }
        return receipts
    }

    private func post(_ form: MultipartFormBody, to path: String, url: String? = nil, recipients: [EmailAddress], logger: Logger) async throws -> SendReceipt {
        let response = try await client.execute(.init(method: .POST, target: path, url: url, body: .form(form)), logger: logger)
        let answer: MailgunSendAnswer
        do {
            answer = try MailgunSendAnswer.decode(response.body)
        } catch {
            throw MailroomError(code: .invalidJSON, message: "Mailgun answered HTTP \(response.status) with a body that is not a JSON object", status: response.status)
        }
        guard let id = answer.id else {
            throw MailroomError(code: .invalidJSON, message: "Mailgun accepted the message but answered without an id", status: response.status)
        }
        return SendReceipt(id: id, message: answer.message ?? "", accepted: recipients)
    }
}
