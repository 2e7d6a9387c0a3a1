import Foundation

/// One line of `mailroom doctor`: what was checked, how it went, and what to do about a failure.
struct DoctorCheck {
    enum Status: String {
        case pass, fail, skip

        var symbol: String {
            switch self {
            case .pass: "✓"
            case .fail: "✗"
            case .skip: "–"
            }
        }
    }

    var name: String
    var status: Status
    var detail: String
    var fix: String?
    /// Extra lines under the check, e.g. the DNS records still to publish.
    var table: CommandTable?

    static func pass(_ name: String, _ detail: String) -> DoctorCheck {
        DoctorCheck(name: name, status: .pass, detail: detail)
    }

    static func fail(_ name: String, _ detail: String, fix: String, table: CommandTable? = nil) -> DoctorCheck {
        DoctorCheck(name: name, status: .fail, detail: detail, fix: fix, table: table)
    }

    static func skip(_ name: String, _ detail: String) -> DoctorCheck {
        DoctorCheck(name: name, status: .skip, detail: detail)
    }

    /// `✓ name: detail`, then for a failure the table and `  → fix`.
    var lines: [String] {
        var lines = ["\(status.symbol) \(name): \(detail)"]
        if let table { lines += table.lines.map { "    " + $0 } }
        if let fix { lines.append("  → \(fix)") }
        return lines
    }

    var json: [String: Any] {
        var object: [String: Any] = ["name": name, "status": status.rawValue, "detail": detail]
        if let fix { object["fix"] = fix }
        if let table {
            object["rows"] = table.rows.map { row in
                Dictionary(uniqueKeysWithValues: zip(table.header.map { $0.lowercased() }, row))
            }
        }
        return object
    }
}
