import Foundation

/// Rows printed as aligned columns for a terminal: a header, then one line per row, columns
/// separated by two spaces. Written here rather than taken from a table library: a dozen lines
/// serve every command, and the output stays plain text that `grep` and `cut` read.
struct CommandTable {
    var header: [String]
    var rows: [[String]] = []

    init(_ header: String...) {
        self.header = header
    }

    mutating func add(_ cells: String...) {
        rows.append(cells)
    }

    /// The lines, each cell padded to its column's width, without trailing spaces.
    var lines: [String] {
        let all = [header] + rows
        let widths = header.indices.map { column in all.map { $0.indices.contains(column) ? $0[column].count : 0 }.max() ?? 0 }
        return all.map { row in
            row.enumerated().map { column, cell in cell.padding(toLength: widths[column], withPad: " ", startingAt: 0) }.joined(separator: "  ").trimmingSuffix()
        }
    }

    /// Prints the table on stdout, or `empty` when there are no rows.
    func print(empty: String) {
        if rows.isEmpty { CommandOutput.say(empty) } else { lines.forEach(CommandOutput.say) }
    }
}

extension String {
    /// The text without the spaces at its end (an empty last cell leaves them).
    fileprivate func trimmingSuffix() -> String {
        String(reversed().drop { $0 == " " }.reversed())
    }
}
