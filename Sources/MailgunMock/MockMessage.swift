public import Foundation

/// A message the mock accepted, as the inspection API shows it.
public struct MockMessage: Sendable, Hashable, Codable {
    /// One uploaded file (`attachment` or `inline` part).
    public struct File: Sendable, Hashable, Codable {
        /// The form field: `attachment` or `inline`.
        public var field: String
        /// The file name the client sent.
        public var filename: String
        /// The content type the client sent.
        public var contentType: String
        /// The file's bytes.
        public var content: [UInt8]
    }

    /// The Message-ID the mock answered with, `<…@domain>`.
    public var id: String
    /// The key under which the message is stored.
    public var storageKey: String
    /// The URL of the stored message.
    public var storageURL: String
    /// The sending domain.
    public var domain: String
    /// The endpoint that accepted it: `messages`, `messages.mime` or `resend`.
    public var endpoint: String
    /// Every envelope recipient, bare addresses.
    public var recipients: [String]
    /// Every form field but files, in the order received (repeats kept), e.g. `["o:tag", "welcome"]`.
    public var fields: [[String]]
    /// The uploaded files, in order.
    public var files: [File]
    /// The message's MIME: rendered from the fields, or as uploaded for `messages.mime`.
    public var mime: [UInt8]
    /// When the mock accepted it.
    public var receivedAt: Date

    /// The values of every field called `name`, in order.
    public func values(_ name: String) -> [String] {
        fields.filter { $0.first == name }.compactMap { $0.last }
    }
}
