import Foundation
import Hummingbird
import Mailroom
import NIOCore

extension MailgunMockResponder {
    /// `/v1/thresholds/alerts/send[/{name}]`: list, create, get, replace, delete.
    func alerts(method: String, name: String?, body: ByteBuffer) async -> Response {
        switch (method, name) {
        case ("GET", nil):
            let alerts = await state.alerts
            return MockResponse.json(["items": alerts.map(Self.json), "total": alerts.count])
        case ("POST", nil):
            let alert: SendAlert
            switch Self.decodeAlert(body) {
            case .success(let decoded): alert = decoded
            case .failure(let error): return error.response
            }
            guard let created = await state.create(alert) else {
                return MockResponse.message("an alert named '\(alert.name)' already exists", status: .conflict)
            }
            return MockResponse.json(Self.json(created))
        case ("GET", let name?):
            guard let alert = await state.alert(named: name) else { return MockResponse.message("alert not found", status: .notFound) }
            return MockResponse.json(Self.json(alert))
        case ("PUT", let name?):
            let alert: SendAlert
            switch Self.decodeAlert(body) {
            case .success(let decoded): alert = decoded
            case .failure(let error): return error.response
            }
            switch await state.replace(named: name, with: alert) {
            case .replaced: return MockResponse.message("alert updated")
            case .notFound: return MockResponse.message("alert not found", status: .notFound)
            case .nameTaken: return MockResponse.message("an alert named '\(alert.name)' already exists", status: .conflict)
            }
        case ("DELETE", let name?):
            guard await state.deleteAlert(named: name) else { return MockResponse.message("alert not found", status: .notFound) }
            return MockResponse.message("alert deleted")
        default:
            return MockResponse.message("Method Not Allowed", status: .methodNotAllowed)
        }
    }

    /// `GET /v1/thresholds/hits`: the hits scripted with `POST /mock/alerts/hits`, values as strings.
    func alertHits() async -> Response {
        let hits = await state.alertHits
        let items: [[String: Any]] = hits.map { hit in
            [
                "id": hit.id, "name": hit.name, "metric": hit.metric.rawValue, "comparator": hit.comparator.rawValue, "limit": hit.limit,
                "latest_value": hit.latestValue, "dimension": hit.dimension.rawValue, "triggered": hit.isTriggered,
                "created_at": MockDates.rfc3339(hit.createdAt ?? Date(timeIntervalSince1970: 0)),
                "updated_at": MockDates.rfc3339(hit.updatedAt ?? hit.createdAt ?? Date(timeIntervalSince1970: 0)),
                "expires_at": hit.expiresAt.map(MockDates.rfc3339) ?? "0001-01-01T00:00:00Z",
                "parent_account_id": "mailgun-mock", "subaccount_id": "mailgun-mock",
            ]
        }
        return MockResponse.json(["items": items, "total": items.count])
    }

    /// Reads a `SendAlertRequest`, requiring its fields and checking the vocabulary with the core's validation.
    private static func decodeAlert(_ body: ByteBuffer) -> Result<SendAlert, ResponseError> {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any] else {
            return .failure(ResponseError(MockResponse.message("the body must be a JSON object", status: .badRequest)))
        }
        for field in ["name", "metric", "comparator", "limit", "dimension"] where !(object[field] is String) {
            let message = object[field] == nil ? "\(field) is required" : "\(field) must be a string"
            return .failure(ResponseError(MockResponse.message(message, status: .badRequest)))
        }
        var alert = SendAlert(
            name: object["name"] as? String ?? "",
            metric: .init(rawValue: object["metric"] as? String ?? ""),
            comparator: .init(rawValue: object["comparator"] as? String ?? ""),
            limit: object["limit"] as? String ?? "",
            dimension: .init(rawValue: object["dimension"] as? String ?? ""),
            channels: (object["alert_channels"] as? [String] ?? []).map { .init(rawValue: $0) },
            period: object["period"] as? String,
            description: object["description"] as? String
        )
        for filter in object["filters"] as? [[String: Any]] ?? [] {
            alert.filters.append(.init(
                dimension: .init(rawValue: filter["dimension"] as? String ?? ""),
                comparator: .init(rawValue: filter["comparator"] as? String ?? ""),
                values: filter["values"] as? [String] ?? []
            ))
        }
        do {
            try alert.validate()
        } catch {
            return .failure(ResponseError(MockResponse.message("\(error)", status: .badRequest)))
        }
        return .success(alert)
    }

    /// A `SendAlertItem`: timestamps in RFC 3339 with six fractional digits.
    private static func json(_ alert: SendAlert) -> [String: Any] {
        var object: [String: Any] = [
            "id": alert.id ?? "",
            "parent_account_id": "mailgun-mock",
            "subaccount_id": "mailgun-mock",
            "name": alert.name,
            "metric": alert.metric.rawValue,
            "comparator": alert.comparator.rawValue,
            "limit": alert.limit,
            "dimension": alert.dimension.rawValue,
            "alert_channels": alert.channels.map(\.rawValue),
        ]
        if let date = alert.createdAt { object["created_at"] = MockDates.rfc3339(date) }
        if let date = alert.updatedAt { object["updated_at"] = MockDates.rfc3339(date) }
        if let date = alert.lastChecked { object["last_checked"] = MockDates.rfc3339(date) }
        if let period = alert.period { object["period"] = period }
        if let description = alert.description { object["description"] = description }
        if !alert.filters.isEmpty {
            object["filters"] = alert.filters.map { ["dimension": $0.dimension.rawValue, "comparator": $0.comparator.rawValue, "values": $0.values] }
        }
        return object
    }
}
