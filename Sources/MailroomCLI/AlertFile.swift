import Foundation
import Mailroom
import Yams

/// Send alerts as code: a JSON or YAML file listing the alerts that should exist, read for
/// `mailroom alerts apply`.
///
/// ```yaml
/// alerts:
///   - name: hard bounce rate
///     metric: hard_bounce_rate
///     comparator: ">"
///     limit: 0.05
///     dimension: domain
///     alert_channels: [email]
///     period: 1h
///     filters:
///       - {dimension: domain, comparator: not contains, values: [staging.acme.test]}
/// ```
///
/// The top level is that mapping or the list alone. Field names are the API's (`channels` is taken
/// for `alert_channels`); an unknown field is an error naming it, so a typo cannot go unnoticed.
enum AlertFile {
    static let alertFields: Set<String> = ["name", "metric", "comparator", "limit", "dimension", "alert_channels", "channels", "period", "filters", "description"]
    static let filterFields: Set<String> = ["dimension", "comparator", "values"]

    /// The alerts in the file at `path`: JSON when it ends in `.json`, YAML otherwise.
    static func read(_ path: String) throws -> [SendAlert] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw MailroomError.invalidValue(field: "file", "cannot read '\(path)'")
        }
        guard let text = String(data: data, encoding: .utf8) else { throw MailroomError.invalidValue(field: "file", "'\(path)' is not UTF-8 text") }
        return try alerts(in: try document(text, json: path.lowercased().hasSuffix(".json")))
    }

    static func document(_ text: String, json: Bool) throws -> Any {
        if json {
            do {
                return try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
            } catch {
                throw MailroomError(code: .invalidJSON, field: "file", message: "is not valid JSON: \((error as NSError).localizedDescription)")
            }
        }
        do {
            return try Yams.load(yaml: text) ?? NSNull()
        } catch let error as YamlError {
            throw MailroomError(code: .invalidValue, field: "file", message: "is not valid YAML: \(Self.problem(error))")
        }
    }

    /// Yams' message without the echo of the document it appends.
    static func problem(_ error: YamlError) -> String {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
            return "\(problem) at line \(mark.line), column \(mark.column)"
        case .duplicatedKeysInMapping(let duplicates, _):
            return "duplicated keys \(duplicates.joined(separator: ", "))"
        default:
            return String("\(error)".prefix(200))
        }
    }

    static func alerts(in document: Any) throws -> [SendAlert] {
        let list: [Any]
        if let items = document as? [Any] {
            list = items
        } else if let mapping = document as? [String: Any], let items = mapping["alerts"] as? [Any] {
            let unknown = mapping.keys.filter { $0 != "alerts" }.sorted()
            if let first = unknown.first { throw MailroomError.invalidValue(field: first, "is not a field of an alerts file (only alerts)") }
            list = items
        } else {
            throw MailroomError.invalidValue(field: "alerts", "expected a list of alerts, or a mapping with an alerts list")
        }
        return try list.enumerated().map { index, item in try alert(item, field: "alerts[\(index)]") }
    }

    static func alert(_ item: Any, field: String) throws -> SendAlert {
        guard let object = item as? [String: Any] else { throw MailroomError.invalidValue(field: field, "expected a mapping of the alert's fields") }
        if let unknown = object.keys.filter({ !alertFields.contains($0) }).sorted().first {
            throw MailroomError.invalidValue(field: "\(field).\(unknown)", "is not a field of a send alert")
        }
        func string(_ key: String, required: Bool = true) throws -> String? {
            switch object[key] {
            case nil, is NSNull:
                if required { throw MailroomError.missingField("\(field).\(key)", "is required") }
                return nil
            case let text as String: return text
            case let number as Int: return String(number)
            case let number as Double: return String(number)
            default: throw MailroomError.invalidValue(field: "\(field).\(key)", "expected text")
            }
        }
        func strings(_ value: Any?, _ name: String) throws -> [String] {
            guard let value, !(value is NSNull) else { return [] }
            guard let items = value as? [Any] else { throw MailroomError.invalidValue(field: name, "expected a list") }
            return try items.enumerated().map { index, item in
                guard let text = item as? String else { throw MailroomError.invalidValue(field: "\(name)[\(index)]", "expected text") }
                return text
            }
        }
        if object["alert_channels"] != nil, object["channels"] != nil {
            throw MailroomError.invalidValue(field: "\(field).channels", "give alert_channels or channels, not both")
        }
        let channelsKey = object["alert_channels"] != nil ? "alert_channels" : "channels"
        let filters = try (object["filters"].map { value -> [Any] in
            guard let list = value as? [Any] else { throw MailroomError.invalidValue(field: "\(field).filters", "expected a list") }
            return list
        } ?? []).enumerated().map { index, value in try filter(value, field: "\(field).filters[\(index)]") }
        return SendAlert(
            name: try string("name") ?? "",
            metric: .init(rawValue: try string("metric") ?? ""),
            comparator: .init(rawValue: try string("comparator") ?? ""),
            limit: try string("limit") ?? "",
            dimension: .init(rawValue: try string("dimension") ?? ""),
            channels: try strings(object[channelsKey], "\(field).\(channelsKey)").map { .init(rawValue: $0) },
            period: try string("period", required: false),
            filters: filters,
            description: try string("description", required: false)
        )
    }

    static func filter(_ item: Any, field: String) throws -> SendAlert.Filter {
        guard let object = item as? [String: Any] else { throw MailroomError.invalidValue(field: field, "expected a mapping of dimension, comparator, values") }
        if let unknown = object.keys.filter({ !filterFields.contains($0) }).sorted().first {
            throw MailroomError.invalidValue(field: "\(field).\(unknown)", "is not a field of a filter")
        }
        guard let dimension = object["dimension"] as? String else { throw MailroomError.missingField("\(field).dimension", "is required") }
        guard let comparator = object["comparator"] as? String else { throw MailroomError.missingField("\(field).comparator", "is required") }
        guard let values = object["values"] as? [Any], !values.isEmpty else { throw MailroomError.missingField("\(field).values", "a non-empty list is required") }
        return SendAlert.Filter(dimension: .init(rawValue: dimension), comparator: .init(rawValue: comparator), values: try values.enumerated().map { index, value in
            guard let text = value as? String else { throw MailroomError.invalidValue(field: "\(field).values[\(index)]", "expected text") }
            return text
        })
    }
}
