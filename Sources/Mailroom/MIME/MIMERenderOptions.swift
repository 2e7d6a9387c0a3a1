/// Public because `Date` appears in this file's public API.
public import Foundation

/// What ``Email/renderMIME(options:)`` would otherwise choose itself: the date, the Message-ID, the
/// multipart boundaries, and a size limit.
///
/// Inject all three of the first to make output byte-for-byte deterministic in tests:
///
/// ```swift
/// let options = MIMERenderOptions(
///     date: Date(timeIntervalSince1970: 1_800_000_000),
///     messageID: "welcome-1@acme.test",
///     boundary: { index in "b\(index)" }
/// )
/// let bytes = try await email.renderMIME(options: options).collect()
/// ```
public struct MIMERenderOptions: Sendable {
    /// The `Date` header's value. Default `nil`: the time of rendering.
    public var date: Date?
    /// The `Message-ID` without angle brackets. Default `nil`: a random id at the sender's domain.
    public var messageID: String?
    /// Makes the boundary of the n-th multipart (0, 1, …, in render order). Default `nil`: random
    /// boundaries that cannot occur in encoded content.
    public var boundary: (@Sendable (Int) -> String)?
    /// The largest message to render, in bytes. Default `nil`: no limit.
    public var maximumSize: Int?

    /// Creates options; every member has the default its documentation states.
    public init(
        date: Date? = nil,
        messageID: String? = nil,
        boundary: (@Sendable (Int) -> String)? = nil,
        maximumSize: Int? = nil
    ) {
        self.date = date
        self.messageID = messageID
        self.boundary = boundary
        self.maximumSize = maximumSize
    }
}
