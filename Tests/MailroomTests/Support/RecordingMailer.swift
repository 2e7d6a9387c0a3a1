import Logging
import Mailroom

/// A minimal mailer for decorator tests: records what reaches it and answers with a receipt.
actor RecordingMailer: Mailer {
    private(set) var emails: [Email] = []
    private(set) var envelopes: [Envelope] = []
    private(set) var batches: [BatchEmail] = []

    func send(_ email: Email, logger: Logger) async throws -> SendReceipt {
        try email.validate()
        emails.append(email)
        return SendReceipt(id: "<\(emails.count)@test>", message: "Queued. Thank you.", accepted: email.recipients)
    }

    func sendMIME(_ message: MIMEMessage, envelope: Envelope, logger: Logger) async throws -> SendReceipt {
        try envelope.validate()
        envelopes.append(envelope)
        return SendReceipt(id: "<mime-\(envelopes.count)@test>", message: "Queued. Thank you.", accepted: envelope.recipients)
    }

    func sendBatch(_ batch: BatchEmail, logger: Logger) async throws -> [SendReceipt] {
        try batch.validate()
        batches.append(batch)
        return batch.chunked().enumerated().map { index, chunk in
            SendReceipt(id: "<batch-\(index)@test>", message: "Queued. Thank you.", accepted: chunk.recipients.map(\.address))
        }
    }
}

/// A minimal suppression store over a dictionary, for decorator tests.
actor DictionarySuppressionStore: SuppressionStore {
    private var entries: [Suppression.Kind: [String: Suppression]] = [:]

    func add(_ suppression: Suppression, logger: Logger) async throws {
        try suppression.validate(field: "suppression")
        entries[suppression.kind, default: [:]][suppression.address.mailbox.lowercased()] = suppression
    }

    func add(contentsOf suppressions: [Suppression], logger: Logger) async throws {
        for suppression in suppressions { try await add(suppression, logger: logger) }
    }

    func get(_ kind: Suppression.Kind, address: EmailAddress, logger: Logger) async throws -> Suppression? {
        entries[kind]?[address.mailbox.lowercased()]
    }

    func remove(_ kind: Suppression.Kind, address: EmailAddress, tag: String?, logger: Logger) async throws {
        entries[kind]?[address.mailbox.lowercased()] = nil
    }

    func removeAll(_ kind: Suppression.Kind, logger: Logger) async throws {
        entries[kind] = [:]
    }

    nonisolated func list(_ kind: Suppression.Kind, pageSize: Int, logger: Logger) -> SuppressionSequence {
        SuppressionSequence { cursor in
            let all = await self.sorted(kind)
            let start = Int(cursor ?? "0") ?? 0
            let end = min(start + pageSize, all.count)
            return SuppressionSequence.Page(items: start < end ? Array(all[start..<end]) : [], next: String(end))
        }
    }

    private func sorted(_ kind: Suppression.Kind) -> [Suppression] {
        (entries[kind] ?? [:]).values.sorted { $0.address.mailbox < $1.address.mailbox }
    }
}
