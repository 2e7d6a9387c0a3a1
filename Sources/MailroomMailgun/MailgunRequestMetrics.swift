import Metrics
import NIOHTTP1

/// The client's request metrics: `mailroom_mailgun_requests_total` by method and status and
/// `mailroom_mailgun_request_duration_seconds` by method.
///
/// The handles of the common case (each method's timer and `200` counter) are made once per
/// client: a metrics backend looks a handle up by label and dimensions under a lock, which is work
/// no send should repeat. Other statuses and methods, rare by nature, get a handle when they happen.
struct MailgunRequestMetrics: Sendable {
    static let requestsLabel = "mailroom_mailgun_requests_total"
    static let durationLabel = "mailroom_mailgun_request_duration_seconds"

    /// One method's handles.
    private struct Handles: Sendable {
        let timer: Timer
        let succeeded: Counter

        init(_ method: HTTPMethod, factory: any MetricsFactory) {
            timer = Timer(label: MailgunRequestMetrics.durationLabel, dimensions: [("method", method.rawValue)], factory: factory)
            succeeded = Counter(label: MailgunRequestMetrics.requestsLabel, dimensions: [("method", method.rawValue), ("status", "200")], factory: factory)
        }
    }

    private let factory: any MetricsFactory
    private let get, post, put, delete: Handles

    init(factory: any MetricsFactory) {
        self.factory = factory
        (get, post, put, delete) = (Handles(.GET, factory: factory), Handles(.POST, factory: factory), Handles(.PUT, factory: factory), Handles(.DELETE, factory: factory))
    }

    /// Counts one request that ended with `status` (an HTTP status or an error's short name).
    func record(method: HTTPMethod, status: String, elapsedNanoseconds: Int64) {
        let handles = self.handles(method)
        if status == "200", let handles {
            handles.succeeded.increment()
        } else {
            Counter(label: Self.requestsLabel, dimensions: [("method", method.rawValue), ("status", status)], factory: factory).increment()
        }
        let timer = handles?.timer ?? Timer(label: Self.durationLabel, dimensions: [("method", method.rawValue)], factory: factory)
        timer.recordNanoseconds(elapsedNanoseconds)
    }

    private func handles(_ method: HTTPMethod) -> Handles? {
        switch method {
        case .GET: get
        case .POST: post
        case .PUT: put
        case .DELETE: delete
        default: nil
        }
    }
}
