/// Public because `Logger` appears in this file's public API.
public import Logging
/// Public because `AlertSink` and `SendAlert` are this file's public API.
public import Mailroom
import Foundation
import NIOHTTP1

/// Mailgun's send alerts (`/v1/thresholds/alerts/send`) as a `AlertSink`.
///
/// Alerts are validated before any request, so an invalid one is rejected with the field at fault.
/// `update` is a full replace, as Mailgun's PUT is. Names may contain spaces.
public struct MailgunAlertSink: AlertSink {
    /// The client the sink talks through.
    public let client: MailgunClient

    /// Creates a sink.
    ///
    /// - Parameter client: The Mailgun client, e.g. a ``MailgunMailer``'s.
    public init(client: MailgunClient) {
        self.client = client
    }

    static let collection = "/v1/thresholds/alerts/send"

    /// Creates `alert` and returns it as Mailgun stored it.
    public func create(_ alert: SendAlert, logger: Logger) async throws -> SendAlert {
        try alert.validate()
        let response = try await client.execute(.init(method: .POST, target: Self.collection, body: .json(try Self.body(alert))), logger: logger)
        return try Self.alert(from: try response.json())
    }

    /// Every alert.
    public func list(logger: Logger) async throws -> [SendAlert] {
        let json = try await client.execute(.init(method: .GET, target: Self.collection), logger: logger).json()
        guard let items = json["items"] as? [[String: Any]] else {
            throw MailroomError(code: .invalidJSON, message: "Mailgun's alert list has no items")
        }
        return try items.map(Self.alert(from:))
    }

    /// The alert called `name`.
    public func get(named name: String, logger: Logger) async throws -> SendAlert {
        let json = try await client.execute(.init(method: .GET, target: try Self.path(name)), logger: logger).json()
        return try Self.alert(from: json)
    }

    /// Replaces the alert called `name` with `alert`, whole.
    public func update(named name: String, to alert: SendAlert, logger: Logger) async throws {
        try alert.validate()
        _ = try await client.execute(.init(method: .PUT, target: try Self.path(name), body: .json(try Self.body(alert))), logger: logger)
    }

    /// Deletes the alert called `name`.
    public func delete(named name: String, logger: Logger) async throws {
        _ = try await client.execute(.init(method: .DELETE, target: try Self.path(name)), logger: logger)
    }

    /// The triggered alerts (`GET /v1/thresholds/hits`), most recently updated first; values are strings and
    /// dates RFC 3339 (MAILGUN-API-NOTES errata 8).
    public func hits(logger: Logger) async throws -> [SendAlertHit] {
        let json = MailgunJSON(try await client.execute(.init(method: .GET, target: "/v1/thresholds/hits"), logger: logger).json(), what: "Mailgun's alert hit")
        let hits = try json.objects("items").map { item in
            SendAlertHit(
                id: try item.string("id"), name: try item.string("name"), metric: .init(rawValue: try item.string("metric")),
                comparator: .init(rawValue: try item.string("comparator")), limit: try item.string("limit"),
                latestValue: item.optionalString("latest_value") ?? "", dimension: .init(rawValue: item.optionalString("dimension") ?? ""),
                isTriggered: item.bool("triggered") ?? true,
                createdAt: item.optionalString("created_at").flatMap(RFC3339.date),
                updatedAt: item.optionalString("updated_at").flatMap(RFC3339.date),
                expiresAt: item.optionalString("expires_at").flatMap(RFC3339.date).flatMap { $0.timeIntervalSince1970 < 0 ? nil : $0 }
            )
        }
        return hits.sorted { ($0.updatedAt ?? .distantPast) > ($1.updatedAt ?? .distantPast) }
    }

    // MARK: Wire forms

    static func path(_ name: String) throws -> String {
        if name.trimmingCharacters(in: .whitespaces).isEmpty { throw MailroomError.missingField("name", "an alert needs a name") }
        if name.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "\r\n" }) { throw MailroomError.headerInjection(field: "name") }
        return collection + "/" + MailgunPath.encoded(name)
    }

    /// A `SendAlertRequest`: fields left out are cleared by a PUT, as Mailgun replaces whole.
    static func body(_ alert: SendAlert) throws -> [UInt8] {
        var object: [String: Any] = [
            "name": alert.name,
            "metric": alert.metric.rawValue,
            "comparator": alert.comparator.rawValue,
            "limit": alert.limit,
            "dimension": alert.dimension.rawValue,
            "alert_channels": alert.channels.map(\.rawValue),
        ]
        if let period = alert.period { object["period"] = period }
        if let description = alert.description { object["description"] = description }
        if !alert.filters.isEmpty {
            object["filters"] = alert.filters.map { ["dimension": $0.dimension.rawValue, "comparator": $0.comparator.rawValue, "values": $0.values] }
        }
        return Array(try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]))
    }

    /// A `SendAlertItem`; `metric`, `comparator`, `dimension` and `limit` are strings (DESIGN errata).
    static func alert(from json: [String: Any]) throws -> SendAlert {
        func string(_ key: String) throws -> String {
            guard let value = json[key] as? String else {
                throw MailroomError(code: .invalidJSON, field: key, message: "Mailgun's alert has no \(key) string")
            }
            return value
        }
        var alert = SendAlert(
            name: try string("name"),
            metric: .init(rawValue: try string("metric")),
            comparator: .init(rawValue: try string("comparator")),
            limit: try string("limit"),
            dimension: .init(rawValue: try string("dimension")),
            channels: (json["alert_channels"] as? [String] ?? []).map { .init(rawValue: $0) },
            period: json["period"] as? String,
            filters: (json["filters"] as? [[String: Any]] ?? []).map { filter in
                .init(
                    dimension: .init(rawValue: filter["dimension"] as? String ?? ""),
                    comparator: .init(rawValue: filter["comparator"] as? String ?? ""),
                    values: filter["values"] as? [String] ?? []
                )
            },
            description: json["description"] as? String
        )
        alert.id = json["id"] as? String
        alert.createdAt = (json["created_at"] as? String).flatMap(RFC3339.date)
        alert.updatedAt = (json["updated_at"] as? String).flatMap(RFC3339.date)
        alert.lastChecked = (json["last_checked"] as? String).flatMap(RFC3339.date)
        return alert
    }
}
