import Metrics
import NIOHTTP1

/// The client's request metrics: `mailroom_mailgun_requests_total` by method and status and
/// `mailroom_mailgun_request_duration_seconds` by method.
///
/// The handles of the common case (each method's timer, each method's `200` counter) are made once
/// per client: a metrics backend looks a handle up by label and dimensions under a lock, which is
/// work no send should repeat. Other statuses, rare by nature, get a handle when they happen.
struct MailgunRequestMetrics: Sendable {
    static let requestsLabel = "mailroom_mailgun_requests_total"
    static let durationLabel = "mailroom_mailgun_request_duration_seconds"

    private let factory: any MetricsFactory
    private let timers: [String: Timer]
    private let succeeded: [String: Counter]

    init(factory: any MetricsFactory) {
        self.factory = factory
        let methods: [HTTPMethod] = [.GET, .POST, .PUT, .DELETE]
        self.timers = Dictionary(uniqueKeysWithValues: methods.map { method in
            (method.rawValue, Timer(label: Self.durationLabel, dimensions: [("method", method.rawValue)], factory: factory))
        })
        self.succeeded = Dictionary(uniqueKeysWithValues: methods.map { method in
            (method.rawValue, Counter(label: Self.requestsLabel, dimensions: [("method", method.rawValue), ("status", "200")], factory: factory))
        })
    }

    /// Counts one request that ended with `status` (an HTTP status or an error's short name).
    func record(method: HTTPMethod, status: String, elapsed: Duration) {
        if status == "200", let counter = succeeded[method.rawValue] {
            counter.increment()
        } else {
            Counter(label: Self.requestsLabel, dimensions: [("method", method.rawValue), ("status", status)], factory: factory).increment()
        }
        let timer = timers[method.rawValue] ?? Timer(label: Self.durationLabel, dimensions: [("method", method.rawValue)], factory: factory)
        timer.record(duration: elapsed)
    }
}
