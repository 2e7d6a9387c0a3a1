/// When a ``MailgunSuppressionMirror`` syncs in a running app: once at start, then every interval
/// (see ``MailgunSuppressionMirror/keepSynced(_:logger:sleep:)``).
public struct SuppressionSyncSchedule: Sendable, Hashable {
    /// Sync once when the schedule starts. Default `true`.
    public var syncAtStart: Bool
    /// The wait between syncs; `nil` for none after the first. Default one hour.
    public var interval: Duration?
    /// Entries per Mailgun request, 1 to 1,000. Default 1,000.
    public var pageSize: Int

    /// Creates a schedule; every member has the default its documentation states.
    public init(syncAtStart: Bool = true, interval: Duration? = .seconds(3_600), pageSize: Int = 1_000) {
        self.syncAtStart = syncAtStart
        self.interval = interval
        self.pageSize = pageSize
    }
}
