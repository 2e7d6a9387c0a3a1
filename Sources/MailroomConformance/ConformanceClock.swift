/// Public because `Date` appears in this file's public API.
public import Foundation

/// A clock a check moves by hand, for stores that take a `now` closure.
public final class ConformanceClock: @unchecked Sendable {
    // Unchecked: every access goes through the lock, so a store may read it from any task.
    private let lock = NSLock()
    private var current: Date

    /// A clock showing `start`. Default: 2026-11-18 11:06:40 UTC, a fixed second.
    public init(_ start: Date = Date(timeIntervalSince1970: 1_795_000_000)) {
        current = start
    }

    /// The time it shows.
    public var now: Date { lock.withLock { current } }

    /// Moves it forward.
    ///
    /// - Parameter seconds: How far.
    public func advance(by seconds: TimeInterval) {
        lock.withLock { current += seconds }
    }
}
