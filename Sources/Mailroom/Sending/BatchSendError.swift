/// A batch that failed part-way: the requests before the failure were accepted and are not resent.
public struct BatchSendError: Error, Sendable, CustomStringConvertible {
    /// Receipts of the requests the provider accepted, in order.
    public var receipts: [SendReceipt]
    /// The zero-based index of the request that failed.
    public var failedRequest: Int
    /// The recipients of the failed request and of every request after it, none of which were sent.
    public var unsent: [BatchEmail.Recipient]
    /// Why the request failed.
    public var underlying: MailroomError

    /// Creates the error.
    ///
    /// - Parameters:
    ///   - receipts: Receipts of the accepted requests.
    ///   - failedRequest: The index of the failed request.
    ///   - unsent: The recipients not sent to.
    ///   - underlying: Why the request failed.
    public init(receipts: [SendReceipt], failedRequest: Int, unsent: [BatchEmail.Recipient], underlying: MailroomError) {
        self.receipts = receipts
        self.failedRequest = failedRequest
        self.unsent = unsent
        self.underlying = underlying
    }

    /// Says how far the batch got and why it stopped.
    public var description: String {
        "batch request \(failedRequest) failed after \(receipts.count) accepted; \(unsent.count) recipients unsent: \(underlying)"
    }
}
