import Foundation
import Hummingbird
import NIOCore

extension MailgunMockResponder {
    /// The inspection and control API under `/mock` (no credentials; the mock listens on loopback):
    /// `GET /mock/messages`, `POST /mock/reset`, `GET /mock/faults`, `POST /mock/faults`,
    /// `GET /mock/requests`, `GET`/`PUT /mock/webhooks`, `GET /mock/webhooks/deliveries`,
    /// `POST /mock/outcomes`.
    func admin(method: String, segments: [String], request: Request) async throws -> Response {
        switch (method, segments) {
        case ("GET", ["messages"]):
            let messages = await state.messages
            return MockResponse.json(["items": messages.map(Self.summary), "total": messages.count])
        case ("POST", ["reset"]):
            await state.reset()
            return MockResponse.message("reset")
        case ("GET", ["faults"]):
            let faults = await state.pendingFaults
            let data = try JSONEncoder().encode(faults)
            return MockResponse.json(try JSONSerialization.jsonObject(with: data))
        case ("POST", ["faults"]):
            let body = try await request.body.collect(upTo: 64 * 1_024)
            do {
                let fault = try JSONDecoder().decode(MockFault.self, from: Data(body.readableBytesView))
                guard fault.count > 0 else { return MockResponse.message("count must be at least 1", status: .badRequest) }
                await state.inject(fault)
                return MockResponse.message("fault queued")
            } catch {
                return MockResponse.message("not a fault: \(error)", status: .badRequest)
            }
        case ("GET", ["requests"]):
            let requests = await state.requests
            return try Self.encoded(["items": requests])
        case ("GET", ["webhooks"]):
            return try Self.encoded(await state.webhookSettings)
        case ("PUT", ["webhooks"]):
            let body = try await request.body.collect(upTo: 64 * 1_024)
            do {
                await state.setWebhooks(try JSONDecoder().decode(MockWebhookSettings.self, from: Data(body.readableBytesView)))
                return MockResponse.message("webhooks set")
            } catch {
                return MockResponse.message("not webhook settings: \(error)", status: .badRequest)
            }
        case ("GET", ["webhooks", "deliveries"]):
            let deliveries = await state.deliveries
            return try Self.encoded(["items": deliveries])
        case ("POST", ["outcomes"]):
            let body = try await request.body.collect(upTo: 64 * 1_024)
            struct Script: Decodable {
                var recipient: String
                var outcome: MockOutcome
            }
            do {
                let script = try JSONDecoder().decode(Script.self, from: Data(body.readableBytesView))
                await state.script(script.outcome, for: script.recipient)
                return MockResponse.message("outcome scripted")
            } catch {
                return MockResponse.message("not an outcome: \(error)", status: .badRequest)
            }
        default:
            return MockResponse.message("Not Found", status: .notFound)
        }
    }

    private static func encoded(_ value: some Encodable) throws -> Response {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(value))))
    }

    private static func summary(_ message: MockMessage) -> [String: Any] {
        [
            "id": message.id,
            "storage-key": message.storageKey,
            "storage-url": message.storageURL,
            "domain": message.domain,
            "endpoint": message.endpoint,
            "recipients": message.recipients,
            "fields": message.fields,
            "files": message.files.map { ["field": $0.field, "filename": $0.filename, "content-type": $0.contentType, "size": $0.content.count] },
            "mime-size": message.mime.count,
            "received-at": MockDates.rfc3339(message.receivedAt),
        ]
    }
}
