import Mailroom
import Testing

@Suite struct SendAlertTests {
    let valid = SendAlert(
        name: "hard bounce rate", metric: .hardBounceRate, comparator: .greaterThan, limit: ".05",
        dimension: .domain, channels: [.email, .webhook], period: "1h",
        filters: [.init(dimension: .domain, comparator: .notContains, values: ["test.acme.test"])]
    )

    func error(_ change: (inout SendAlert) -> Void) -> MailroomError? {
        var alert = valid
        change(&alert)
        do {
            try alert.validate()
            return nil
        } catch {
            return error as? MailroomError
        }
    }

    @Test func acceptsMailgunsVocabulary() throws {
        try valid.validate()
        #expect(SendAlert.Metric.known.map(\.rawValue) == ["hard_bounce_rate", "temporary_fail_rate", "delivered_rate", "complained_rate"])
        #expect(SendAlert.Filter.Comparator.notContains.description == "not contains")
        #expect(error { $0.limit = "5" } == nil)
        #expect(error { $0.limit = "0.99" } == nil)
        #expect(error { $0.period = "7d" } == nil)
        #expect(error { $0.period = nil; $0.channels = [] } == nil)
    }

    @Test(arguments: [
        ("metric", "'open_rate' is not one of: hard_bounce_rate, temporary_fail_rate, delivered_rate, complained_rate"),
        ("comparator", "'~' is not one of: =, !=, <, <=, >, >="),
        ("limit", "'ninety' is not a decimal number such as .99 or 5"),
        ("dimension", "'country' is not one of: domain, ip, ip_pool, recipient_provider, subaccount"),
        ("channels[1]", "'pager' is not one of: email, webhook, slack"),
        ("period", "'1w' is not a period such as 1h or 1d"),
        ("filters[0].comparator", "'like' is not one of: =, !=, contains, not contains, <, <=, >, >="),
        ("filters[0].values", "a filter needs at least one value"),
        ("name", "an alert needs a name"),
    ])
    func rejectsEachFieldByName(field: String, message: String) {
        let rejected = error { alert in
            switch field {
            case "metric": alert.metric = .init(rawValue: "open_rate")
            case "comparator": alert.comparator = .init(rawValue: "~")
            case "limit": alert.limit = "ninety"
            case "dimension": alert.dimension = .init(rawValue: "country")
            case "channels[1]": alert.channels = [.email, .init(rawValue: "pager")]
            case "period": alert.period = "1w"
            case "filters[0].comparator": alert.filters[0].comparator = .init(rawValue: "like")
            case "filters[0].values": alert.filters[0].values = []
            default: alert.name = "  "
            }
        }
        #expect(rejected?.field == field)
        #expect(rejected?.message == message)
    }

    @Test func rejectsLineBreaksInNames() {
        #expect(error { $0.name = "a\r\nb" }?.code == .headerInjection)
        #expect(error { $0.limit = "1.2.3" }?.field == "limit")
        #expect(error { $0.period = "0h" }?.field == "period")
    }
}
