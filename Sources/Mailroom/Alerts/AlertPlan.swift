/// Public because `Logger` appears in this file's public API.
public import Logging

/// What it takes to make a sink's alerts match a list of wanted alerts ("alerts as code"):
/// alerts to create, alerts to replace, and with `prune` the alerts the list does not name.
///
/// Alerts are matched by name and compared by what they mean: the id and timestamps are ignored,
/// channels and filters in any order, limits as numbers (`.05` is `0.05`). Applying a plan and
/// planning again gives an empty plan.
///
/// ```swift
/// let plan = try await AlertPlan.make(wanted: alertsFromFile, sink: sink, prune: true, logger: logger)
/// logger.info("\(plan.summary)")
/// try await plan.apply(to: sink, logger: logger)
/// ```
public struct AlertPlan: Sendable, Hashable {
    /// One step of a plan.
    public enum Change: Sendable, Hashable {
        /// Create this alert.
        case create(SendAlert)
        /// Replace the alert of the same name with this one.
        case update(SendAlert)
        /// Delete the alert with this name.
        case delete(String)
    }

    /// The steps, creates first, then updates, then deletes, each in name order.
    public var changes: [Change]
    /// The names of wanted alerts that already match.
    public var unchanged: [String]

    /// Plans the changes from `current` to `wanted`.
    ///
    /// - Parameters:
    ///   - wanted: The alerts that should exist; names must be unique.
    ///   - current: The alerts that exist.
    ///   - prune: Whether alerts `wanted` does not name are deleted.
    /// - Throws: ``MailroomError`` for an invalid or duplicated wanted alert, naming it by index.
    public init(wanted: [SendAlert], current: [SendAlert], prune: Bool) throws {
        try Self.check(wanted)
        let seen = Set(wanted.map(\.name))
        let existing = Dictionary(current.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        var creates: [Change] = []
        var updates: [Change] = []
        var unchanged: [String] = []
        for alert in wanted.sorted(by: { $0.name < $1.name }) {
            guard let present = existing[alert.name] else {
                creates.append(.create(alert))
                continue
            }
            if Self.sameMeaning(alert, present) { unchanged.append(alert.name) } else { updates.append(.update(alert)) }
        }
        let deletes = prune ? existing.keys.filter { !seen.contains($0) }.sorted().map(Change.delete) : []
        self.changes = creates + updates + deletes
        self.unchanged = unchanged
    }

    /// Reads the sink's alerts and plans against them.
    ///
    /// - Parameters:
    ///   - wanted: The alerts that should exist.
    ///   - sink: Where alerts are kept.
    ///   - prune: Whether alerts `wanted` does not name are deleted.
    ///   - logger: Where to log.
    /// - Returns: The plan.
    /// - Throws: ``MailroomError`` for an invalid wanted alert or a provider failure.
    public static func make(wanted: [SendAlert], sink: some AlertSink, prune: Bool, logger: Logger) async throws -> AlertPlan {
        try check(wanted)  // before the sink is asked anything
        return try AlertPlan(wanted: wanted, current: try await sink.list(logger: logger), prune: prune)
    }

    /// Each wanted alert valid, and no name twice; errors name the alert by its index.
    static func check(_ wanted: [SendAlert]) throws {
        var seen: Set<String> = []
        for (index, alert) in wanted.enumerated() {
            do {
                try alert.validate()
            } catch var error as MailroomError {
                error.field = "alerts[\(index)]" + (error.field.map { ".\($0)" } ?? "")
                throw error
            }
            guard seen.insert(alert.name).inserted else {
                throw MailroomError.invalidValue(field: "alerts[\(index)].name", "'\(alert.name)' is named twice")
            }
        }
    }

    /// Whether there is nothing to do.
    public var isEmpty: Bool { changes.isEmpty }

    /// One line per change (`+ create`, `~ update`, `- delete`), then the count of unchanged alerts.
    public var summary: String {
        var lines = changes.map { change in
            switch change {
            case .create(let alert): "+ create \(alert.name)"
            case .update(let alert): "~ update \(alert.name)"
            case .delete(let name): "- delete \(name)"
            }
        }
        lines.append("\(changes.count) change\(changes.count == 1 ? "" : "s"), \(unchanged.count) unchanged")
        return lines.joined(separator: "\n")
    }

    /// Carries the plan out in order; on a failure the changes before it stay applied and planning
    /// again picks up from there.
    ///
    /// - Parameters:
    ///   - sink: Where alerts are kept.
    ///   - logger: Where to log.
    /// - Throws: The sink's error.
    public func apply(to sink: some AlertSink, logger: Logger) async throws {
        for change in changes {
            switch change {
            case .create(let alert): _ = try await sink.create(alert, logger: logger)
            case .update(let alert): try await sink.update(named: alert.name, to: alert, logger: logger)
            case .delete(let name): try await sink.delete(named: name, logger: logger)
            }
        }
    }

    /// Equal but for ids and timestamps, the order of channels and filters, and how the limit is written.
    static func sameMeaning(_ a: SendAlert, _ b: SendAlert) -> Bool {
        func filters(_ alert: SendAlert) -> [String] {
            alert.filters.map { "\($0.dimension.rawValue) \($0.comparator.rawValue) \($0.values.sorted())" }.sorted()
        }
        func limit(_ text: String) -> String { Double(text).map { String($0) } ?? text }
        func empty(_ text: String?) -> String? { text?.isEmpty == true ? nil : text }
        return a.name == b.name && a.metric == b.metric && a.comparator == b.comparator && limit(a.limit) == limit(b.limit)
            && a.dimension == b.dimension && Set(a.channels) == Set(b.channels) && empty(a.period) == empty(b.period)
            && empty(a.description) == empty(b.description) && filters(a) == filters(b)
    }
}
