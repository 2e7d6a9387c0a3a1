import Foundation
import Mailroom

/// Everything the mock remembers: accepted messages, suppression tables per domain, send alerts,
/// and queued faults. An actor, so concurrent requests never lose or duplicate an update.
actor MailgunMockState {
    private let seedDomains: [String]
    private var domainTable: [String: MockDomain] = [:]
    private var domainWebhooks: [String: [String: [String]]] = [:]
    private(set) var accountWebhooks: [MockAccountWebhook] = []
    private(set) var alertHits: [SendAlertHit] = []
    private let now: @Sendable () -> Date
    private(set) var baseURL = ""
    private(set) var messages: [MockMessage] = []
    private var messageIndex: [String: Int] = [:]
    private var tables: [String: [String: SuppressionRecord]] = [:]
    private var alertTable = AlertTable()
    private var faults: [MockFault] = []
    private var sequence = 0
    private(set) var requests: [MockRequest] = []
    private(set) var webhookSettings: MockWebhookSettings
    private var outcomes: [String: MockOutcome] = [:]
    private(set) var deliveries: [MockWebhookDelivery] = []
    private(set) var finishedDeliveries = 0
    private var deliveryWaiters: [UUID: (count: Int, continuation: CheckedContinuation<Bool, Never>)] = [:]

    init(domains: [String], webhooks: MockWebhookSettings, now: @escaping @Sendable () -> Date) {
        self.seedDomains = domains
        self.webhookSettings = webhooks
        self.now = now
        self.domainTable = Self.seeded(domains, at: now())
    }

    /// The domains the mock starts with: active, every record valid.
    private static func seeded(_ names: [String], at date: Date) -> [String: MockDomain] {
        Dictionary(names.enumerated().map { index, name in
            (name.lowercased(), MockDomain(name: name.lowercased(), id: String(format: "%024x", index + 1), createdAt: date, verified: true))
        }, uniquingKeysWith: { first, _ in first })
    }

    func setBaseURL(_ url: String) { baseURL = url }

    func knows(domain: String) -> Bool { domainTable[domain.lowercased()] != nil }

    func currentDate() -> Date { now() }

    func reset() {
        messages = []
        messageIndex = [:]
        tables = [:]
        alertTable = AlertTable()
        alertHits = []
        domainTable = Self.seeded(seedDomains, at: now())
        domainWebhooks = [:]
        accountWebhooks = []
        faults = []
        requests = []
        outcomes = [:]
        deliveries = []
        finishedDeliveries = 0
        resumeDeliveryWaiters(all: true)
    }

    // MARK: Request log

    func log(_ request: MockRequest) { requests.append(request) }

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

    func recordHit(_ hit: SendAlertHit) { alertHits.append(hit) }

    // MARK: Domains

    /// Every domain, by name.
    var domains: [MockDomain] { domainTable.values.sorted { $0.name < $1.name } }

    func domain(named name: String) -> MockDomain? { domainTable[name.lowercased()] }

    /// Adds an unverified domain; `nil` when the name is taken.
    func createDomain(named name: String, settings: [String: String]) -> MockDomain? {
        let key = name.lowercased()
        guard domainTable[key] == nil else { return nil }
        sequence += 1
        let domain = MockDomain(name: key, id: String(format: "%024x", 0x1000 + sequence), createdAt: now(), settings: settings, verified: false)
        domainTable[key] = domain
        return domain
    }

    /// Applies `change` to the domain called `name`; `nil` when there is none.
    func updateDomain(named name: String, _ change: (inout MockDomain) -> Void) -> MockDomain? {
        guard var domain = domainTable[name.lowercased()] else { return nil }
        change(&domain)
        domainTable[name.lowercased()] = domain
        return domain
    }

    func deleteDomain(named name: String) -> Bool {
        domainWebhooks[name.lowercased()] = nil
        return domainTable.removeValue(forKey: name.lowercased()) != nil
    }

    // MARK: Webhook management

    func webhooks(domain: String) -> [String: [String]] { domainWebhooks[domain.lowercased()] ?? [:] }

    func setWebhooks(domain: String, _ webhooks: [String: [String]]) {
        domainWebhooks[domain.lowercased()] = webhooks.filter { !$0.value.isEmpty }
    }

    func addAccountWebhook(url: String, eventTypes: [String], description: String?) -> MockAccountWebhook {
        sequence += 1
        let webhook = MockAccountWebhook(id: String(format: "%020x", 0xA000 + sequence), url: url, eventTypes: eventTypes, description: description, createdAt: now())
        accountWebhooks.append(webhook)
        return webhook
    }

    func replaceAccountWebhook(id: String, url: String, eventTypes: [String], description: String?) -> Bool {
        guard let index = accountWebhooks.firstIndex(where: { $0.id == id }) else { return false }
        accountWebhooks[index].url = url
        accountWebhooks[index].eventTypes = eventTypes
        accountWebhooks[index].description = description
        return true
    }

    /// Removes the webhooks with these ids (all when `ids` is nil); returns how many went.
    func removeAccountWebhooks(ids: Set<String>?) -> Int {
        let before = accountWebhooks.count
        accountWebhooks.removeAll { ids?.contains($0.id) ?? true }
        return before - accountWebhooks.count
    }

    /// A new HTTP signing key; later events are signed with it.
    func rotateSigningKey() -> String {
        let key = "key-" + (0..<32).map { _ in String(UInt8.random(in: 0...15), radix: 16) }.joined()
        webhookSettings.signingKey = key
        return key
    }

    /// The URLs an event reaches: the configured settings', the domain's webhooks and the account webhooks for it.
    private func urls(for webhook: String, domain: String) -> [String] {
        var urls = webhookSettings.urls[webhook] ?? []
        for url in (domainWebhooks[domain.lowercased()]?[webhook] ?? []) + accountWebhooks.filter({ $0.eventTypes.contains(webhook) }).map(\.url)
        where !urls.contains(url) {
            urls.append(url)
        }
        return urls
    }

    // MARK: Webhooks

    func setWebhooks(_ settings: MockWebhookSettings) { webhookSettings = settings }

    func script(_ outcome: MockOutcome, for recipient: String) { outcomes[recipient.lowercased()] = outcome }

    /// The events `message` causes, as one job for the dispatcher, after applying each recipient's
    /// outcome to the suppression tables; `nil` when no webhook is configured.
    func webhookJob(for message: MockMessage) -> WebhookDispatcher.Job? {
        let factory = MockEventFactory(message: message, now: now())
        var deliveries: [WebhookDispatcher.Job.Delivery] = []
        for recipient in message.recipients {
            let table = suppressingTable(domain: message.domain, address: recipient, tags: factory.tags)
            let outcome = table == nil ? outcomes[recipient.lowercased()] ?? .delivered : .delivered
            if table == nil { apply(outcome, to: recipient, domain: message.domain, tags: factory.tags, at: factory.now) }
            guard let key = webhookSettings.signingKey else { continue }
            for event in factory.events(for: recipient, outcome: outcome, suppressedBy: table) {
                for url in urls(for: event.webhook, domain: message.domain) {
                    let record = MockWebhookDelivery(
                        webhook: event.webhook, event: event.kind, recipient: recipient, messageID: message.id, url: url,
                        body: WebhookDispatcher.signedBody(event.data, key: key, at: now()), attempts: []
                    )
                    // Mailgun never retries delivered notifications.
                    deliveries.append(.init(record: record, retryable: event.webhook != "delivered"))
                }
            }
        }
        guard !deliveries.isEmpty else { return nil }
        return WebhookDispatcher.Job(deliveries: deliveries, retryDelays: webhookSettings.retryDelays)
    }

    /// The table that already stops mail to `address`, as Mailgun checks before delivering.
    private func suppressingTable(domain: String, address: String, tags: [String]) -> String? {
        if record(domain: domain, table: "bounces", address: address) != nil { return "bounces" }
        if record(domain: domain, table: "complaints", address: address) != nil { return "complaints" }
        if let unsubscribe = record(domain: domain, table: "unsubscribes", address: address),
            unsubscribe.tags.contains("*") || unsubscribe.tags.contains(where: tags.contains)
        {
            return "unsubscribes"
        }
        return nil
    }

    private func apply(_ outcome: MockOutcome, to address: String, domain: String, tags: [String], at date: Date) {
        let entry = SuppressionRecord(address: address, tags: tags.isEmpty ? ["*"] : tags, code: "550",
                                      error: "5.1.1 The email account that you tried to reach does not exist", createdAt: date)
        switch outcome {
        case .bounce: add([entry], domain: domain, table: "bounces")
        case .complain: add([entry], domain: domain, table: "complaints")
        case .unsubscribe: add([entry], domain: domain, table: "unsubscribes")
        default: break
        }
    }

    func beginDelivery(_ delivery: MockWebhookDelivery) -> Int {
        deliveries.append(delivery)
        return deliveries.count - 1
    }

    func updateDelivery(_ slot: Int, _ delivery: MockWebhookDelivery) {
        guard deliveries.indices.contains(slot) else { return }
        deliveries[slot] = delivery
    }

    func finishDelivery(_ slot: Int) {
        finishedDeliveries += 1
        resumeDeliveryWaiters()
    }

    /// Suspends until `count` deliveries have finished (answered or out of retries), the
    /// timeout passes or the caller is cancelled, whichever comes first.
    ///
    /// - Returns: Whether `count` was reached (or the state was reset).
    func waitForFinishedDeliveries(_ count: Int, timeout: Duration) async -> Bool {
        guard finishedDeliveries < count else { return true }
        let id = UUID()
        // The continuation is resumed exactly once: by a finished delivery, a reset, or expiry.
        let timer = Task { [weak self] in
            try? await Task.sleep(for: timeout)
            await self?.expireDeliveryWaiter(id)
        }
        defer { timer.cancel() }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { deliveryWaiters[id] = (count, $0) }
        } onCancel: {
            Task { await self.expireDeliveryWaiter(id) }
        }
    }

    private func expireDeliveryWaiter(_ id: UUID) {
        deliveryWaiters.removeValue(forKey: id)?.continuation.resume(returning: false)
    }

    /// Resumes the waiters whose count is reached, or all of them after a reset.
    private func resumeDeliveryWaiters(all: Bool = false) {
        let ready = deliveryWaiters.filter { all || $0.value.count <= finishedDeliveries }
        for (id, waiter) in ready {
            deliveryWaiters.removeValue(forKey: id)
            waiter.continuation.resume(returning: true)
        }
    }
}
