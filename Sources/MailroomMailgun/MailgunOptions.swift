/// Public because `SendOptions` (from Mailroom) is extended in this file's public API.
public import Mailroom
/// Public because `TimeZone` appears in this file's public API.
public import Foundation

/// Mailgun's own send options, beyond those every provider shares (tags, variables, schedule, test
/// mode, tracking, TLS), reached as `email.options.mailgun`.
///
/// ```swift
/// email.options.mailgun.domain = "mg.acme.test"            // per-call domain override
/// email.options.mailgun.deliveryTimeOptimizePeriod = 48     // hours, 24–72
/// email.options.mailgun.timeZoneLocalize = "09:00"          // HH:mm or hh:mmaa
/// email.options.mailgun.extra = [("o:tracking-pixel-location-top", "htmlonly")]
/// ```
public struct MailgunOptions: Sendable, Hashable {
    /// The sending domain for this message; the configuration's default when `nil`.
    public var domain: String?
    /// DKIM-sign the message (`o:dkim`); the domain default when `nil`.
    public var dkim: Bool?
    /// A second DKIM signing domain (`o:secondary-dkim`), `domain/selector`.
    public var secondaryDKIM: String?
    /// A public alias for the second DKIM domain (`o:secondary-dkim-public`), `domain/selector`.
    public var secondaryDKIMPublic: String?
    /// The time zone `o:deliverytime` is written in. Default UTC.
    public var deliveryTimeZone: TimeZone
    /// Send Time Optimization window in hours, 24 to 72 (`o:deliverytime-optimize-period`, written `48h`).
    public var deliveryTimeOptimizePeriod: Int?
    /// Timezone Optimization: deliver at this local time of each recipient (`o:time-zone-localize`), `HH:mm` or `hh:mmaa`.
    public var timeZoneLocalize: String?
    /// The dedicated IP to send from (`o:sending-ip`).
    public var sendingIP: String?
    /// The IP pool to send from (`o:sending-ip-pool`).
    public var sendingIPPool: String?
    /// Put the open-tracking pixel at the top of the HTML (`o:tracking-pixel-location-top`): `yes`, `no` or `htmlonly`.
    public var trackingPixelLocationTop: String?
    /// Also deliver a copy to this URL (`o:archive-to`).
    public var archiveTo: String?
    /// Headers Mailgun should leave out of the delivered message (`o:suppress-headers`), or `all`.
    public var suppressHeaders: [String]
    /// Any further `o:`, `h:`, `v:` or `t:` fields, sent as given and in order, e.g. from `mailroom send --option`.
    public var extra: [MailgunField]

    /// Creates options; everything unset leaves Mailgun's domain defaults.
    public init(
        domain: String? = nil,
        dkim: Bool? = nil,
        secondaryDKIM: String? = nil,
        secondaryDKIMPublic: String? = nil,
        deliveryTimeZone: TimeZone = TimeZone(identifier: "UTC") ?? .current,
        deliveryTimeOptimizePeriod: Int? = nil,
        timeZoneLocalize: String? = nil,
        sendingIP: String? = nil,
        sendingIPPool: String? = nil,
        trackingPixelLocationTop: String? = nil,
        archiveTo: String? = nil,
        suppressHeaders: [String] = [],
        extra: [MailgunField] = []
    ) {
        self.domain = domain
        self.dkim = dkim
        self.secondaryDKIM = secondaryDKIM
        self.secondaryDKIMPublic = secondaryDKIMPublic
        self.deliveryTimeZone = deliveryTimeZone
        self.deliveryTimeOptimizePeriod = deliveryTimeOptimizePeriod
        self.timeZoneLocalize = timeZoneLocalize
        self.sendingIP = sendingIP
        self.sendingIPPool = sendingIPPool
        self.trackingPixelLocationTop = trackingPixelLocationTop
        self.archiveTo = archiveTo
        self.suppressHeaders = suppressHeaders
        self.extra = extra
    }

    /// Checks the values Mailgun constrains, before any request.
    ///
    /// - Throws: `MailroomError` naming `mailgun.deliveryTimeOptimizePeriod`, `mailgun.timeZoneLocalize`,
    ///   `mailgun.trackingPixelLocationTop`, `mailgun.extra[i]` or a line break in any value.
    public func validate() throws {
        if let period = deliveryTimeOptimizePeriod, !(24...72).contains(period) {
            throw MailroomError.invalidValue(field: "mailgun.deliveryTimeOptimizePeriod", "\(period)h is outside 24h to 72h")
        }
        if let local = timeZoneLocalize, !Self.isLocalTime(local) {
            throw MailroomError.invalidValue(field: "mailgun.timeZoneLocalize", "'\(local)' is not a time such as 09:00 or 09:00AM")
        }
        if let top = trackingPixelLocationTop, !["yes", "no", "htmlonly"].contains(top) {
            throw MailroomError.invalidValue(field: "mailgun.trackingPixelLocationTop", "'\(top)' is not yes, no or htmlonly")
        }
        // Checked one by one (no list built): every send validates its options.
        func checkLine(_ value: String?, _ field: String) throws {
            if let value, value.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A }) { throw MailroomError.headerInjection(field: field) }
        }
        try checkLine(domain, "mailgun.domain")
        try checkLine(secondaryDKIM, "mailgun.secondaryDKIM")
        try checkLine(secondaryDKIMPublic, "mailgun.secondaryDKIMPublic")
        try checkLine(sendingIP, "mailgun.sendingIP")
        try checkLine(sendingIPPool, "mailgun.sendingIPPool")
        try checkLine(archiveTo, "mailgun.archiveTo")
        for (index, field) in extra.enumerated() {
            let prefixes = ["o:", "h:", "v:", "t:"]
            guard prefixes.contains(where: field.name.hasPrefix), field.name.count > 2 else {
                throw MailroomError.invalidValue(field: "mailgun.extra[\(index)]", "'\(field.name)' is not an o:, h:, v: or t: field")
            }
            if (field.name + field.value).contains(where: { $0 == "\r" || $0 == "\n" || $0 == "\r\n" }) && field.name.hasPrefix("h:") {
                throw MailroomError.headerInjection(field: "mailgun.extra[\(index)]")
            }
        }
    }

    /// `HH:mm` (24-hour) or `hh:mmaa` (12-hour with AM/PM).
    static func isLocalTime(_ text: String) -> Bool {
        let upper = text.uppercased()
        let twelveHour = upper.hasSuffix("AM") || upper.hasSuffix("PM")
        let clock = twelveHour ? String(upper.dropLast(2)) : upper
        let parts = clock.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ $0.count == 2 && $0.allSatisfy(\.isNumber) }),
            let hour = Int(parts[0]), let minute = Int(parts[1]), minute < 60
        else { return false }
        return twelveHour ? (1...12).contains(hour) : hour < 24
    }
}

/// One raw form field of a Mailgun request, e.g. `o:tracking-pixel-location-top = htmlonly`.
public struct MailgunField: Sendable, Hashable {
    /// The field name, e.g. `o:tag` or `h:X-Campaign`.
    public var name: String
    /// The value.
    public var value: String

    /// Creates a field.
    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// The key `MailgunOptions` are stored under in `SendOptions.providerOptions`.
enum MailgunOptionsKey: ProviderOptionKey {
    // Made once: every send reads the options, most of them without any Mailgun option set.
    static let defaultValue = MailgunOptions()
}

extension SendOptions {
    /// Mailgun's own send options for this message.
    public var mailgun: MailgunOptions {
        get { providerOptions[MailgunOptionsKey.self] }
        set { providerOptions[MailgunOptionsKey.self] = newValue }
    }

    /// ``mailgun``, or `nil` when the message stores no provider option: the send path reads the
    /// defaults without copying them (a copy retains each of their references).
    var mailgunIfSet: MailgunOptions? {
        providerOptions.isEmpty ? nil : mailgun
    }
}
