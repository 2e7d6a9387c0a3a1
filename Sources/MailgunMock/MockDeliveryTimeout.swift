/// Thrown by ``MailgunMock/webhookDeliveries(finished:timeout:)`` when fewer deliveries than
/// expected finished in time; says how many did, which tells a slow receiver from a missing event.
public struct MockDeliveryTimeout: Error, CustomStringConvertible, Sendable {
    /// How many finished deliveries were awaited.
    public let expected: Int
    /// How many had finished when the timeout passed.
    public let finished: Int
    /// How long the wait lasted.
    public let timeout: Duration

    /// "waited 60.0 seconds for 10 finished webhook deliveries; 7 finished".
    public var description: String {
        "waited \(timeout) for \(expected) finished webhook deliveries; \(finished) finished"
    }
}
