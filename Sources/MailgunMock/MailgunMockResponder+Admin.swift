import Foundation
import Hummingbird
import Mailroom
import NIOCore

extension MailgunMockResponder {
    /// The inspection and control API under `/mock` (no credentials; the mock listens on loopback):
    /// `GET /mock/messages`, `POST /mock/reset`, `GET /mock/faults`, `POST /mock/faults`,
    /// `GET /mock/requests`, `GET`/`PUT /mock/webhooks`, `GET /mock/webhooks/deliveries`,
    /// `POST /mock/outcomes`, `PUT /mock/domains/{name}/dns`, `POST /mock/alerts/hits`.
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
        case ("PUT", let s) where s.count == 3 && s[0] == "domains" && s[2] == "dns":
            // {"published": true, "type": "TXT"}: what the domain's DNS really holds.
            struct Script: Decodable {
                var published: Bool
                var type: String?
            }
            let body = try await request.body.collect(upTo: 64 * 1_024)
            guard let script = try? JSONDecoder().decode(Script.self, from: Data(body.readableBytesView)) else {
                return MockResponse.message("expected {\"published\": true|false, \"type\": \"TXT|CNAME|MX\"}", status: .badRequest)
            }
            let found = await state.updateDomain(named: s[1]) { domain in
                for index in domain.sending.indices where script.type == nil || domain.sending[index].type == script.type { domain.sending[index].published = script.published }
                for index in domain.receiving.indices where script.type == nil || domain.receiving[index].type == script.type { domain.receiving[index].published = script.published }
            }
            return found == nil ? Self.domainNotFound : MockResponse.message("dns scripted")
        case ("POST", ["alerts", "hits"]):
            // {"name", "metric", "comparator", "limit", "latest_value", "dimension"}: a send alert that fired.
            let body = try await request.body.collect(upTo: 64 * 1_024)
            guard let object = try? JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any],
                let name = object["name"] as? String, let metric = object["metric"] as? String, let comparator = object["comparator"] as? String,
                let limit = object["limit"] as? String, let value = object["latest_value"] as? String
            else {
                return MockResponse.message("expected {\"name\", \"metric\", \"comparator\", \"limit\", \"latest_value\", \"dimension\"} as strings", status: .badRequest)
            }
            let now = await state.currentDate()
            await state.recordHit(SendAlertHit(
                id: UUID().uuidString.lowercased(), name: name, metric: .init(rawValue: metric), comparator: .init(rawValue: comparator), limit: limit,
                latestValue: value, dimension: .init(rawValue: object["dimension"] as? String ?? "domain"), createdAt: now, updatedAt: now
            ))
            return MockResponse.message("hit recorded")
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
