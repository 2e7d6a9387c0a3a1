import Foundation
import Hummingbird
import Mailroom
import MailroomMailgun
import NIOCore

extension MailgunMockResponder {
    /// Mailgun's limit on `o:`, `h:`, `v:` and `t:` parameters together.
    static let sendOptionsLimit = 16 * 1_024

    /// `POST /v3/{domain}/messages`: validates like Mailgun, renders the MIME, stores the message.
    func sendMessage(domain: String, body: ByteBuffer, contentType: String?) async throws -> Response {
        guard await state.knows(domain: domain) else { return MockResponse.message("Domain not found: \(domain)", status: .notFound) }
        let form = try parseForm(body, contentType: contentType)
        guard let from = form.first("from"), !from.trimmingCharacters(in: .whitespaces).isEmpty else {
            return MockResponse.message("from parameter is missing", status: .badRequest)
        }
        guard !form.all("to").joined().trimmingCharacters(in: .whitespaces).isEmpty else {
            return MockResponse.message("to parameter is missing", status: .badRequest)
        }
        let template = form.first("template")
        if (form.first("subject") ?? "").isEmpty && template == nil {
            return MockResponse.message("subject parameter is missing", status: .badRequest)
        }
        if ["text", "html", "amp-html", "template"].allSatisfy({ form.first($0) == nil }) {
            return MockResponse.message("Need at least one of 'text', 'html', 'amp-html' or 'template' parameters specified.", status: .badRequest)
        }
        if form.first("html") != nil && template != nil {
            return MockResponse.message("Only one parameters 'html' or 'template' is allowed.", status: .badRequest)
        }
        if let response = checkSendOptions(form) { return response }

        var email = Email(from: "", to: [])
        var messageID: String?
        do {
            guard let sender = try? EmailAddress(from, field: "from") else { throw InvalidParameter(name: "from") }
            email.from = sender
            email.to = try addresses(form, "to")
            email.cc = try addresses(form, "cc")
            email.bcc = try addresses(form, "bcc")
        } catch let error as InvalidParameter {
            return MockResponse.message("\(error.name) parameter is not a valid address. please check documentation", status: .badRequest)
        }
        if email.recipients.count > Email.maximumRecipients {
            return MockResponse.message("Too many recipients: at most \(Email.maximumRecipients) are allowed per message", status: .badRequest)
        }
        if let variables = form.first("recipient-variables"), !isJSONObject(variables) {
            return MockResponse.message("recipient-variables parameter is not a valid JSON", status: .badRequest)
        }
        email.subject = form.first("subject") ?? ""
        email.text = form.first("text")
        email.html = form.first("html")
        email.ampHTML = form.first("amp-html")
        if let template {
            do {
                email.template = try form.first("t:variables").map {
                    try EmailTemplate(name: template, version: form.first("t:version"), variablesJSON: $0)
                } ?? EmailTemplate(name: template, version: form.first("t:version"))
            } catch {
                return MockResponse.message("t:variables parameter is not a valid JSON", status: .badRequest)
            }
        }
        for (name, value) in form.fields where name.hasPrefix("h:") {
            let header = String(name.dropFirst(2))
            switch header.lowercased() {
            case "reply-to":
                guard let replyTo = try? EmailAddress.list(value, field: "h:Reply-To") else {
                    return MockResponse.message("h:Reply-To parameter is not a valid address. please check documentation", status: .badRequest)
                }
                email.replyTo = replyTo
            case "message-id":
                messageID = value
            default:
                // Headers the renderer owns stay in the recorded fields but not in the MIME.
                if !["from", "to", "cc", "bcc", "subject", "date", "mime-version"].contains(header.lowercased()) && !header.lowercased().hasPrefix("content-") {
                    email.headers.append(EmailHeader(header, value))
                }
            }
        }
        email.options.tags = form.all("o:tag")
        email.attachments = form.files.compactMap { file in
            let attachment = Attachment.bytes(file.content, filename: file.filename, contentType: file.contentType)
            switch file.name {
            case "attachment": return attachment
            case "inline": return .inline(attachment)
            default: return nil
            }
        }

        var id = messageID ?? ""
        if id.isEmpty { id = await state.nextMessageID(domain: domain) }
        let mime: [UInt8]
        do {
            mime = try await email.renderMIME(options: MIMERenderOptions(messageID: id)).collect()
        } catch let error as MailroomError {
            return MockResponse.message("\(error)", status: .badRequest)
        }
        let stored = await state.store(
            domain: domain,
            endpoint: "messages",
            recipients: email.recipients.map(\.mailbox),
            fields: form.fields.map { [$0.name, $0.value] },
            files: form.files.map { MockMessage.File(field: $0.name, filename: $0.filename, contentType: $0.contentType, content: $0.content) },
            mime: mime,
            id: id
        )
        await dispatchEvents(for: stored)
        return MockResponse.json(["id": stored.id, "message": "Queued. Thank you."])
    }

    /// `POST /v3/{domain}/messages.mime`: `to` plus a `message` file part holding the MIME.
    func sendMIME(domain: String, body: ByteBuffer, contentType: String?) async throws -> Response {
        guard await state.knows(domain: domain) else { return MockResponse.message("Domain not found: \(domain)", status: .notFound) }
        let form = try parseForm(body, contentType: contentType)
        guard !form.all("to").joined().trimmingCharacters(in: .whitespaces).isEmpty else {
            return MockResponse.message("to parameter is missing", status: .badRequest)
        }
        guard let message = form.files.first(where: { $0.name == "message" })?.content ?? form.first("message").map({ Array($0.utf8) }) else {
            return MockResponse.message("message parameter is missing", status: .badRequest)
        }
        if let response = checkSendOptions(form) { return response }
        let recipients: [EmailAddress]
        do {
            recipients = try addresses(form, "to")
        } catch {
            return MockResponse.message("to parameter is not a valid address. please check documentation", status: .badRequest)
        }
        if recipients.count > Email.maximumRecipients {
            return MockResponse.message("Too many recipients: at most \(Email.maximumRecipients) are allowed per message", status: .badRequest)
        }
        let id: String
        if let headerID = MIMEReader.parse(message).header("Message-ID") {
            id = headerID
        } else {
            id = await state.nextMessageID(domain: domain)
        }
        let stored = await state.store(
            domain: domain,
            endpoint: "messages.mime",
            recipients: recipients.map(\.mailbox),
            fields: form.fields.map { [$0.name, $0.value] },
            files: form.files.map { MockMessage.File(field: $0.name, filename: $0.filename, contentType: $0.contentType, content: $0.content) },
            mime: message,
            id: id
        )
        await dispatchEvents(for: stored)
        return MockResponse.json(["id": stored.id, "message": "Queued. Thank you."])
    }

    /// `GET` (JSON view, or `body-mime` for `Accept: message/rfc2822`) and `POST` (resend) on a stored message.
    func storedMessage(method: String, domain: String, key: String, accept: String, body: ByteBuffer, contentType: String?) async throws -> Response {
        guard let message = await state.message(domain: domain, storageKey: key) else {
            return MockResponse.message("Message not found", status: .notFound)
        }
        switch method {
        case "GET":
            let view = StoredMessageView(message: message)
            return MockResponse.json(accept.contains("message/rfc2822") ? view.rawJSON : view.json)
        case "POST":
            let form = try parseForm(body, contentType: contentType)
            guard !form.all("to").joined().trimmingCharacters(in: .whitespaces).isEmpty else {
                return MockResponse.message("to parameter is missing", status: .badRequest)
            }
            guard let recipients = try? addresses(form, "to") else {
                return MockResponse.message("to parameter is not a valid address. please check documentation", status: .badRequest)
            }
            let resent = await state.store(
                domain: domain,
                endpoint: "resend",
                recipients: recipients.map(\.mailbox),
                fields: form.fields.map { [$0.name, $0.value] },
                files: [],
                mime: message.mime,
                id: await state.nextMessageID(domain: domain)
            )
            await dispatchEvents(for: resent)
            return MockResponse.json(["id": resent.id, "message": "Queued. Thank you."])
        default:
            return MockResponse.message("Method Not Allowed", status: .methodNotAllowed)
        }
    }

    /// `GET …/messages/{key}/attachments/{index}`: the bytes of one attachment of a stored message.
    func storedAttachment(domain: String, key: String, index: Int?) async -> Response {
        guard let message = await state.message(domain: domain, storageKey: key) else {
            return MockResponse.message("Message not found", status: .notFound)
        }
        let leaves = MIMEReader.parse(message.mime).leaves
        guard let index, leaves.indices.contains(index) else { return MockResponse.message("Attachment not found", status: .notFound) }
        return MockResponse.bytes(leaves[index].body, contentType: leaves[index].contentType)
    }

    // MARK: Helpers

    struct InvalidParameter: Error {
        var name: String
    }

    /// Every address in every field called `name`; each field may hold a comma-separated list.
    func addresses(_ form: FormData, _ name: String) throws -> [EmailAddress] {
        do {
            return try form.all(name).flatMap { try EmailAddress.list($0, field: name) }
        } catch {
            throw InvalidParameter(name: name)
        }
    }

    /// The request's form fields; a 400 answer when the body is not a form.
    func parseForm(_ body: ByteBuffer, contentType: String?) throws(ResponseError) -> FormData {
        do {
            guard let form = try FormData.parse(body, contentType: contentType) else {
                throw ResponseError(MockResponse.message("Content-Type must be multipart/form-data or application/x-www-form-urlencoded", status: .badRequest))
            }
            return form
        } catch let error as FormData.MalformedForm {
            throw ResponseError(MockResponse.message(error.reason, status: .badRequest))
        } catch let error as ResponseError {
            throw error
        } catch {
            throw ResponseError(MockResponse.message("the form could not be read", status: .badRequest))
        }
    }

    /// 400 when `o:`, `h:`, `v:` and `t:` parameters exceed 16 KB together.
    private func checkSendOptions(_ form: FormData) -> Response? {
        let size = form.fields.filter { ["o:", "h:", "v:", "t:"].contains(String($0.name.prefix(2))) }
            .reduce(0) { $0 + $1.name.utf8.count + $1.value.utf8.count }
        guard size > Self.sendOptionsLimit else { return nil }
        return MockResponse.message("Send options (parameters starting with o:, h:, or v:) are limited to 16 kB total", status: .badRequest)
    }

    private func isJSONObject(_ text: String) -> Bool {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) is [String: Any]
    }
}
