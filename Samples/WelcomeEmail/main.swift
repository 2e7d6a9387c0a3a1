import Mailroom
import Logging

// A host app's service depends on `any Mailer` only; which mailer it gets is decided at start-up.
struct SignupService {
    let mailer: any Mailer

    func welcome(name: String, address: EmailAddress) async throws -> SendReceipt {
        var email = Email(from: "Acme <hello@acme.test>", to: [address], subject: "Welcome, \(name)")
        email.text = "Hi \(name), glad you are here."
        email.html = "<p>Hi \(name), glad you are <b>here</b>.</p>"
        email.options.tags = ["welcome"]
        return try await mailer.send(email)
    }
}

// Until a provider module is wired in, this sample's mailer writes the MIME to stdout.
struct StandardOutputMailer: Mailer {
    func send(_ email: Email, logger: Logger) async throws -> SendReceipt {
        let message = try email.renderMIME()
        return try await sendMIME(message, envelope: Envelope(for: email), logger: logger)
    }

    func sendMIME(_ message: MIMEMessage, envelope: Envelope, logger: Logger) async throws -> SendReceipt {
        try envelope.validate()
        for try await chunk in message { print(String(decoding: chunk, as: UTF8.self), terminator: "") }
        return SendReceipt(id: message.messageID, message: "Written to stdout.", accepted: envelope.recipients)
    }

    func sendBatch(_ batch: BatchEmail, logger: Logger) async throws -> [SendReceipt] {
        try batch.validate()
        var receipts: [SendReceipt] = []
        for chunk in batch.chunked() { receipts.append(try await send(chunk.requestEmail, logger: logger)) }
        return receipts
    }
}

let service = SignupService(mailer: StandardOutputMailer())
let receipt = try await service.welcome(name: "Zoë", address: "Zoë <zoe@example.com>")
print("\nreceipt: \(receipt.id ?? "none") to \(receipt.accepted.map(\.description))")
