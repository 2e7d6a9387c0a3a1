import Foundation
import Mailroom

/// Reads suppression files: a JSON array in Mailgun's batch shape, or CSV with a header row.
enum SuppressionImport {
    static func entries(from data: Data, kind: Suppression.Kind, isCSV: Bool) throws -> [Suppression] {
        let rows = isCSV ? try csvRows(data) : try jsonRows(data)
        return try rows.enumerated().map { index, row in
            let field = "file[\(index)]"
            guard let address = row["address"], !address.isEmpty else { throw MailroomError.missingField("\(field).address", "every entry needs an address") }
            var createdAt: Date?
            if let text = row["created_at"], !text.isEmpty {
                createdAt = try CommandDate.parse(text, field: "\(field).created_at")
            }
            let tags = (row["tags"] ?? row["tag"] ?? "").split(whereSeparator: { $0 == ";" || $0 == "," || $0 == " " }).map(String.init)
            return Suppression(
                kind: kind,
                address: try EmailAddress(address, field: "\(field).address"),
                tags: kind == .unsubscribe ? (tags.isEmpty ? [Suppression.allTags] : tags) : [],
                code: kind == .bounce ? (row["code"].flatMap { $0.isEmpty ? nil : $0 } ?? "550") : nil,
                error: kind == .bounce ? (row["error"] ?? "") : nil,
                createdAt: createdAt
            )
        }
    }

    private static func jsonRows(_ data: Data) throws -> [[String: String]] {
        guard let array = try? JSONSerialization.jsonObject(with: data) as? [[String: Any]] else {
            throw MailroomError(code: .invalidJSON, field: "file", message: "expected a JSON array of objects with an address")
        }
        return array.map { object in
            object.compactMapValues { value in
                if let string = value as? String { return string }
                if let strings = value as? [String] { return strings.joined(separator: ";") }
                if let number = value as? NSNumber { return number.stringValue }
                return nil
            }
        }
    }

    /// RFC 4180 CSV: quoted fields with doubled quotes, CRLF or LF rows; the first row names the columns.
    private static func csvRows(_ data: Data) throws -> [[String: String]] {
        guard let text = String(data: data, encoding: .utf8) else { throw MailroomError.invalidValue(field: "file", "the CSV is not UTF-8") }
        var records: [[String]] = []
        var record: [String] = []
        var field = ""
        var quoted = false
        var iterator = Array(text).makeIterator()
        var pending: Character? = iterator.next()
        while let character = pending {
            pending = iterator.next()
            if quoted {
                if character == "\"" {
                    if pending == "\"" { field.append("\""); pending = iterator.next() } else { quoted = false }
                } else {
                    field.append(character)
                }
            } else if character == "\"" {
                quoted = true
            } else if character == "," {
                record.append(field)
                field = ""
            } else if character == "\n" || character == "\r\n" || character == "\r" {
                record.append(field)
                field = ""
                if record != [""] { records.append(record) }
                record = []
            } else {
                field.append(character)
            }
        }
        if quoted { throw MailroomError.invalidValue(field: "file", "a quoted CSV field is not closed") }
        if !field.isEmpty || !record.isEmpty { record.append(field); records.append(record) }
        guard let header = records.first?.map({ $0.trimmingCharacters(in: .whitespaces).lowercased() }), header.contains("address") else {
            throw MailroomError.invalidValue(field: "file", "the CSV's first row must name its columns, including address")
        }
        return records.dropFirst().map { values in
            Dictionary(zip(header, values.map { $0.trimmingCharacters(in: .whitespaces) }), uniquingKeysWith: { first, _ in first })
        }
    }
}
