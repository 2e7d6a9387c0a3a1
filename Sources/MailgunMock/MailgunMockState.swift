import Foundation
import Mailroom

/// Everything the mock remembers: accepted messages, suppression tables per domain, send alerts,
/// and queued faults. An actor, so concurrent requests never lose or duplicate an update.
actor MailgunMockState {
    private let domains: Set<String>
    private let now: @Sendable () -> Date
    private(set) var baseURL = ""
    private(set) var messages: [MockMessage] = []
    private var messageIndex: [String: Int] = [:]
    private var tables: [String: [String: SuppressionRecord]] = [:]
    private var alertTable = AlertTable()
    private var faults: [MockFault] = []
    private var sequence = 0

    init(domains: [String], now: @escaping @Sendable () -> Date) {
        self.domains = Set(domains.map { $0.lowercased() })
        self.now = now
    }

    func setBaseURL(_ url: String) { baseURL = url }

    func knows(domain: String) -> Bool { domains.contains(domain.lowercased()) }

    func currentDate() -> Date { now() }

    func reset() {
        messages = []
        messageIndex = [:]
        tables = [:]
        alertTable = AlertTable()
        faults = []
    }

    // MARK: Faults

    func inject(_ fault: MockFault) {
        guard fault.count > 0 else { return }
        faults.append(fault)
    }

    var pendingFaults: [MockFault] { faults }

    /// Takes one use of the first fault matching the request, if any.
    func takeFault(method: String, path: String) -> MockFault? {
        guard let index = faults.firstIndex(where: { $0.matches(method: method, path: path) }) else { return nil }
        if let skip = faults[index].skip, skip > 0 {
            faults[index].skip = skip - 1
            return nil
        }
        let fault = faults[index]
        faults[index].count -= 1
        if faults[index].count <= 0 { faults.remove(at: index) }
        return fault
    }

    // MARK: Messages

    /// A fresh Message-ID at `domain`, without angle brackets: `20261121194832.7.a1b2c3@acme.test`.
    func nextMessageID(domain: String) -> String {
        sequence += 1
        let stamp = Int(now().timeIntervalSince1970 * 1_000)
        return "\(stamp).\(sequence).\(UUID().uuidString.lowercased().prefix(8))@\(domain)"
    }

    /// Stores a message under a fresh storage key and returns it.
    func store(
        domain: String,
        endpoint: String,
        recipients: [String],
        fields: [[String]],
        files: [MockMessage.File],
        mime: [UInt8],
        id: String
    ) -> MockMessage {
        sequence += 1
        let storageKey = "\(String(sequence, radix: 36))\(UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(20))"
        let message = MockMessage(
            id: id.hasPrefix("<") ? id : "<\(id)>",
            storageKey: storageKey,
            storageURL: "\(baseURL)/v3/domains/\(domain)/messages/\(storageKey)",
            domain: domain,
            endpoint: endpoint,
            recipients: recipients,
            fields: fields,
            files: files,
            mime: mime,
            receivedAt: now()
        )
        messageIndex[storageKey] = messages.count
        messages.append(message)
        return message
    }

    func message(domain: String, storageKey: String) -> MockMessage? {
        guard let index = messageIndex[storageKey], messages[index].domain.lowercased() == domain.lowercased() else { return nil }
        return messages[index]
    }

    // MARK: Suppressions

    /// The table's records sorted by address, the order paging walks.
    func records(domain: String, table: String) -> [SuppressionRecord] {
        (tables[key(domain, table)] ?? [:]).values.sorted { $0.address.lowercased() < $1.address.lowercased() }
    }

    func record(domain: String, table: String, address: String) -> SuppressionRecord? {
        tables[key(domain, table)]?[address.lowercased()]
    }

    /// Adds records; an unsubscribe for an address already listed gains the new tags.
    func add(_ records: [SuppressionRecord], domain: String, table: String) {
        for record in records {
            let address = record.address.lowercased()
            if table == "unsubscribes", var existing = tables[key(domain, table)]?[address] {
                for tag in record.tags where !existing.tags.contains(tag) { existing.tags.append(tag) }
                tables[key(domain, table), default: [:]][address] = existing
            } else {
                tables[key(domain, table), default: [:]][address] = record
            }
        }
    }

    /// Removes an address, or for unsubscribes one tag of it. Returns false when there was nothing to remove.
    func remove(domain: String, table: String, address: String, tag: String?) -> Bool {
        let address = address.lowercased()
        guard var record = tables[key(domain, table)]?[address] else { return false }
        if let tag, table == "unsubscribes" {
            guard let position = record.tags.firstIndex(of: tag) else { return false }
            record.tags.remove(at: position)
            tables[key(domain, table)]?[address] = record.tags.isEmpty ? nil : record
        } else {
            tables[key(domain, table)]?[address] = nil
        }
        return true
    }

    func removeAll(domain: String, table: String) {
        tables[key(domain, table)] = [:]
    }

    private func key(_ domain: String, _ table: String) -> String { "\(domain.lowercased())/\(table)" }

    // MARK: Alerts

    var alerts: [SendAlert] { alertTable.alerts }

    func alert(named name: String) -> SendAlert? { alertTable.alert(named: name) }

    /// Stores a new alert with an id and timestamps; `nil` when the name is taken.
    func create(_ alert: SendAlert) -> SendAlert? { alertTable.create(alert, at: now()) }

    /// Replaces the alert called `name` whole, keeping its id and creation time.
    func replace(named name: String, with alert: SendAlert) -> AlertTable.ReplaceOutcome {
        alertTable.replace(named: name, with: alert, at: now())
    }

    func deleteAlert(named name: String) -> Bool { alertTable.delete(named: name) }
}
